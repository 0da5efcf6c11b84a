//go:build race

package main

// raceEnabled scales the long batches down under the race detector, which
// slows this code about tenfold; scripts/test runs them at full size
// without it.
const raceEnabled = true
