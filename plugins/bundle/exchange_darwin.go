package bundle

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps the names a and b in one step (renamex_np with
// RENAME_SWAP). It reports false, and changes nothing, where the file
// system cannot.
func exchange(a, b string) (bool, error) {
	err := unix.RenamexNp(a, b, unix.RENAME_SWAP)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOTSUP):
		return false, nil
	}
	return false, err
}
