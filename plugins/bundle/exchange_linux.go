package bundle

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps the names a and b in one step (renameat2 with
// RENAME_EXCHANGE). It reports false, and changes nothing, where the
// kernel or the file system cannot (before Linux 3.15, some network and
// FUSE file systems).
func exchange(a, b string) (bool, error) {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		return false, nil
	}
	return false, err
}
