package printertest

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// Recorder is a simulator whose received bytes a test can wait on.
type Recorder interface {
	Wait(ctx context.Context, cond func(received []byte) bool) error
	Bytes() []byte
}

// Received waits up to ten seconds for the simulator's bytes to satisfy
// cond, then returns them (what arrived, on timeout). A document counts as
// sent once written to the connection, so the simulator may still be
// reading it when the sender reports it done.
func Received(tb testing.TB, sim Recorder, cond func([]byte) bool) []byte {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sim.Wait(ctx, cond)
	return sim.Bytes()
}

// CountAtLeast is a Received condition: sub occurs at least n times.
func CountAtLeast(sub string, n int) func([]byte) bool {
	return func(b []byte) bool { return bytes.Count(b, []byte(sub)) >= n }
}

// LenAtLeast is a Received condition: at least n bytes arrived.
func LenAtLeast(n int) func([]byte) bool {
	return func(b []byte) bool { return len(b) >= n }
}
