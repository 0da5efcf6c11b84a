package auth_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge/auth"
)

func TestTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	s, err := auth.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Required() {
		t.Fatal("no tokens yet, but Required")
	}
	dash, err := s.New("dashboard", "https://seller.example.com", false)
	if err != nil {
		t.Fatal(err)
	}
	script, err := s.New("script", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dash, "lb_") || len(dash) < 40 || dash == script {
		t.Fatalf("secrets %q %q", dash, script)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), dash) || strings.Contains(string(data), script[3:]) {
		t.Fatal("the token file holds a secret, not only its hash")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	// Another process (the CLI) sees the same file.
	other, err := auth.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, secret, origin string
		want                 error
	}{
		{"OK", dash, "https://seller.example.com", nil},
		{"OKScriptNoOrigin", script, "", nil},
		{"ErrNoToken", "", "", auth.ErrNoToken},
		{"ErrBadToken", dash + "x", "https://seller.example.com", auth.ErrBadToken},
		{"ErrWrongOrigin", dash, "https://evil.example", auth.ErrWrongOrigin},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := other.Check(tc.secret, tc.origin); !errors.Is(err, tc.want) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := s.New("dashboard", "", false); err == nil {
		t.Fatal("a second active token with the same name was created")
	}
	if err := other.Revoke("dashboard"); err != nil {
		t.Fatal(err)
	}
	// The first store notices the other process's change.
	if _, err := s.Check(dash, "https://seller.example.com"); !errors.Is(err, auth.ErrBadToken) {
		t.Fatalf("revoked token: %v, want ErrBadToken", err)
	}
	if !s.Required() {
		t.Fatal("one active token remains, Required must be true")
	}
	if err := s.Revoke("nobody"); err == nil {
		t.Fatal("revoking an unknown token succeeded")
	}
	if _, err := s.New("bad name!", "", false); err == nil {
		t.Fatal("bad name accepted")
	}
}

func TestSetChosenToken(t *testing.T) {
	s, err := auth.Open(filepath.Join(t.TempDir(), "tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("installer", "short", "", true); err == nil {
		t.Fatal("a 5-character token was accepted")
	}
	if err := s.Set("installer", "a-long-enough-secret-1", "", true); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("installer", "a-long-enough-secret-1", "", true); err != nil || len(s.List()) != 1 {
		t.Fatalf("setting the same token again: %v, %d tokens", err, len(s.List()))
	}
	if err := s.Set("installer", "a-long-enough-secret-2", "", true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check("a-long-enough-secret-1", ""); !errors.Is(err, auth.ErrBadToken) {
		t.Fatalf("the replaced token still works: %v", err)
	}
	if tok, err := s.Check("a-long-enough-secret-2", ""); err != nil || !tok.Admin {
		t.Fatalf("the new token: %+v %v", tok, err)
	}
}
