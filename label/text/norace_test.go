//go:build !race

package text

// raceDetector says the tests run under the race detector, which makes
// shaping some ten times slower: long tests take fewer samples.
const raceDetector = false
