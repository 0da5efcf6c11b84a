// Package auth keeps the daemon's access tokens: random secrets of which only
// a hash is stored, optionally bound to one browser origin, revocable.
//
// Tokens live in a small JSON file in the data folder rather than in the job
// store, so `labelbridge token new` works while the daemon runs (the store
// is locked by the daemon); the daemon notices the file change by itself.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Errors Check returns.
var (
	ErrNoToken     = errors.New("a token is required")
	ErrBadToken    = errors.New("token not valid (unknown or revoked)")
	ErrWrongOrigin = errors.New("token is not for this origin")
)

// Token is one stored token. The secret itself is never stored.
type Token struct {
	Name    string    `json:"name"`
	Hash    string    `json:"hash"`             // hex SHA-256 of the secret
	Origin  string    `json:"origin,omitempty"` // when set, only browsers from this origin may use it
	Admin   bool      `json:"admin,omitempty"`  // may change settings from the status page
	Created time.Time `json:"created"`
	Revoked time.Time `json:"revoked,omitzero"`
}

// Active reports whether the token may still be used.
func (t Token) Active() bool { return t.Revoked.IsZero() }

// Store is the token file. Its methods are safe for concurrent use.
type Store struct {
	path string
	now  func() time.Time

	mu      sync.Mutex
	tokens  []Token
	modTime time.Time
	size    int64
}

// Open reads the token file at path; a missing file means no tokens.
func Open(path string) (*Store, error) {
	s := &Store{path: path, now: time.Now}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(true); err != nil {
		return nil, err
	}
	return s, nil
}

// reloadLocked rereads the file when it changed since the last read.
func (s *Store) reloadLocked(force bool) error {
	fi, err := os.Stat(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.tokens, s.modTime, s.size = nil, time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("tokens %s: %w", s.path, err)
	}
	if !force && fi.ModTime().Equal(s.modTime) && fi.Size() == s.size {
		return nil
	}
	data, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("tokens %s: %w", s.path, err)
	}
	var tokens []Token
	if len(strings.TrimSpace(string(data))) > 0 {
		if err := json.Unmarshal(data, &tokens); err != nil {
			return fmt.Errorf("tokens %s: %w", s.path, err)
		}
	}
	s.tokens, s.modTime, s.size = tokens, fi.ModTime(), fi.Size()
	return nil
}

// refresh picks up changes another process (the CLI) made. A file that
// became unreadable keeps the tokens last read: failing open would let
// everyone in.
func (s *Store) refresh() {
	_ = s.reloadLocked(false)
}

// Required reports whether any active token exists, in which case every
// client must present one.
func (s *Store) Required() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	for _, t := range s.tokens {
		if t.Active() {
			return true
		}
	}
	return false
}

// Check verifies secret, from a client whose browser origin is origin ("" for
// scripts). It returns the token's record, or ErrNoToken, ErrBadToken or
// ErrWrongOrigin. The hash comparison takes the same time whatever matches.
func (s *Store) Check(secret, origin string) (Token, error) {
	if secret == "" {
		return Token{}, ErrNoToken
	}
	sum := sha256.Sum256([]byte(secret))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	var found *Token
	for i := range s.tokens {
		want, err := hex.DecodeString(s.tokens[i].Hash)
		if err != nil {
			continue
		}
		if subtle.ConstantTimeCompare(sum[:], want) == 1 && s.tokens[i].Active() {
			found = &s.tokens[i]
		}
	}
	if found == nil {
		return Token{}, ErrBadToken
	}
	if found.Origin != "" && origin != "" && !strings.EqualFold(found.Origin, origin) {
		return Token{}, ErrWrongOrigin
	}
	return *found, nil
}

var validName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// New creates a token called name, stores its hash and returns the secret,
// which is shown once and never again.
func (s *Store) New(name, origin string, admin bool) (string, error) {
	if !validName.MatchString(name) {
		return "", fmt.Errorf("token name %q: use 1-64 letters, digits, '.', '_' or '-'", name)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	secret := "lb_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
	sum := sha256.Sum256([]byte(secret))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(true); err != nil {
		return "", err
	}
	for _, t := range s.tokens {
		if t.Name == name && t.Active() {
			return "", fmt.Errorf("token %q exists; revoke it first", name)
		}
	}
	s.tokens = append(s.tokens, Token{Name: name, Hash: hex.EncodeToString(sum[:]), Origin: origin, Admin: admin, Created: s.now().UTC()})
	if err := s.saveLocked(); err != nil {
		return "", err
	}
	return secret, nil
}

// Set makes secret, chosen by an administrator (the Windows installer's
// TOKEN property), the token called name, replacing an active one of that
// name. Setting the same secret again changes nothing, so reinstalling with
// the same command line is harmless.
func (s *Store) Set(name, secret, origin string, admin bool) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("token name %q: use 1-64 letters, digits, '.', '_' or '-'", name)
	}
	if len(secret) < 16 {
		return errors.New("token: a token must be at least 16 characters long")
	}
	sum := sha256.Sum256([]byte(secret))
	hash := hex.EncodeToString(sum[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(true); err != nil {
		return err
	}
	for i := range s.tokens {
		t := &s.tokens[i]
		if t.Name != name || !t.Active() {
			continue
		}
		if t.Hash == hash && t.Origin == origin && t.Admin == admin {
			return nil
		}
		t.Revoked = s.now().UTC()
	}
	s.tokens = append(s.tokens, Token{Name: name, Hash: hash, Origin: origin, Admin: admin, Created: s.now().UTC()})
	return s.saveLocked()
}

// Revoke stops the token called name from working.
func (s *Store) Revoke(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(true); err != nil {
		return err
	}
	for i := range s.tokens {
		if s.tokens[i].Name == name && s.tokens[i].Active() {
			s.tokens[i].Revoked = s.now().UTC()
			return s.saveLocked()
		}
	}
	return fmt.Errorf("no active token %q", name)
}

// List returns every token, revoked ones included.
func (s *Store) List() []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	return append([]Token(nil), s.tokens...)
}

// saveLocked writes the file atomically: temp file, fsync, rename, fsync dir.
func (s *Store) saveLocked() error {
	data, err := json.MarshalIndent(s.tokens, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	f, err := os.CreateTemp(dir, ".tokens-*")
	if err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("tokens: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("tokens: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	if err := os.Chmod(f.Name(), 0o600); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	if err := os.Rename(f.Name(), s.path); err != nil {
		return fmt.Errorf("tokens: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	fi, err := os.Stat(s.path)
	if err == nil {
		s.modTime, s.size = fi.ModTime(), fi.Size()
	}
	return nil
}
