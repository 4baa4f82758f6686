package syncclient

import (
	"testing"

	"switchboard/internal/testdir"
)

// tempDir is testdir.New: a temporary directory that also works under Wine.
func tempDir(t *testing.T) string { return testdir.New(t) }
