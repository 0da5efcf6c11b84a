package daemon

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/labelbridge/labelbridge"
)

func zplPrinter(name string) (labelbridge.Language, bool) {
	return labelbridge.ZPL, name == "label-1"
}

// FuzzDecodeJob feeds arbitrary bytes to the job decoder: it must never
// panic, every refusal must carry a protocol code, invalid_request must name
// a field, and what it accepts must be within the limits.
func FuzzDecodeJob(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "jobs", "*.json"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	lim := Limits{MaxFrameBytes: 1 << 20, MaxJobBytes: 1 << 20, MaxDocuments: 50}
	f.Fuzz(func(t *testing.T, data []byte) {
		job, err := decodeJob(data, "job", lim, zplPrinter, nil)
		if err != nil {
			code := labelbridge.ErrorCode(err)
			if code == labelbridge.CodeInternal {
				t.Fatalf("decode error without a protocol code: %v", err)
			}
			if code == labelbridge.CodeInvalidRequest && labelbridge.ErrorPath(err) == "" {
				t.Fatalf("invalid_request without a path: %v", err)
			}
			return
		}
		if job.Printer != "label-1" || len(job.Documents) == 0 || len(job.Documents) > lim.MaxDocuments || job.Copies < 1 {
			t.Fatalf("accepted an out-of-bounds job: %+v", job)
		}
		for _, d := range job.Documents {
			if d.Kind == labelbridge.KindRaw && (len(d.Content) == 0 || d.Language != labelbridge.ZPL) {
				t.Fatalf("accepted a bad raw document: %+v", d)
			}
		}
	})
}

func TestDecodeSeedJobs(t *testing.T) {
	lim := Limits{MaxFrameBytes: 1 << 20, MaxJobBytes: 1 << 20}
	cases := []struct {
		file, code, path string
	}{
		{"raw.json", "", ""},
		{"label.json", "", ""},
		{"picklist.json", "", ""},
		{"bad.json", "invalid_request", "job.documents[0].content"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "jobs", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			_, err = decodeJob(data, "job", lim, zplPrinter, nil)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if string(labelbridge.ErrorCode(err)) != tc.code || labelbridge.ErrorPath(err) != tc.path {
				t.Fatalf("err %v (path %q), want %s at %s", err, labelbridge.ErrorPath(err), tc.code, tc.path)
			}
		})
	}
}
