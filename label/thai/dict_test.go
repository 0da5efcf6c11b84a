package thai

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

func mustDefault(tb testing.TB) *Dict {
	tb.Helper()
	d, err := Default()
	if err != nil {
		tb.Fatalf("Default: %v", err)
	}
	return d
}

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		has     []string
		hasNot  []string
		words   int
		wantErr string
	}{
		{name: "OK", in: "กก\nกกหู\nไก่\n", has: []string{"กก", "กกหู", "ไก่"}, hasNot: []string{"ก", "กกห", "ไก"}, words: 3},
		{name: "CommentsBlanksAndCRLF", in: "# list\r\n\r\n  สี \r\nน้ำเงิน\r\n", has: []string{"สี", "น้ำเงิน"}, hasNot: []string{"# list", ""}, words: 2},
		{name: "Duplicates", in: "สี\nสี\nสี\n", has: []string{"สี"}, words: 1},
		{name: "NoFinalNewline", in: "แดง", has: []string{"แดง"}, words: 1},
		{name: "Empty", in: "", hasNot: []string{"ก"}, words: 0},
		{name: "ErrLatin", in: "สี\nred\n", wantErr: `thai: line 2: "red": character U+0072`},
		{name: "ErrThaiDigit", in: "ก๑\n", wantErr: "line 1"},
		{name: "ErrInnerSpace", in: "สี แดง\n", wantErr: "U+0020"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := d.Len(); got != tt.words {
				t.Errorf("Len() = %d, want %d", got, tt.words)
			}
			for _, w := range tt.has {
				if !d.Contains(w) {
					t.Errorf("Contains(%q) = false, want true", w)
				}
			}
			for _, w := range tt.hasNot {
				if d.Contains(w) {
					t.Errorf("Contains(%q) = true, want false", w)
				}
			}
		})
	}
}

func TestDefault(t *testing.T) {
	d := mustDefault(t)
	if got := d.Len(); got < 26000 {
		t.Errorf("Len() = %d, want the ICU list's 26k words or more", got)
	}
	for _, w := range []string{"กรุงเทพมหานคร", "นครราชสีมา", "ถนน", "ตำบล", "อำเภอ", "น้ำเงิน", "ทุเรียน",
		// from extra.txt
		"เสื้อยืด", "เก็บเงินปลายทาง", "เซรั่ม"} {
		if !d.Contains(w) {
			t.Errorf("Contains(%q) = false, want true", w)
		}
	}
	// gendict drops ICU entries that end with a leading vowel.
	if d.Contains("วาจาไ") {
		t.Errorf(`Contains("วาจาไ") = true, want the truncated ICU entry dropped`)
	}
}

func TestDefaultHoldsEveryWord(t *testing.T) {
	d := mustDefault(t)
	zr, err := gzip.NewReader(bytes.NewReader(embeddedWords))
	if err != nil {
		t.Fatal(err)
	}
	list, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]bool{}
	for _, line := range strings.Split(string(list)+"\n"+embeddedExtra, "\n") {
		if w := strings.TrimSpace(line); w != "" && w[0] != '#' {
			words[w] = true
		}
	}
	if d.Len() != len(words) {
		t.Errorf("Len() = %d, want the %d distinct words of the lists", d.Len(), len(words))
	}
	prefixes := 0
	for w := range words {
		if !d.Contains(w) {
			t.Errorf("Contains(%q) = false for a word of the list", w)
		}
		// A prefix that is no word of its own leads into the trie but
		// must not be taken for a word.
		_, n := utf8.DecodeLastRuneInString(w)
		if p := w[:len(w)-n]; p != "" && !words[p] {
			prefixes++
			if d.Contains(p) {
				t.Errorf("Contains(%q) = true; only %q is in the list", p, w)
			}
		}
	}
	if prefixes == 0 {
		t.Error("no word of the list has a prefix that is not a word; the check above checked nothing")
	}
	// Parse counts the nodes before building, so nothing is over-allocated.
	if len(d.node) != cap(d.node) || len(d.label) != len(d.node) {
		t.Errorf("trie of %d nodes (capacity %d) and %d labels; want them equal", len(d.node), cap(d.node), len(d.label))
	}
}

func FuzzParse(f *testing.F) {
	f.Add("กก\nกกหู\n")
	f.Add("# c\r\n สี \n")
	f.Add("ก\xffข\n")
	f.Fuzz(func(t *testing.T, in string) {
		d, err := Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, line := range strings.Split(in, "\n") {
			w := strings.TrimSpace(line)
			if w != "" && w[0] != '#' && !d.Contains(w) {
				t.Errorf("Contains(%q) = false after parsing it", w)
			}
		}
	})
}

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}
