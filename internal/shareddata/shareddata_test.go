package shareddata

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDirFromEnv(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("DAA_SHARED", tmp)
	d, ok := Dir()
	require.True(t, ok, "Dir() with DAA_SHARED set to an existing folder")
	assert.Equal(t, tmp, d)
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "x.txt"), nil, 0o644))
	assert.Equal(t, filepath.Join(tmp, "x.txt"), Path(t, "x.txt"))
	t.Setenv("DAA_SHARED", filepath.Join(tmp, "missing"))
	_, ok = Dir()
	assert.False(t, ok, "Dir() reports a missing folder as present")
}

// skipRecorder is a testing.TB whose Skipf records the message and ends
// the goroutine, as the real Skipf does.
type skipRecorder struct {
	testing.TB
	msg string
}

func (r *skipRecorder) Helper() {}

func (r *skipRecorder) Skipf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// skipMessage runs Path(rel...) on a skipRecorder and returns its skip
// message ("" if it did not skip).
func skipMessage(rel ...string) string {
	r := &skipRecorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Path(r, rel...)
	}()
	<-done
	return r.msg
}

// TestPathSkipNamesDAAShared checks that both skips (missing folder,
// missing file) name the folder or file and say how to supply the data.
func TestPathSkipNamesDAAShared(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nonexistent")
	t.Setenv("DAA_SHARED", missing)
	msg := skipMessage("x.txt")
	assert.Contains(t, msg, missing)
	assert.Contains(t, msg, "DAA_SHARED=")
	assert.Contains(t, msg, "../shared")

	tmp := t.TempDir()
	t.Setenv("DAA_SHARED", tmp)
	msg = skipMessage("absent.json")
	assert.Contains(t, msg, filepath.Join(tmp, "absent.json"))
	assert.Contains(t, msg, "DAA_SHARED=")
}
