package torchbin

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// readEverything opens file and reads every tensor every way; it must not
// panic, whatever the input.
func readEverything(t *testing.T, file []byte) {
	f, err := NewReader(bytes.NewReader(file), int64(len(file)), "fuzz.bin")
	if err != nil {
		return
	}
	for _, name := range f.Names() {
		info, err := f.Info(name)
		require.NoError(t, err, "Info(%q) of a listed tensor", name)
		raw, err := f.Raw(name)
		if err == nil {
			require.Len(t, raw, info.NumElements()*info.DType.Size(), "Raw(%q)", name)
		}
		f.Float32(name)
		f.Float64(name)
		f.Int64(name)
	}
}

// FuzzOpen feeds arbitrary files to NewReader, seeded with the torch.save
// test files and the corrupt archives.
func FuzzOpen(f *testing.F) {
	for _, name := range []string{"testdata/state.pt", "testdata/legacy.pt"} {
		b, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(b)
	}
	for _, c := range corruptArchives {
		f.Add(c.file)
	}
	f.Fuzz(readEverything)
}

// FuzzPickle puts arbitrary bytes in place of data.pkl in the archive of
// testdata/state.pt (whose storages stay), so the fuzzer works on the pickle
// rather than on the zip structure. Seeded with the real data.pkl.
func FuzzPickle(f *testing.F) {
	b, err := os.ReadFile("testdata/state.pt")
	require.NoError(f, err)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	require.NoError(f, err)
	var entries []entry
	for _, e := range zr.File {
		rc, _ := e.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if e.Name == "state/data.pkl" {
			f.Add(data)
			continue
		}
		entries = append(entries, entry{"archive/" + e.Name[len("state/"):], data, zip.Store})
	}
	for _, c := range corruptArchives {
		if zr, err := zip.NewReader(bytes.NewReader(c.file), int64(len(c.file))); err == nil {
			for _, e := range zr.File {
				if e.Name == "archive/data.pkl" {
					rc, _ := e.Open()
					data, _ := io.ReadAll(rc)
					rc.Close()
					f.Add(data)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, pickle []byte) {
		readEverything(t, archive(append([]entry{{"archive/data.pkl", pickle, zip.Store}}, entries...)...))
	})
}
