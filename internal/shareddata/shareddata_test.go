package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirFromEnv(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("DAA_SHARED", tmp)
	d, ok := Dir()
	if !ok || d != tmp {
		t.Fatalf("Dir() = %q, %v; want %q, true", d, ok, tmp)
	}
	if err := os.WriteFile(filepath.Join(tmp, "x.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if p := Path(t, "x.txt"); p != filepath.Join(tmp, "x.txt") {
		t.Fatalf("Path = %q", p)
	}
	t.Setenv("DAA_SHARED", filepath.Join(tmp, "missing"))
	if _, ok := Dir(); ok {
		t.Fatal("Dir() reports a missing folder as present")
	}
}
