package safetensors

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenRefusesNonRegular: a named pipe or a directory where a checkpoint
// file is expected is refused with an error naming it, without blocking.
func TestOpenRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, SingleFileName)
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	_, err := Open(fifo)
	assert.EqualError(t, err, "safetensors: "+fifo+" is a named pipe (FIFO), not a regular file")
	_, err = OpenDir(dir)
	assert.EqualError(t, err, "safetensors: "+fifo+" is a named pipe (FIFO), not a regular file")
	_, err = Open(dir)
	assert.EqualError(t, err, "safetensors: "+dir+" is a directory, not a regular file")

	// A sharded index naming a FIFO shard, and an index that is a FIFO.
	sharded := t.TempDir()
	index := filepath.Join(sharded, IndexFileName)
	require.NoError(t, os.WriteFile(index, []byte(`{"weight_map": {"w": "a.safetensors"}}`), 0o644))
	require.NoError(t, syscall.Mkfifo(filepath.Join(sharded, "a.safetensors"), 0o644))
	_, err = OpenDir(sharded)
	require.Error(t, err)
	assert.Contains(t, err.Error(), index+`: shard "a.safetensors": `)
	assert.Contains(t, err.Error(), "is a named pipe (FIFO)")
	require.NoError(t, os.Remove(index))
	require.NoError(t, syscall.Mkfifo(index, 0o644))
	_, err = OpenDir(sharded)
	assert.EqualError(t, err, "safetensors: "+index+" is a named pipe (FIFO), not a regular file")
}
