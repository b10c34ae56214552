package torchbin

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deflatedPickle returns a torch.save-like archive whose data.pkl is size
// bytes of zeros, deflated (a few kilobytes per 32 MiB).
func deflatedPickle(t *testing.T, size int) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	fw, err := w.CreateHeader(&zip.FileHeader{Name: "archive/data.pkl", Method: zip.Deflate})
	require.NoError(t, err)
	chunk := make([]byte, 1<<20)
	for n := 0; n < size; n += len(chunk) {
		_, err := fw.Write(chunk[:min(len(chunk), size-n)])
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return b.Bytes()
}

// TestPickleBomb: a deflated data.pkl over the limit is refused from its
// declared size, and, when the archive lies about that size, once the limit
// has been inflated.
func TestPickleBomb(t *testing.T) {
	bomb := deflatedPickle(t, 32<<20)
	_, err := NewReader(bytes.NewReader(bomb), int64(len(bomb)), "bomb.bin")
	assert.EqualError(t, err, "torchbin: bomb.bin: archive/data.pkl: 33554432 bytes exceeds the 16777216-byte limit")

	// Declare 100 bytes in the central directory (uncompressed size at
	// offset 24 of the central header, signature PK\x01\x02).
	lying := bytes.Clone(bomb)
	cd := bytes.LastIndex(lying, []byte("PK\x01\x02"))
	require.GreaterOrEqual(t, cd, 0)
	binary.LittleEndian.PutUint32(lying[cd+24:], 100)
	_, err = NewReader(bytes.NewReader(lying), int64(len(lying)), "lying.bin")
	assert.EqualError(t, err, "torchbin: lying.bin: archive/data.pkl: inflates to more than the 100 bytes its archive header declares: zip: not a valid zip file")
}

// TestDeepPickle: a pickle nesting 2M lists is refused by the scan, before
// the unpickler builds anything, with a short error.
func TestDeepPickle(t *testing.T) {
	const n = 2_000_000
	for name, p := range map[string]string{
		"empty lists": "\x80\x02" + strings.Repeat("]", n) + strings.Repeat("a", n-1) + ".",
		"marks":       "\x80\x02" + strings.Repeat("(", n) + strings.Repeat("l", n) + ".",
	} {
		file := archive(entry{"archive/data.pkl", []byte(p), zip.Store})
		_, err := NewReader(bytes.NewReader(file), int64(len(file)), "deep.bin")
		require.Error(t, err, name)
		assert.Equal(t, "torchbin: deep.bin: archive/data.pkl: pickle: nesting deeper than 100000 stack items at byte 100002; a state dict needs about 2000", err.Error(), name)
	}
	many := "\x80\x02]" + strings.Repeat("Na", maxPickleOps) + "."
	file := archive(entry{"archive/data.pkl", []byte(many), zip.Store})
	_, err := NewReader(bytes.NewReader(file), int64(len(file)), "many.bin")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pickle: more than 1048576 opcodes")
}

// TestLongErrorsClipped: a value quoted in an error is cut to about 200
// bytes, however large it is in the pickle.
func TestLongErrorsClipped(t *testing.T) {
	long := strings.Repeat("x", 10<<20)
	for name, p := range map[string]string{
		"global":        "\x80\x02c" + long + "\nname\n.",
		"persistent id": "\x80\x02}(" + pkStr("w") + pkStr(long) + "Qu.",
		"key":           "\x80\x02}(" + "(" + pkStr(long) + "t" + "Nu.",
	} {
		file := archive(entry{"archive/data.pkl", []byte(p), zip.Store})
		_, err := NewReader(bytes.NewReader(file), int64(len(file)), "long.bin")
		require.Error(t, err, name)
		assert.Less(t, len(err.Error()), 400, "%s: %.500s", name, err)
		assert.Contains(t, err.Error(), "torchbin: long.bin: archive/data.pkl: ", name)
	}
}

// TestOpenRefusesFIFO: a named pipe is refused without blocking.
func TestOpenRefusesFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pytorch_model.bin")
	require.NoError(t, syscall.Mkfifo(p, 0o644))
	_, err := Open(p)
	assert.EqualError(t, err, "torchbin: "+p+" is a named pipe (FIFO), not a regular file")
	_, err = Open(filepath.Dir(p))
	assert.EqualError(t, err, "torchbin: "+filepath.Dir(p)+" is a directory, not a regular file")
	_, err = Open(filepath.Join(filepath.Dir(p), "absent"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestManyEntries: an archive declaring more than maxArchiveEntries entries
// is refused from its end record, before archive/zip reads them; zip64
// records are read too.
func TestManyEntries(t *testing.T) {
	for _, n := range []int{maxArchiveEntries + 1, 70_000} { // 70000 > 65535: a zip64 end record
		var b bytes.Buffer
		w := zip.NewWriter(&b)
		for i := range n {
			_, err := w.CreateHeader(&zip.FileHeader{Name: "a/" + strconv.Itoa(i), Method: zip.Store})
			require.NoError(t, err)
		}
		require.NoError(t, w.Close())
		got, ok := archiveEntries(bytes.NewReader(b.Bytes()), int64(b.Len()))
		require.True(t, ok, "%d entries: no end record found", n)
		assert.EqualValues(t, n, got)
		_, err := NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()), "many.bin")
		if n > maxArchiveEntries {
			assert.EqualError(t, err, "torchbin: many.bin: archive declares 131073 entries, more than the 131072 a checkpoint may have (torch.save writes one per storage)")
		} else {
			assert.ErrorContains(t, err, "archive has no data.pkl")
		}
	}
	n, ok := archiveEntries(bytes.NewReader([]byte("not a zip")), 9)
	assert.False(t, ok)
	assert.Zero(t, n)
}
