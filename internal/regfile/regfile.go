// Package regfile opens files for reading only when they are regular files,
// so that a named pipe, device or directory given where a data file is
// expected is refused with an error instead of blocking (opening a FIFO for
// reading waits for a writer) or reading without end (/dev/zero).
package regfile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Check returns an error naming path when it is not a regular file (after
// following symbolic links), saying what it is instead. A path that does not
// exist gives the os.Stat error, which wraps fs.ErrNotExist.
func Check(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return regular(path, fi)
}

// Open opens path for reading after checking that it is a regular file, and
// checks again on the opened file (the path may have been replaced between
// the two). It opens with O_NONBLOCK, which regular files ignore, so that
// even a named pipe swapped in after the first check cannot block the open.
// The caller must Close the file.
func Open(path string) (*os.File, error) {
	if err := Check(path); err != nil {
		return nil, err
	}
	return openRegular(path)
}

// openRegular opens path without blocking and returns it if it is a regular
// file.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = regular(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads the regular file at path, refusing one larger than limit
// bytes with an error naming path, its size and the limit.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes exceeds the %d-byte limit for this file", path, fi.Size(), limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > limit { // grew while being read
		return nil, fmt.Errorf("%s: more than the %d-byte limit for this file", path, limit)
	}
	return b, nil
}

// regular returns nil for a regular file and an error naming path and its
// kind otherwise.
func regular(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("%s is %s, not a regular file", path, kind)
}
