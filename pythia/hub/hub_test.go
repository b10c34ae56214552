package hub

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daalab/daa/nn/safetensors"
)

const (
	shaMain = "1111111111111111111111111111111111111111"
	shaStep = "2222222222222222222222222222222222222222"
	shaShrd = "3333333333333333333333333333333333333333"
)

// modelBytes is a real safetensors file of n float32 values equal to seed.
func modelBytes(t *testing.T, n int, seed float32) []byte {
	t.Helper()
	v := make([]float32, n)
	for i := range v {
		v[i] = seed + float32(i)
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, []safetensors.Tensor{safetensors.Float32Tensor("w", []int{n}, v)}, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// shardBytes is a safetensors file holding one small tensor per name.
func shardBytes(t *testing.T, names ...string) []byte {
	t.Helper()
	var ts []safetensors.Tensor
	for i, name := range names {
		ts = append(ts, safetensors.Float32Tensor(name, []int{2}, []float32{float32(i), 1}))
	}
	var b bytes.Buffer
	if err := safetensors.Encode(&b, ts, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// setup returns a fake hub holding EleutherAI/pythia-tiny (main and
// step3000), a sharded repo and a private repo, and Options pointing at it
// with a fresh cache.
func setup(t *testing.T) (*fakeHub, Options) {
	h := newFakeHub(t)
	lfs := map[string]bool{"model.safetensors": true}
	h.addCommit("EleutherAI/pythia-tiny", shaMain, map[string][]byte{
		"config.json":       []byte(`{"model_type": "gpt_neox"}`),
		"tokenizer.json":    []byte(`{"version": "1.0"}`),
		"model.safetensors": modelBytes(t, 30000, 1),
		"README.md":         []byte("# tiny"),
	}, lfs, "main")
	h.addCommit("EleutherAI/pythia-tiny", shaStep, map[string][]byte{
		"config.json":       []byte(`{"model_type": "gpt_neox", "step": 3000}`),
		"model.safetensors": modelBytes(t, 100, 7),
	}, lfs, "step3000")
	h.addCommit("org/sharded", shaShrd, map[string][]byte{
		"config.json": []byte(`{}`),
		"model.safetensors.index.json": []byte(`{"metadata": {"total_size": 800}, "weight_map": {
			"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}}`),
		"model-00001-of-00002.safetensors": shardBytes(t, "a"),
		"model-00002-of-00002.safetensors": shardBytes(t, "b", "c"),
	}, map[string]bool{"model-00001-of-00002.safetensors": true, "model-00002-of-00002.safetensors": true}, "main")
	h.addCommit("org/private", shaMain, map[string][]byte{"config.json": []byte(`{}`), "model.safetensors": modelBytes(t, 10, 0)}, lfs, "main")
	h.private["org/private"] = true
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_TOKEN_PATH", filepath.Join(t.TempDir(), "no-token"))
	return h, Options{Endpoint: h.hub.URL, CacheDir: t.TempDir()}
}

// TestDownloadDefaultFiles downloads main, checks the cache layout
// (blobs named by etag, relative symlinks, refs/main), the content, and that
// Resolve finds it; a second Download fetches nothing from the CDN.
func TestDownloadDefaultFiles(t *testing.T) {
	h, opts := setup(t)
	var progress []string
	opts.Progress = func(file string, done, total int64) {
		if done == total {
			progress = append(progress, file)
		}
	}
	dir, err := Download(context.Background(), "EleutherAI/pythia-tiny", opts)
	if err != nil {
		t.Fatal(err)
	}
	repoDir := filepath.Join(opts.CacheDir, "models--EleutherAI--pythia-tiny")
	if dir != filepath.Join(repoDir, "snapshots", shaMain) {
		t.Errorf("dir = %s", dir)
	}
	model := modelBytes(t, 30000, 1)
	for file, want := range map[string][]byte{"config.json": []byte(`{"model_type": "gpt_neox"}`), "tokenizer.json": []byte(`{"version": "1.0"}`), "model.safetensors": model} {
		got, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, %v", file, len(got), err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err == nil {
		t.Error("README.md was downloaded but is not a default file")
	}
	link, err := os.Readlink(filepath.Join(dir, "model.safetensors"))
	if err != nil || link != filepath.Join("..", "..", "blobs", sha256Hex(model)) {
		t.Errorf("model.safetensors links to %q (%v), want ../../blobs/<sha256>", link, err)
	}
	if _, err := os.Stat(filepath.Join(repoDir, "blobs", gitBlobSHA1([]byte(`{"version": "1.0"}`)))); err != nil {
		t.Errorf("tokenizer.json blob is not named by its git blob sha1: %v", err)
	}
	if ref, _ := os.ReadFile(filepath.Join(repoDir, "refs", "main")); string(ref) != shaMain {
		t.Errorf("refs/main = %q", ref)
	}
	if len(progress) != 3 {
		t.Errorf("progress completed for %v, want 3 files", progress)
	}
	f, err := safetensors.Open(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	t.Setenv("HF_HUB_CACHE", opts.CacheDir)
	if got, err := Resolve("EleutherAI/pythia-tiny"); err != nil || got != dir {
		t.Errorf("Resolve = %s, %v; want %s", got, err, dir)
	}
	before := len(h.requests("/cdn/"))
	if _, err := Download(context.Background(), "EleutherAI/pythia-tiny", opts); err != nil {
		t.Fatal(err)
	}
	if after := len(h.requests("/cdn/")); after != before || len(h.requests("GET "+strings.TrimPrefix(h.hub.URL, "http://")+"/EleutherAI")) != 0 {
		t.Errorf("a second Download fetched content again (CDN requests %d -> %d)", before, after)
	}
}

// TestDownloadRevisions checks a branch other than main, a commit sha (no
// ref written), explicit file lists, and a renamed repository (redirects on
// the API and on HEAD).
func TestDownloadRevisions(t *testing.T) {
	h, opts := setup(t)
	ctx := context.Background()
	dir, err := Download(ctx, "EleutherAI/pythia-tiny@step3000", opts)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	if filepath.Base(dir) != shaStep || !strings.Contains(string(cfg), "3000") {
		t.Errorf("step3000 gave %s with config %s", dir, cfg)
	}
	repoDir := filepath.Join(opts.CacheDir, "models--EleutherAI--pythia-tiny")
	if ref, _ := os.ReadFile(filepath.Join(repoDir, "refs", "step3000")); string(ref) != shaStep {
		t.Errorf("refs/step3000 = %q", ref)
	}
	opts.Files = []string{"README.md"}
	dir, err = Download(ctx, "EleutherAI/pythia-tiny@"+shaMain, opts)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "README.md" {
		t.Errorf("explicit file list gave %v", entries)
	}
	if _, err := os.Stat(filepath.Join(repoDir, "refs", shaMain)); err == nil {
		t.Error("a ref file was written for a commit-sha revision")
	}
	opts.Files = nil
	h.renamed["OldOrg/old-name"] = "EleutherAI/pythia-tiny"
	if _, err := Download(ctx, "OldOrg/old-name", opts); err != nil {
		t.Errorf("renamed repository: %v", err)
	}
}

// TestDownloadSharded checks that an index brings its shards.
func TestDownloadSharded(t *testing.T) {
	_, opts := setup(t)
	dir, err := Download(context.Background(), "org/sharded", opts)
	if err != nil {
		t.Fatal(err)
	}
	s, err := safetensors.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{"a", "b", "c"} {
		if _, err := s.Info(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(s.Shards()) != 2 {
		t.Errorf("shards %v", s.Shards())
	}
}

// TestResumeAfterDroppedConnection: the CDN cuts the first transfer after
// 40000 bytes; Download retries with "Range: bytes=40000-" and succeeds.
func TestResumeAfterDroppedConnection(t *testing.T) {
	h, opts := setup(t)
	model := modelBytes(t, 30000, 1)
	h.dropAfter[sha256Hex(model)] = 40000
	dir, err := Download(context.Background(), "EleutherAI/pythia-tiny", opts)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if !bytes.Equal(got, model) {
		t.Error("resumed file differs")
	}
	gets := h.requests("GET " + strings.TrimPrefix(h.cdn.URL, "http://"))
	if len(gets) != 2 || !strings.Contains(gets[1], "range=bytes=40000-") {
		t.Errorf("CDN requests %q, want a full GET then a Range from byte 40000", gets)
	}
}

// TestResumeAcrossCalls: an .incomplete file left by an earlier process is
// continued with a Range request; one with wrong bytes fails the checksum,
// is removed, and the next call succeeds from scratch.
func TestResumeAcrossCalls(t *testing.T) {
	h, opts := setup(t)
	model := modelBytes(t, 30000, 1)
	blobs := filepath.Join(opts.CacheDir, "models--EleutherAI--pythia-tiny", "blobs")
	os.MkdirAll(blobs, 0o755)
	incomplete := filepath.Join(blobs, sha256Hex(model)+".incomplete")
	os.WriteFile(incomplete, model[:1000], 0o644)
	if _, err := Download(context.Background(), "EleutherAI/pythia-tiny", opts); err != nil {
		t.Fatal(err)
	}
	if gets := h.requests("/cdn/"); len(gets) != 1 || !strings.Contains(gets[0], "range=bytes=1000-") {
		t.Errorf("CDN requests %q, want one Range from byte 1000", gets)
	}

	_, opts = setup(t)
	blobs = filepath.Join(opts.CacheDir, "models--EleutherAI--pythia-tiny", "blobs")
	os.MkdirAll(blobs, 0o755)
	incomplete = filepath.Join(blobs, sha256Hex(model)+".incomplete")
	os.WriteFile(incomplete, bytes.Repeat([]byte{'x'}, 1000), 0o644)
	_, err := Download(context.Background(), "EleutherAI/pythia-tiny", opts)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch: sha256") {
		t.Fatalf("corrupt partial file: err = %v", err)
	}
	if _, err := os.Stat(incomplete); err == nil {
		t.Error("the corrupt .incomplete file was kept")
	}
	if _, err := Download(context.Background(), "EleutherAI/pythia-tiny", opts); err != nil {
		t.Errorf("download after a discarded partial file: %v", err)
	}
}

// TestChecksumRejected: corrupted content (same size) for an LFS file and
// for a regular file is rejected naming the digest kind, and no blob or
// snapshot entry is left.
func TestChecksumRejected(t *testing.T) {
	cases := []struct {
		file, want string
		etag       func() string
	}{
		{"model.safetensors", "sha256 of the downloaded content", func() string { return sha256Hex(modelBytes(t, 30000, 1)) }},
		{"config.json", "git blob sha1 of the downloaded content", func() string { return gitBlobSHA1([]byte(`{"model_type": "gpt_neox"}`)) }},
	}
	for _, c := range cases {
		h, opts := setup(t)
		h.corrupt[c.etag()] = true
		opts.Files = []string{c.file}
		_, err := Download(context.Background(), "EleutherAI/pythia-tiny", opts)
		if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
			t.Errorf("%s: err = %v", c.file, err)
		}
		blobs, _ := os.ReadDir(filepath.Join(opts.CacheDir, "models--EleutherAI--pythia-tiny", "blobs"))
		if len(blobs) != 0 {
			t.Errorf("%s: blobs left after a checksum failure: %v", c.file, blobs)
		}
	}
}

// TestDownloadErrors checks 404s, 401 and a missing explicit file, and that
// a token reaches the hub but never the CDN host.
func TestDownloadErrors(t *testing.T) {
	h, opts := setup(t)
	ctx := context.Background()
	cases := []struct {
		id    string
		files []string
		want  string
	}{
		{"org/missing", nil, "404 Not Found (RepoNotFound): Repository not found; check the model id"},
		{"EleutherAI/pythia-tiny@nope", nil, "(RevisionNotFound)"},
		{"org/private", nil, "401 Unauthorized (GatedRepo)"},
		{"EleutherAI/pythia-tiny", []string{"pytorch_model.bin"}, `file "pytorch_model.bin" is not in the repository at commit ` + shaMain},
		{"EleutherAI/pythia-tiny", []string{"../../etc/passwd"}, "has an empty, . or .. component"},
		{"bad id/with/slashes", nil, "want ORG/NAME or NAME"},
	}
	for _, c := range cases {
		opts.Files = c.files
		_, err := Download(ctx, c.id, opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: err = %v, want it to contain %q", c.id, c.files, err, c.want)
		}
	}
	if _, err := Download(ctx, "org/private", opts); err == nil || !strings.Contains(err.Error(), "set HF_TOKEN") {
		t.Errorf("private repo without token: err = %v, want advice to set HF_TOKEN", err)
	}
	opts.Files = nil
	t.Setenv("HF_TOKEN", h.token)
	if _, err := Download(ctx, "org/private", opts); err != nil {
		t.Fatalf("private repo with $HF_TOKEN: %v", err)
	}
	if hub := h.requests("auth=Bearer " + h.token); len(hub) == 0 {
		t.Error("the token was never sent to the hub")
	}
	for _, l := range h.requests(strings.TrimPrefix(h.cdn.URL, "http://")) {
		if strings.Contains(l, "Bearer") {
			t.Errorf("the token was sent to the CDN: %s", l)
		}
	}
}
