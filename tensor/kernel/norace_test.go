//go:build !race

package kernel

// raceEnabled reports a build with the race detector.
const raceEnabled = false
