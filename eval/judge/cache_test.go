package judge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		if prev, dup := keys[k]; dup {
			t.Errorf("CacheKey%q collides with %s", f, prev)
		}
		keys[k] = strings.Join(f[:], "|")
	}
	if CacheKey("j", "p", "a", "b") != CacheKey("j", "p", "a", "b") {
		t.Error("CacheKey is not deterministic")
	}
}

// TestCacheFileRoundTrip writes verdicts, reopens the file, and expects them
// back; appending must keep earlier lines.
func TestCacheFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verdicts.jsonl")
	c, err := OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]Verdict{"k1": A, "k2": B, "k3": Tie} {
		if err := c.Put(k, "judge-x", v); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Put("k1", "judge-x", A); err != nil { // unchanged: not written again
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Put("k4", "judge-x", B); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c, err = OpenCache(path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for k, want := range map[string]Verdict{"k1": A, "k2": B, "k3": Tie, "k4": B} {
		if v, ok := c.Get(k); !ok || v != want {
			t.Errorf("Get(%s) = %v, %v; want %v", k, v, ok, want)
		}
	}
	data, _ := os.ReadFile(path)
	if n := strings.Count(string(data), "\n"); n != 4 {
		t.Errorf("file has %d lines, want 4 (one per new verdict):\n%s", n, data)
	}
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
			os.WriteFile(path, []byte(c.content), 0o644)
			_, err := OpenCache(path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("OpenCache error %v, want one naming %s", err, c.want)
			}
		})
	}
}

func TestMemoryCache(t *testing.T) {
	c := NewCache()
	if _, ok := c.Get("x"); ok {
		t.Error("empty cache hit")
	}
	if err := c.Put("x", "j", Tie); err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Get("x"); !ok || v != Tie || c.Len() != 1 {
		t.Errorf("Get = %v, %v, Len %d; want Tie, true, 1", v, ok, c.Len())
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
}
