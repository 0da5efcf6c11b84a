package certs_test

import (
	"crypto/x509"
	"os"
	"testing"
	"time"

	"github.com/labelbridge/labelbridge/certs"
)

func TestEnsure(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	cert, f, err := certs.Ensure(dir, []string{"Packing-PC.local", "192.168.1.20"}, now)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := certs.Pool(f)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "packing-pc.local", "192.168.1.20"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: pool, CurrentTime: now}); err != nil {
			t.Errorf("certificate does not verify for %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "evil.example", Roots: pool, CurrentTime: now}); err == nil {
		t.Error("certificate verifies for a name it was not made for")
	}
	if fi, _ := os.Stat(f.CAKey); fi.Mode().Perm() != 0o600 {
		t.Errorf("CA key mode %v, want 0600", fi.Mode().Perm())
	}
	caBefore, _ := os.ReadFile(f.CA)

	t.Run("Reused", func(t *testing.T) {
		again, _, err := certs.Ensure(dir, []string{"192.168.1.20", "packing-pc.local"}, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if string(again.Certificate[0]) != string(cert.Certificate[0]) {
			t.Fatal("a valid certificate for the same names was replaced")
		}
	})
	t.Run("RenewedForNewNames", func(t *testing.T) {
		again, _, err := certs.Ensure(dir, []string{"other.local"}, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := x509.ParseCertificate(again.Certificate[0])
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "other.local", Roots: pool, CurrentTime: now}); err != nil {
			t.Fatalf("renewed certificate: %v", err)
		}
	})
	t.Run("RenewedNearItsEnd", func(t *testing.T) {
		later := now.Add(2*365*24*time.Hour - 10*24*time.Hour)
		again, _, err := certs.Ensure(dir, []string{"other.local"}, later)
		if err != nil {
			t.Fatal(err)
		}
		leaf, _ := x509.ParseCertificate(again.Certificate[0])
		if !leaf.NotAfter.After(later.Add(365 * 24 * time.Hour)) {
			t.Fatalf("not renewed: ends %v", leaf.NotAfter)
		}
	})
	if caAfter, _ := os.ReadFile(f.CA); string(caAfter) != string(caBefore) {
		t.Fatal("the CA changed: every trusted PC would have to trust it again")
	}
}
