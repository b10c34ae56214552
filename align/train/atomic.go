package train

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/daalab/daa/internal/atomicfile"
)

// writeFileAtomic writes data to path atomically, also across a crash (see
// internal/atomicfile).
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// tempPrefix starts the names of directories being written in the output
// directory; Resume removes leftovers of a crash.
const tempPrefix = ".tmp-"

// writeDirAtomic creates the directory parent/name with the files fill
// writes into an empty directory: fill writes into a temporary directory
// parent/.tmp-name-*, every file and directory in it is fsynced, and it is
// renamed to parent/name (replacing a directory of that name, which must
// not be one a reader relies on) and parent is fsynced. A crash leaves either
// no parent/name or a complete one, plus at worst a temporary directory.
func writeDirAtomic(parent, name string, fill func(dir string) error) (err error) {
	tmp, err := os.MkdirTemp(parent, tempPrefix+name+"-")
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := fill(tmp); err != nil {
		return err
	}
	if err := syncTree(tmp); err != nil {
		return fmt.Errorf("train: syncing %s: %w", tmp, err)
	}
	final := filepath.Join(parent, name)
	if err := os.RemoveAll(final); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return syncDir(parent)
}

// syncTree fsyncs every file under dir, then every directory, deepest
// first (WalkDir visits a directory before its contents, so the directories
// are collected and synced in reverse).
func syncTree(dir string) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, path)
			return nil
		}
		return syncFile(path)
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := syncDir(dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir fsyncs a directory so that renames in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("train: syncing directory %s: %w", dir, err)
	}
	return nil
}
