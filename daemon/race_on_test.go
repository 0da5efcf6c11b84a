//go:build race

package daemon_test

// raceEnabled scales the load tests down under the race detector, which
// slows this code about tenfold; scripts/test runs them at full size
// without it.
const raceEnabled = true
