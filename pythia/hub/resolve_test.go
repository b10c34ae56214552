package hub

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		if (err == nil) != c.ok || repo != c.repo || rev != c.rev {
			t.Errorf("ParseID(%q) = %q, %q, %v; want %q, %q, ok=%v", c.id, repo, rev, err, c.repo, c.rev, c.ok)
		}
	}
}

// TestCacheDir checks the environment precedence huggingface_hub uses.
func TestCacheDir(t *testing.T) {
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, _ := CacheDir(); d != "/home/u/.cache/huggingface/hub" {
		t.Errorf("default CacheDir = %s", d)
	}
	t.Setenv("HF_HOME", "/data/hf")
	if d, _ := CacheDir(); d != "/data/hf/hub" {
		t.Errorf("CacheDir with HF_HOME = %s", d)
	}
	t.Setenv("HF_HUB_CACHE", "/fast/cache")
	if d, _ := CacheDir(); d != "/fast/cache" {
		t.Errorf("CacheDir with HF_HUB_CACHE = %s", d)
	}
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
		if c.errPart == "" && (err != nil || got != c.want) {
			t.Errorf("Resolve(%q) = %s, %v; want %s", c.id, got, err, c.want)
		}
		if c.errPart != "" && (err == nil || !strings.Contains(err.Error(), c.errPart)) {
			t.Errorf("Resolve(%q): err = %v, want it to contain %q", c.id, err, c.errPart)
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
	if err := linkSnapshot(link, blob); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(link); err != nil || target != filepath.Join("..", "..", "..", "blobs", "abc") {
		t.Errorf("link target %q, %v", target, err)
	}
	dst := filepath.Join(dir, "copy")
	if err := copyFile(dst, blob); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "content" {
		t.Errorf("copy holds %q", b)
	}
}
