//go:build !purego

package fast

// puregoBuild reports the purego build tag (precision_purego_test.go).
const puregoBuild = false
