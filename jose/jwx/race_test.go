//go:build race

package jwx_test

const raceEnabled = true
