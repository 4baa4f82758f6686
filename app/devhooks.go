//go:build !dev

package app

// devServices binds nothing outside the dev build (see devhooks_dev.go).
func devServices(*core) []any { return nil }
