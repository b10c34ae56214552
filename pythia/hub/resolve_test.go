package hub

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseID checks model id parsing against the hub's naming rules.
func TestParseID(t *testing.T) {
	cases := []struct {
		id, repo, rev string
		ok            bool
	}{
		{"EleutherAI/pythia-70m", "EleutherAI/pythia-70m", "main", true},
		{"EleutherAI/pythia-70m@step3000", "EleutherAI/pythia-70m", "step3000", true},
		{"gpt2", "gpt2", "main", true},
		{"org/m@refs/pr/1", "org/m", "refs/pr/1", true},
		{"org/m@" + shaMain, "org/m", shaMain, true},
		{"", "", "", false},
		{"a/b/c", "", "", false},
		{"org/", "", "", false},
		{"org/m@", "", "", false},
		{"org/m@../../x", "", "", false},
		{"org/..", "", "", false},
		{"org/m n", "", "", false},
	}
	for _, c := range cases {
		repo, rev, err := ParseID(c.id)
		if c.ok {
			assert.NoError(t, err, "ParseID(%q)", c.id)
		} else {
			assert.Error(t, err, "ParseID(%q)", c.id)
		}
		assert.Equal(t, [2]string{c.repo, c.rev}, [2]string{repo, rev}, "ParseID(%q): repo and revision", c.id)
	}
}

// TestCacheDir checks the environment precedence huggingface_hub uses.
func TestCacheDir(t *testing.T) {
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_HOME", "")
	t.Setenv("HOME", "/home/u")
	d, _ := CacheDir()
	assert.Equal(t, "/home/u/.cache/huggingface/hub", d, "default CacheDir")
	t.Setenv("HF_HOME", "/data/hf")
	d, _ = CacheDir()
	assert.Equal(t, "/data/hf/hub", d, "CacheDir with HF_HOME")
	t.Setenv("HF_HUB_CACHE", "/fast/cache")
	d, _ = CacheDir()
	assert.Equal(t, "/fast/cache", d, "CacheDir with HF_HUB_CACHE")
}

// TestResolve builds cache layouts by hand (as huggingface_hub writes them)
// and checks Resolve's answers and error messages.
func TestResolve(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("HF_HUB_CACHE", cache)
	repoDir := filepath.Join(cache, "models--EleutherAI--pythia-70m")
	os.MkdirAll(filepath.Join(repoDir, "snapshots", shaMain), 0o755)
	os.MkdirAll(filepath.Join(repoDir, "refs", "refs", "pr"), 0o755)
	os.WriteFile(filepath.Join(repoDir, "refs", "main"), []byte(shaMain+"\n"), 0o644)
	os.WriteFile(filepath.Join(repoDir, "refs", "step3000"), []byte(shaStep), 0o644)
	os.WriteFile(filepath.Join(repoDir, "refs", "refs", "pr", "1"), []byte(shaMain), 0o644)
	os.WriteFile(filepath.Join(repoDir, "refs", "broken"), []byte("not a sha"), 0o644)
	snapshot := filepath.Join(repoDir, "snapshots", shaMain)
	cases := []struct {
		id, want, errPart string
	}{
		{"EleutherAI/pythia-70m", snapshot, ""},
		{"EleutherAI/pythia-70m@refs/pr/1", snapshot, ""},
		{"EleutherAI/pythia-70m@" + shaMain, snapshot, ""},
		{"EleutherAI/pythia-70m@step3000", "", "snapshot " + filepath.Join(repoDir, "snapshots", shaStep) + " does not exist"},
		{"EleutherAI/pythia-70m@" + shaStep, "", "does not exist"},
		{"EleutherAI/pythia-70m@step1", "", filepath.Join(repoDir, "refs", "step1") + " does not exist; download it with hub.Download"},
		{"EleutherAI/pythia-160m", "", "models--EleutherAI--pythia-160m"},
		{"EleutherAI/pythia-70m@broken", "", `holds "not a sha", not a commit sha`},
	}
	for _, c := range cases {
		got, err := Resolve(c.id)
		if c.errPart != "" {
			assert.ErrorContains(t, err, c.errPart, "Resolve(%q)", c.id)
		} else if assert.NoError(t, err, "Resolve(%q)", c.id) {
			assert.Equal(t, c.want, got, "Resolve(%q)", c.id)
		}
	}
}

// TestLinkSnapshot checks that a snapshot entry is replaced atomically by a
// relative symlink and that the copy fallback copies the bytes.
func TestLinkSnapshot(t *testing.T) {
	dir := t.TempDir()
	blob := filepath.Join(dir, "blobs", "abc")
	os.MkdirAll(filepath.Dir(blob), 0o755)
	os.WriteFile(blob, []byte("content"), 0o644)
	link := filepath.Join(dir, "snapshots", "sha", "sub", "file.json")
	os.MkdirAll(filepath.Dir(link), 0o755)
	os.WriteFile(link, []byte("stale"), 0o644)
	require.NoError(t, linkSnapshot(link, blob))
	target, err := os.Readlink(link)
	if assert.NoError(t, err) {
		assert.Equal(t, filepath.Join("..", "..", "..", "blobs", "abc"), target, "link target")
	}
	dst := filepath.Join(dir, "copy")
	require.NoError(t, copyFile(dst, blob))
	b, _ := os.ReadFile(dst)
	assert.Equal(t, "content", string(b), "copy")
}
