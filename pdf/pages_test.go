package pdf

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/labelbridge/labelbridge"
)

func TestParsePages(t *testing.T) {
	tests := []struct {
		name  string
		spec  string
		count int
		want  []int
		// wantErr is a part of the error message, which must quote the
		// bad part of spec.
		wantErr string
	}{
		{"OKEmptyIsAll", "", 3, []int{1, 2, 3}, ""},
		{"OKBlankIsAll", "  ", 2, []int{1, 2}, ""},
		{"OKOne", "2", 3, []int{2}, ""},
		{"OKRangeAndOne", "1-3,7", 7, []int{1, 2, 3, 7}, ""},
		{"OKSpaces", " 1 - 2 , 4 ", 4, []int{1, 2, 4}, ""},
		{"OKOrderKept", "3,1", 3, []int{3, 1}, ""},
		{"OKSinglePageRange", "2-2", 2, []int{2}, ""},
		{"ErrPastEnd", "1-3,8", 7, nil, `page 8 in "8" is out of range: the PDF has 7 pages`},
		{"ErrRangePastEnd", "5-9", 7, nil, `page 9 in "5-9" is out of range`},
		{"ErrZero", "0", 7, nil, `"0" is not a page number`},
		{"ErrNegative", "-2", 7, nil, `"-2" is not a page number`},
		{"ErrWord", "1,two", 7, nil, `"two" is not a page number`},
		{"ErrBackwards", "5-3", 7, nil, `"5-3" runs backwards`},
		{"ErrEmptyPart", "1,,2", 7, nil, `empty part in "1,,2"`},
		{"ErrOpenRange", "3-", 7, nil, `"3-" is not a page number`},
		{"ErrTwoDashes", "1-2-3", 7, nil, `"1-2-3" is not a page number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePages(tt.spec, tt.count)
			if tt.wantErr == "" {
				if err != nil || !slices.Equal(got, tt.want) {
					t.Errorf("ParsePages(%q, %d) = %v, %v; want %v", tt.spec, tt.count, got, err, tt.want)
				}
				return
			}
			var e *labelbridge.Error
			if !errors.As(err, &e) || e.Code != labelbridge.CodeInvalidRequest || e.Path != "pages" || !strings.Contains(e.Message, tt.wantErr) {
				t.Errorf("ParsePages(%q, %d) error = %v, want invalid_request on pages containing %q", tt.spec, tt.count, err, tt.wantErr)
			}
		})
	}
}

func FuzzParsePages(f *testing.F) {
	for _, s := range []string{"", "1", "1-3,7", "5-3", "1,,2", " 2 - 4 ", "-1", "99999999999999999999"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, spec string, count int) {
		if count < 0 || count > 10000 {
			return
		}
		pages, err := ParsePages(spec, count)
		if err != nil {
			return
		}
		for _, p := range pages {
			if p < 1 || p > count {
				t.Fatalf("ParsePages(%q, %d) returned page %d", spec, count, p)
			}
		}
	})
}
