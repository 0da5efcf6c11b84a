package thai

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSegment(t *testing.T) {
	d := mustDefault(t)
	tests := []struct {
		name string
		in   string
		want string // segments joined by |
	}{
		// สีน้ำเงิน (blue) is one dictionary word; fewest words keeps it
		// whole rather than สี|น้ำเงิน or the wrong สีน้ำ|เงิน.
		{"CompoundWord", "สีน้ำเงิน", "สีน้ำเงิน"},
		{"CompoundAfterWord", "เสื้อสีน้ำเงิน", "เสื้อ|สีน้ำเงิน"},
		{"Road", "ถนนลาดพร้าว", "ถนน|ลาดพร้าว"},
		{"Bangkok", "กรุงเทพมหานคร", "กรุงเทพมหานคร"},
		{"District", "อำเภอเมืองนครราชสีมา", "อำเภอ|เมือง|นครราชสีมา"},
		{"ProductWithSpace", "เสื้อยืดคอกลม สีแดง", "เสื้อยืด|คอกลม |สี|แดง"},
		{"ThaiThenLatin", "ทุเรียนทอดกรอบ 100g", "ทุเรียน|ทอด|กรอบ |100g"},
		{"Address", "973/48 หมู่ 9 ถนนลาดพร้าว ตำบลในเมือง อำเภอเมืองนครราชสีมา นครราชสีมา",
			"973/48 |หมู่ |9 |ถนน|ลาดพร้าว |ตำบล|ใน|เมือง |อำเภอ|เมือง|นครราชสีมา |นครราชสีมา"},
		{"Bracketed", "ร้านน้ำใจ ช็อป (Namjai Shop)", "ร้าน|น้ำใจ |ช็อป |(Namjai |Shop)"},
		{"Karan", "จันทร์ศักดิ์", "จันทร์|ศักดิ์"},
		{"Repeat", "กระซิกๆ", "กระซิกๆ"},
		{"RepeatAfterWord", "เด็กๆเล่น", "เด็กๆ|เล่น"},
		{"ThaiNumberGlued", "เคสไอโฟน15ใส", "เคส|ไอโฟน|15|ใส"},
		{"ClosingPunct", "เซรั่มวิตามินซี 30 มล.", "เซรั่ม|วิตามิน|ซี |30 |มล."},
		// An unknown name stays whole up to where a dictionary word starts.
		{"UnknownRunGrouped", "ญญญญญถนน", "ญญญญญ|ถนน"},
		{"Latin", "No. 23, Jalan SS2/24, SS2, 47300 Petaling Jaya",
			"No. |23, |Jalan |SS2/24, |SS2, |47300 |Petaling |Jaya"},
		{"Vietnamese", "88 Nguyễn Văn Linh, Phường Nam Dương", "88 |Nguyễn |Văn |Linh, |Phường |Nam |Dương"},
		{"VietnameseDecomposed", "Nguye\u0302\u0303n Va\u0306n", "Nguye\u0302\u0303n |Va\u0306n"},
		{"NoBreakSpace", "100\u00a0g ok", "100\u00a0g |ok"},
		{"Newline", "line1\nline2\r\nline3", "line1\n|line2\r\n|line3"},
		// A mark after a space is one grapheme with it (UAX #29).
		{"StrayMarkAfterSpace", "ก \u0e35ข", "ก \u0e35|ข"},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(d.Segment(tt.in), "|")
			if got != tt.want {
				t.Errorf("Segment(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestClusters(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // clusters joined by |
	}{
		{"ToneAboveVowel", "ปี่", "ปี่"},
		{"LeadingVowel", "เมือง", "เมื|อ|ง"},
		{"SaraAm", "น้ำเงิน", "น้ำ|เงิ|น"},
		{"MaiHanAkatTakesFinal", "กันกระแทก", "กัน|ก|ระ|แท|ก"},
		{"KaranWithVowel", "ศักดิ์", "ศักดิ์"}, // one syllable: ด is silent
		{"KaranCluster", "จันทร์", "จัน|ทร์"},
		{"Latin", "ab", "a|b"},
		{"CombiningLatin", "e\u0301x", "e\u0301|x"},
		{"CRLF", "a\r\nb", "a|\r\n|b"},
		{"Emoji", "📦 ok", "📦| |o|k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var parts []string
			last := 0
			for _, c := range Clusters(tt.in) {
				parts = append(parts, tt.in[last:c])
				last = c
			}
			parts = append(parts, tt.in[last:])
			if got := strings.Join(parts, "|"); got != tt.want {
				t.Errorf("Clusters(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
		})
	}
}

// readSamples returns testdata/samples.txt: every distinct string with Thai
// in it from shared/samples, one a line.
func readSamples(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/samples.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && line[0] != '#' {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// checkBreaks asserts what holds for any input: breaks increase strictly,
// lie inside s on character boundaries, and every one is also a cluster
// boundary, so no break splits a Thai cluster or a combining sequence.
func checkBreaks(t *testing.T, d *Dict, s string) {
	t.Helper()
	breaks := d.Breaks(s)
	clusters := Clusters(s)
	last := 0
	for _, b := range breaks {
		if b <= last || b >= len(s) {
			t.Fatalf("Breaks(%q) = %v: %d out of order or range", s, breaks, b)
		}
		if utf8.ValidString(s) && !utf8.RuneStart(s[b]) {
			t.Fatalf("Breaks(%q) = %v: %d is inside a character", s, breaks, b)
		}
		if _, ok := slices.BinarySearch(clusters, b); !ok {
			t.Fatalf("Breaks(%q) = %v: %d is not in Clusters %v", s, breaks, b, clusters)
		}
		last = b
	}
	last = 0
	for _, c := range clusters {
		if c <= last || c >= len(s) {
			t.Fatalf("Clusters(%q) = %v: %d out of order or range", s, clusters, c)
		}
		last = c
	}
	if got := strings.Join(d.Segment(s), ""); got != s {
		t.Fatalf("Segment(%q) joined = %q", s, got)
	}
}

func TestSamples(t *testing.T) {
	d := mustDefault(t)
	samples := readSamples(t)
	if len(samples) < 700 {
		t.Fatalf("read %d samples, want the 719 in testdata/samples.txt", len(samples))
	}
	for _, s := range samples {
		checkBreaks(t, d, s)
		// Every Thai cluster boundary is a place a reader could see a
		// split; a break must also never come before a mark.
		for _, b := range d.Breaks(s) {
			r, _ := utf8.DecodeRuneInString(s[b:])
			if isThaiMark(r) || isFollowing(r) && r != 0x0E2F {
				t.Errorf("Breaks(%q) puts %q at the start of a line", s, s[b:])
			}
		}
	}
}

func FuzzBreaks(f *testing.F) {
	d := mustDefault(f)
	for _, s := range readSamples(f) {
		f.Add(s)
	}
	f.Add("ก\u0301ี เ\xffก")
	f.Add("\u0e33\u0e48ก")
	f.Fuzz(func(t *testing.T, s string) {
		checkBreaks(t, d, s)
	})
}

func BenchmarkBreaksAddress(b *testing.B) {
	d := mustDefault(b)
	var addrs []string
	for _, s := range readSamples(b) {
		if strings.Contains(s, "หมู่") {
			addrs = append(addrs, s)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, s := range addrs {
			d.Breaks(s)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(addrs)), "ns/address")
}
