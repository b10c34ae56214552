//go:build race

package kernel

// raceEnabled reports a build with the race detector, whose sync.Pool drops
// pooled buffers at random (so allocation counts mean nothing).
const raceEnabled = true
