package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteReplacesWhole checks the written bytes, the mode, and that a
// failing fill leaves the old file and no temporary file behind.
func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	if err := WriteFile(p, []byte("old")); err != nil {
		t.Fatal(err)
	}
	fail := errors.New("disk on fire")
	err := Write(p, func(w io.Writer) error {
		w.Write([]byte("half of the new"))
		return fail
	})
	if !errors.Is(err, fail) {
		t.Fatalf("Write returned %v, want the fill error", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Fatalf("after a failed write the file holds %q, want %q", b, "old")
	}
	if err := WriteFile(p, []byte("new")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Fatalf("file %q mode %v, want \"new\" 0644", b, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the file (no temporaries)", len(entries))
	}
}

// TestWriteMissingDir checks that the error names the directory.
func TestWriteMissingDir(t *testing.T) {
	p := filepath.Join(t.TempDir(), "no", "such", "f")
	err := WriteFile(p, nil)
	if err == nil || !strings.Contains(err.Error(), filepath.Join("no", "such")) {
		t.Fatalf("WriteFile into a missing directory: %v", err)
	}
}
