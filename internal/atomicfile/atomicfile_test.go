package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteReplacesWhole checks the written bytes, the mode, and that a
// failing fill leaves the old file and no temporary file behind.
func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	require.NoError(t, WriteFile(p, []byte("old")))
	fail := errors.New("disk on fire")
	err := Write(p, func(w io.Writer) error {
		w.Write([]byte("half of the new"))
		return fail
	})
	require.ErrorIs(t, err, fail, "Write should return the fill error")
	b, _ := os.ReadFile(p)
	require.Equal(t, "old", string(b), "after a failed write")
	require.NoError(t, WriteFile(p, []byte("new")))
	b, _ = os.ReadFile(p)
	fi, err := os.Stat(p)
	require.NoError(t, err)
	assert.Equal(t, "new", string(b))
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "directory should hold only the file (no temporaries)")
}

// TestWriteMissingDir checks that the error names the directory.
func TestWriteMissingDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "such", "f")
	assert.ErrorContains(t, WriteFile(p, nil), filepath.Join("no", "such"), "WriteFile into a missing directory")
}
