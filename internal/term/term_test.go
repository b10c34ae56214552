package term

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	require.NoError(t, err)
	defer f.Close()
	for _, c := range []struct {
		name string
		w    any
		want bool
	}{{"buffer", &bytes.Buffer{}, false}, {"regular file", f, false}} {
		got := IsTerminal(c.w.(interface{ Write([]byte) (int, error) }))
		assert.Equal(t, c.want, got, "%s: IsTerminal", c.name)
	}
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		defer null.Close()
		assert.True(t, IsTerminal(null), "%s is a character device", os.DevNull)
	}
}
