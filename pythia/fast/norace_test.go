//go:build !race

package fast

// raceEnabled reports a build with the race detector.
const raceEnabled = false
