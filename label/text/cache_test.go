package text

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

func TestLRU(t *testing.T) {
	type put struct{ key, cost int }
	tests := []struct {
		name            string
		maxLen, maxCost int
		puts            []put
		getFirst        bool // get the first key before the last put
		want            []int
		wantCost        int
	}{
		{"KeepsAll", 3, 10, []put{{0, 1}, {1, 1}, {2, 1}}, false, []int{0, 1, 2}, 3},
		{"EvictsLeastRecent", 3, 10, []put{{0, 1}, {1, 1}, {2, 1}, {3, 1}}, false, []int{1, 2, 3}, 3},
		{"GetMakesRecent", 3, 10, []put{{0, 1}, {1, 1}, {2, 1}, {3, 1}}, true, []int{0, 2, 3}, 3},
		{"EvictsForCost", 10, 10, []put{{0, 4}, {1, 4}, {2, 4}}, false, []int{1, 2}, 8},
		{"EvictsSeveralForCost", 10, 10, []put{{0, 3}, {1, 3}, {2, 3}, {3, 9}}, false, []int{3}, 9},
		{"SkipsValueOverBudget", 10, 10, []put{{0, 3}, {1, 11}}, false, []int{0}, 3},
		{"SecondPutKeepsFirst", 10, 10, []put{{0, 3}, {0, 5}}, false, []int{0}, 3},
		{"ZeroKeepsNothing", 0, 0, []put{{0, 0}, {1, 0}}, false, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newLRU[int, string](tt.maxLen, tt.maxCost)
			for i, p := range tt.puts {
				if tt.getFirst && i == len(tt.puts)-1 {
					c.get(tt.puts[0].key)
				}
				c.put(p.key, fmt.Sprintf("value %d of cost %d", p.key, p.cost), p.cost)
			}
			var got []int
			for k := range 12 {
				v, ok := c.get(k)
				if !ok {
					continue
				}
				got = append(got, k)
				for _, p := range tt.puts {
					if p.key == k {
						if want := fmt.Sprintf("value %d of cost %d", p.key, p.cost); v != want {
							t.Errorf("get(%d) = %q, want %q", k, v, want)
						}
						break
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("keys kept = %v, want %v", got, tt.want)
			}
			if n, cost := c.size(); n != len(tt.want) || cost != tt.wantCost {
				t.Errorf("size() = %d, %d; want %d, %d", n, cost, len(tt.want), tt.wantCost)
			}
		})
	}
}

// orderStrings returns every distinct string in the sample orders, the
// text layout puts on labels.
func orderStrings(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob("../testdata/samples/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("sample orders: %v, %d files", err, len(files))
	}
	seen := map[string]bool{}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		walk(v)
	}
	slices.Sort(out) // map order would make failures hard to repeat
	return out
}

// fingerprint is everything r makes of s at st: its width, glyphs, lines
// at two widths and a hash of its drawing.
func fingerprint(r *Renderer, s string, st Style) string {
	w := r.Measure(s, st)
	asc, _, lh := r.Metrics(st)
	img := newBitmap(w+8, lh+2)
	r.Draw(img, 4, asc+1, s, st)
	h := fnv.New64a()
	for _, black := range img.pix {
		if black {
			h.Write([]byte{1})
		} else {
			h.Write([]byte{0})
		}
	}
	return fmt.Sprintf("%d %v %q %q %x", w, r.Glyphs(s, st), r.Wrap(s, st, 120), r.Wrap(s, st, 400), h.Sum64())
}

func TestCachesChangeNothing(t *testing.T) {
	// Every sixth of the Thai samples and of the strings in the sample
	// orders, in three styles (two sizes, two weights at one of them): a
	// few seconds, not a minute.
	all := append(readSamples(t), orderStrings(t)...)
	step := 6
	if testing.Short() || raceDetector {
		step = 60
	}
	var texts []string
	for i := 0; i < len(all); i += step {
		texts = append(texts, all[i])
	}
	styles := []Style{{Size: 14}, {Size: 24.5}, {Size: 24.5, Bold: true}}
	uncached := newRenderer(cacheLimits{})
	// tiny evicts all the time, so a stale or misplaced entry would show.
	tinyLimits := cacheLimits{glyphs: 16, lines: 8, lineGlyphs: 200, runs: 4, runRunes: 100, breaks: 2, breakOffs: 20}
	renderers := []struct {
		name string
		r    *Renderer
	}{
		{"Default", mustRenderer(t)},
		{"Tiny", newRenderer(tinyLimits)},
	}
	want := map[string]string{}
	for _, s := range texts {
		for _, st := range styles {
			want[fmt.Sprint(s, st)] = fingerprint(uncached, s, st)
		}
	}
	for _, rr := range renderers {
		t.Run(rr.name, func(t *testing.T) {
			for pass := range 2 { // the second pass is served from the caches
				for _, s := range texts {
					for _, st := range styles {
						if got, want := fingerprint(rr.r, s, st), want[fmt.Sprint(s, st)]; got != want {
							t.Fatalf("pass %d: %q at %+v:\ngot  %s\nwant %s (uncached)", pass, s, st, got, want)
						}
					}
				}
			}
		})
	}
	if n, _ := uncached.lines.size(); n != 0 {
		t.Errorf("the uncached renderer holds %d shapings", n)
	}
	tiny := renderers[1].r
	for _, c := range []struct {
		name            string
		size            func() (int, int)
		maxLen, maxCost int
	}{
		{"glyphs", tiny.glyphs.size, tinyLimits.glyphs, tinyLimits.glyphs},
		{"lines", tiny.lines.size, tinyLimits.lines, tinyLimits.lineGlyphs},
		{"runs", tiny.runs.size, tinyLimits.runs, tinyLimits.runRunes},
		{"breaks", tiny.paraBreaks.size, tinyLimits.breaks, tinyLimits.breakOffs},
	} {
		if n, cost := c.size(); n == 0 || n > c.maxLen || cost > c.maxCost {
			t.Errorf("tiny %s cache holds %d entries costing %d; want 1 to %d costing at most %d", c.name, n, cost, c.maxLen, c.maxCost)
		}
	}
}

func TestNewDefersParsing(t *testing.T) {
	// Parsing the fonts allocates some 3 MB and the dictionary 2 MB more;
	// New must leave both for the first call that needs them.
	const most = 256 << 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := New()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > most {
		t.Errorf("New allocated %d bytes, want at most %d: fonts and dictionary are parsed on first use", got, most)
	}
	if got := r.Wrap("ถนนลาดพร้าว ตำบลในเมือง", Style{Size: 24}, 150); len(got) != 2 {
		t.Errorf("Wrap on a fresh Renderer = %q, want two lines", got)
	}
}
