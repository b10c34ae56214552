package regfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "model.safetensors")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	cases := []struct{ path, want string }{
		{fifo, fifo + " is a named pipe (FIFO), not a regular file"},
		{dir, dir + " is a directory, not a regular file"},
		{"/dev/zero", "/dev/zero is a character device, not a regular file"},
	}
	for _, c := range cases {
		f, err := Open(c.path) // a FIFO would block here if it were opened
		assert.Nil(t, f, c.path)
		assert.EqualError(t, err, c.want)
		_, err = ReadFile(c.path, 1<<20)
		assert.EqualError(t, err, c.want)
	}
	_, err := Open(filepath.Join(dir, "absent"))
	assert.True(t, errors.Is(err, fs.ErrNotExist), "%v", err)
}

func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.json")
	require.NoError(t, os.WriteFile(p, []byte("0123456789"), 0o644))
	b, err := ReadFile(p, 10)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(b))
	_, err = ReadFile(p, 9)
	assert.EqualError(t, err, p+": 10 bytes exceeds the 9-byte limit for this file")
}

// TestOpenRechecksWithoutBlocking: the open itself does not block on a FIFO
// (as if one replaced the file after Check) and the second check refuses it.
func TestOpenRechecksWithoutBlocking(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "swapped")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	done := make(chan error, 1)
	go func() {
		f, err := openRegular(fifo)
		if f != nil {
			f.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		assert.EqualError(t, err, fifo+" is a named pipe (FIFO), not a regular file")
	case <-time.After(10 * time.Second):
		t.Fatal("opening a FIFO blocked")
	}
}
