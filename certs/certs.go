// Package certs keeps the daemon's TLS material: a local certificate
// authority made on this machine, and a server certificate for localhost
// (and any names configured) signed by it. Trusting the one CA on a PC makes
// wss://localhost work in its browsers; the CA's key never leaves the data
// folder.
package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Files names the PEM files in a TLS folder.
type Files struct {
	Dir                  string
	CA, CAKey, Cert, Key string
}

// In returns the file names under dir.
func In(dir string) Files {
	return Files{Dir: dir, CA: filepath.Join(dir, "ca.pem"), CAKey: filepath.Join(dir, "ca-key.pem"),
		Cert: filepath.Join(dir, "server.pem"), Key: filepath.Join(dir, "server-key.pem")}
}

const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 2 * 365 * 24 * time.Hour
	renewBefore    = 30 * 24 * time.Hour
)

// Names returns the names a server certificate covers: loopback always,
// plus hosts, sorted and without duplicates.
func Names(hosts []string) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" && !slices.Contains(names, h) {
			names = append(names, h)
		}
	}
	sort.Strings(names[3:])
	return names
}

// Ensure makes the CA on first use and a server certificate for Names(hosts),
// renewing the server certificate when it nears its end or the names
// changed. It returns the certificate to serve.
func Ensure(dir string, hosts []string, now time.Time) (tls.Certificate, Files, error) {
	f := In(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, f, fmt.Errorf("tls folder: %w", err)
	}
	ca, caKey, err := loadOrMakeCA(f, now)
	if err != nil {
		return tls.Certificate{}, f, err
	}
	names := Names(hosts)
	if cert, err := tls.LoadX509KeyPair(f.Cert, f.Key); err == nil {
		leaf, err := x509.ParseCertificate(cert.Certificate[0])
		if err == nil && leaf.NotAfter.Sub(now) > renewBefore && slices.Equal(certNames(leaf), names) &&
			leaf.CheckSignatureFrom(ca) == nil {
			return cert, f, nil
		}
	}
	if err := makeServer(f, ca, caKey, names, now); err != nil {
		return tls.Certificate{}, f, err
	}
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return tls.Certificate{}, f, fmt.Errorf("server certificate: %w", err)
	}
	return cert, f, nil
}

func certNames(c *x509.Certificate) []string {
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	// The order Names gives: loopback first, the rest sorted.
	var rest []string
	for _, n := range names {
		if n != "localhost" && n != "127.0.0.1" && n != "::1" {
			rest = append(rest, n)
		}
	}
	return Names(rest)
}

func loadOrMakeCA(f Files, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	certPEM, errC := os.ReadFile(f.CA)
	keyPEM, errK := os.ReadFile(f.CAKey)
	if errC == nil && errK == nil {
		cert, key, err := parsePair(certPEM, keyPEM)
		if err != nil {
			return nil, nil, fmt.Errorf("local CA in %s: %w (delete ca.pem and ca-key.pem to make a new one, then trust it again)", f.Dir, err)
		}
		return cert, key, nil
	}
	if !errors.Is(errC, os.ErrNotExist) && errC != nil {
		return nil, nil, fmt.Errorf("local CA: %w", errC)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("local CA key: %w", err)
	}
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "labelbridge local CA " + host, Organization: []string{"labelbridge"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("local CA: %w", err)
	}
	if err := writePair(f.CA, f.CAKey, der, key); err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, err
}

func makeServer(f Files, ca *x509.Certificate, caKey *ecdsa.PrivateKey, names []string, now time.Time) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "labelbridge " + names[0]},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(serverLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("server certificate: %w", err)
	}
	return writePair(f.Cert, f.Key, der, key)
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	return n
}

func parsePair(certPEM, keyPEM []byte) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, nil, errors.New("not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParseECPrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// writePair writes a certificate (world-readable: it is public) and its key
// (owner only), each atomically.
func writePair(certPath, keyPath string, der []byte, key *ecdsa.PrivateKey) error {
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writeFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return err
	}
	return writeFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func writeFile(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Pool returns a cert pool holding the local CA, for clients and tests.
func Pool(f Files) (*x509.CertPool, error) {
	data, err := os.ReadFile(f.CA)
	if err != nil {
		return nil, err
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no certificate", f.CA)
	}
	return p, nil
}
