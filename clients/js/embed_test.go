package js

import (
	"bytes"
	"os"
	"testing"
)

func TestSource(t *testing.T) {
	want, err := os.ReadFile("labelbridge.js")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("IsTheFile", func(t *testing.T) {
		if got := Source(); !bytes.Equal(got, want) {
			t.Errorf("Source() is %d bytes, want labelbridge.js's %d", len(got), len(want))
		}
	})
	t.Run("CopiesAreIndependent", func(t *testing.T) {
		first := Source()
		first[0] ^= 0xff
		if got := Source(); !bytes.Equal(got, want) {
			t.Error("changing one Source() result changed the next")
		}
	})
	t.Run("IsAnESModule", func(t *testing.T) {
		for _, export := range []string{"export function connect(", "export class LabelbridgeError "} {
			if !bytes.Contains(want, []byte(export)) {
				t.Errorf("labelbridge.js has no %q", export)
			}
		}
	})
}
