package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// origins decides which browser origins may use the daemon: those in the
// config, plus those an admin allowed at run time (kept in a file in the data
// folder). Origins refused are remembered as pending, so an admin can see who
// asked and allow them.
type origins struct {
	config []string
	path   string // "" keeps run-time decisions in memory only
	now    func() time.Time

	mu      sync.Mutex
	allowed []string
	denied  []string
	pending map[string]*PendingOrigin
}

// PendingOrigin is a browser origin that asked and was refused.
type PendingOrigin struct {
	Origin    string    `json:"origin"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	Requests  int       `json:"requests"`
}

type originsFile struct {
	Allowed []string `json:"allowed"`
	Denied  []string `json:"denied"`
}

func newOrigins(config []string, path string) (*origins, error) {
	o := &origins{config: config, path: path, now: time.Now, pending: map[string]*PendingOrigin{}}
	if path == "" {
		return o, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return o, nil
	}
	if err != nil {
		return nil, fmt.Errorf("origins %s: %w", path, err)
	}
	var f originsFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("origins %s: %w", path, err)
	}
	o.allowed, o.denied = f.Allowed, f.Denied
	return o, nil
}

// normalOrigin lower-cases and drops a trailing slash; it rejects anything
// that is not scheme://host[:port].
func normalOrigin(s string) (string, error) {
	s = strings.ToLower(strings.TrimRight(strings.TrimSpace(s), "/"))
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
		return "", fmt.Errorf("origin %q: want scheme://host[:port]", s)
	}
	return s, nil
}

func matchOrigin(pattern, origin string) bool {
	pattern = strings.ToLower(strings.TrimRight(pattern, "/"))
	if pattern == origin {
		return true
	}
	if scheme, rest, ok := strings.Cut(pattern, "://*."); ok {
		if o, ok := strings.CutPrefix(origin, scheme+"://"); ok && strings.HasSuffix(o, "."+rest) {
			return true
		}
	}
	return false
}

// allow reports whether origin may connect; a refused origin is recorded
// as pending unless an admin denied it.
func (o *origins) allow(origin string) bool {
	origin = strings.ToLower(strings.TrimRight(origin, "/"))
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, d := range o.denied {
		if d == origin {
			return false
		}
	}
	for _, list := range [][]string{o.config, o.allowed} {
		for _, p := range list {
			if matchOrigin(p, origin) {
				return true
			}
		}
	}
	now := o.now().UTC()
	p := o.pending[origin]
	if p == nil {
		if len(o.pending) >= 100 {
			// A page can make up origins at will; keep the list bounded.
			return false
		}
		p = &PendingOrigin{Origin: origin, FirstSeen: now}
		o.pending[origin] = p
	}
	p.LastSeen = now
	p.Requests++
	return false
}

// decide records an admin's decision about an origin and persists it.
func (o *origins) decide(origin string, allow bool) error {
	origin, err := normalOrigin(origin)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	remove := func(list []string) []string {
		out := list[:0:0]
		for _, x := range list {
			if x != origin {
				out = append(out, x)
			}
		}
		return out
	}
	o.allowed, o.denied = remove(o.allowed), remove(o.denied)
	if allow {
		o.allowed = append(o.allowed, origin)
	} else {
		o.denied = append(o.denied, origin)
	}
	delete(o.pending, origin)
	return o.saveLocked()
}

func (o *origins) saveLocked() error {
	if o.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(originsFile{Allowed: o.allowed, Denied: o.denied}, "", "  ")
	if err != nil {
		return err
	}
	tmp := o.path + ".tmp"
	if err := os.MkdirAll(filepath.Dir(o.path), 0o750); err != nil {
		return fmt.Errorf("origins: %w", err)
	}
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("origins: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("origins: %w", err)
	}
	if err := os.Rename(tmp, o.path); err != nil {
		return fmt.Errorf("origins: %w", err)
	}
	return nil
}

// OriginList is what GET /v1/origins answers.
type OriginList struct {
	Configured []string        `json:"configured"`
	Allowed    []string        `json:"allowed"`
	Denied     []string        `json:"denied"`
	Pending    []PendingOrigin `json:"pending"`
}

func (o *origins) list() OriginList {
	o.mu.Lock()
	defer o.mu.Unlock()
	l := OriginList{
		Configured: append([]string{}, o.config...),
		Allowed:    append([]string{}, o.allowed...),
		Denied:     append([]string{}, o.denied...),
		Pending:    []PendingOrigin{},
	}
	for _, p := range o.pending {
		l.Pending = append(l.Pending, *p)
	}
	sort.Slice(l.Pending, func(i, j int) bool { return l.Pending[i].LastSeen.After(l.Pending[j].LastSeen) })
	return l
}
