//go:build !linux && !darwin

package bundle

// exchange reports false: this system has no one-step exchange of two
// names that Go reaches, so swapIn moves the old copy aside first.
func exchange(_, _ string) (bool, error) { return false, nil }
