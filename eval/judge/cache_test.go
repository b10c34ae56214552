package judge

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheKeyDistinguishesFields(t *testing.T) {
	keys := map[string]string{}
	for _, f := range [][4]string{
		{"j", "p", "ab", "c"},
		{"j", "p", "a", "bc"}, // same concatenation, different split
		{"j", "p", "c", "ab"}, // order presented matters
		{"k", "p", "ab", "c"},
		{"j", "q", "ab", "c"},
	} {
		k := CacheKey(f[0], f[1], f[2], f[3])
		assert.NotContains(t, keys, k, "CacheKey%q collides", f)
		keys[k] = strings.Join(f[:], "|")
	}
	assert.Equal(t, CacheKey("j", "p", "a", "b"), CacheKey("j", "p", "a", "b"), "CacheKey is not deterministic")
}

// TestCacheFileRoundTrip writes verdicts, reopens the file, and expects them
// back; appending must keep earlier lines.
func TestCacheFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verdicts.jsonl")
	c, err := OpenCache(path)
	require.NoError(t, err)
	for k, v := range map[string]Verdict{"k1": A, "k2": B, "k3": Tie} {
		require.NoError(t, c.Put(k, "judge-x", v))
	}
	require.NoError(t, c.Put("k1", "judge-x", A)) // unchanged: not written again
	require.NoError(t, c.Close())
	c, err = OpenCache(path)
	require.NoError(t, err)
	require.NoError(t, c.Put("k4", "judge-x", B))
	require.NoError(t, c.Close())
	c, err = OpenCache(path)
	require.NoError(t, err)
	defer c.Close()
	for k, want := range map[string]Verdict{"k1": A, "k2": B, "k3": Tie, "k4": B} {
		v, ok := c.Get(k)
		assert.True(t, ok, "Get(%s)", k)
		assert.Equal(t, want, v, "Get(%s)", k)
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, 4, strings.Count(string(data), "\n"), "one line per new verdict:\n%s", data)
}

func TestOpenCacheBadLines(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"not json", "{\"key\":\"a\",\"verdict\":\"A\"}\n\nnot json\n", "verdicts.jsonl:3"},
		{"bad verdict", "{\"key\":\"a\",\"verdict\":\"C\"}\n", "verdicts.jsonl:1"},
		{"no key", "{\"verdict\":\"A\"}\n", "verdicts.jsonl:1"},
		{"truncated last line", "{\"key\":\"a\",\"verdict\":\"A\"}\n{\"key\":\"b\",\"ver", "verdicts.jsonl:2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "verdicts.jsonl")
			require.NoError(t, os.WriteFile(path, []byte(c.content), 0o644))
			_, err := OpenCache(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	fifo := filepath.Join(t.TempDir(), "verdicts.jsonl")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	_, err := OpenCache(fifo) // would block opening the FIFO
	assert.EqualError(t, err, "judge: verdict cache: "+fifo+" is a named pipe (FIFO), not a regular file")
}

func TestMemoryCache(t *testing.T) {
	c := NewCache()
	_, ok := c.Get("x")
	assert.False(t, ok, "empty cache hit")
	require.NoError(t, c.Put("x", "j", Tie))
	v, ok := c.Get("x")
	assert.True(t, ok)
	assert.Equal(t, Tie, v)
	assert.Equal(t, 1, c.Len())
	assert.NoError(t, c.Close())
}
