package hub

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	require.NoError(t, safetensors.Encode(&b, []safetensors.Tensor{safetensors.Float32Tensor("w", []int{n}, v)}, nil))
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
	require.NoError(t, safetensors.Encode(&b, ts, nil))
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
	require.NoError(t, err)
	repoDir := filepath.Join(opts.CacheDir, "models--EleutherAI--pythia-tiny")
	assert.Equal(t, filepath.Join(repoDir, "snapshots", shaMain), dir)
	model := modelBytes(t, 30000, 1)
	for file, want := range map[string][]byte{"config.json": []byte(`{"model_type": "gpt_neox"}`), "tokenizer.json": []byte(`{"version": "1.0"}`), "model.safetensors": model} {
		got, err := os.ReadFile(filepath.Join(dir, file))
		if assert.NoError(t, err, file) {
			assert.True(t, bytes.Equal(want, got), "%s: %d bytes differ from the hub's %d", file, len(got), len(want))
		}
	}
	assert.NoFileExists(t, filepath.Join(dir, "README.md"), "README.md was downloaded but is not a default file")
	link, err := os.Readlink(filepath.Join(dir, "model.safetensors"))
	if assert.NoError(t, err) {
		assert.Equal(t, filepath.Join("..", "..", "blobs", sha256Hex(model)), link, "model.safetensors link, want ../../blobs/<sha256>")
	}
	_, err = os.Stat(filepath.Join(repoDir, "blobs", gitBlobSHA1([]byte(`{"version": "1.0"}`))))
	assert.NoError(t, err, "tokenizer.json blob is not named by its git blob sha1")
	ref, _ := os.ReadFile(filepath.Join(repoDir, "refs", "main"))
	assert.Equal(t, shaMain, string(ref), "refs/main")
	assert.Len(t, progress, 3, "files whose progress completed")
	f, err := safetensors.Open(filepath.Join(dir, "model.safetensors"))
	require.NoError(t, err)
	f.Close()
	t.Setenv("HF_HUB_CACHE", opts.CacheDir)
	got, err := Resolve("EleutherAI/pythia-tiny")
	if assert.NoError(t, err, "Resolve") {
		assert.Equal(t, dir, got, "Resolve")
	}
	before := len(h.requests("/cdn/"))
	_, err = Download(context.Background(), "EleutherAI/pythia-tiny", opts)
	require.NoError(t, err)
	assert.Len(t, h.requests("/cdn/"), before, "a second Download fetched content again from the CDN")
	assert.Empty(t, h.requests("GET "+strings.TrimPrefix(h.hub.URL, "http://")+"/EleutherAI"), "a second Download fetched content again from the hub")
}

// TestDownloadRevisions checks a branch other than main, a commit sha (no
// ref written), explicit file lists, and a renamed repository (redirects on
// the API and on HEAD).
func TestDownloadRevisions(t *testing.T) {
	h, opts := setup(t)
	ctx := context.Background()
	dir, err := Download(ctx, "EleutherAI/pythia-tiny@step3000", opts)
	require.NoError(t, err)
	cfg, _ := os.ReadFile(filepath.Join(dir, "config.json"))
	assert.Equal(t, shaStep, filepath.Base(dir), "snapshot of step3000")
	assert.Contains(t, string(cfg), "3000", "config of step3000")
	repoDir := filepath.Join(opts.CacheDir, "models--EleutherAI--pythia-tiny")
	ref, _ := os.ReadFile(filepath.Join(repoDir, "refs", "step3000"))
	assert.Equal(t, shaStep, string(ref), "refs/step3000")
	opts.Files = []string{"README.md"}
	dir, err = Download(ctx, "EleutherAI/pythia-tiny@"+shaMain, opts)
	require.NoError(t, err)
	entries, _ := os.ReadDir(dir)
	if assert.Len(t, entries, 1, "explicit file list") {
		assert.Equal(t, "README.md", entries[0].Name(), "explicit file list")
	}
	assert.NoFileExists(t, filepath.Join(repoDir, "refs", shaMain), "a ref file was written for a commit-sha revision")
	opts.Files = nil
	h.renamed["OldOrg/old-name"] = "EleutherAI/pythia-tiny"
	_, err = Download(ctx, "OldOrg/old-name", opts)
	assert.NoError(t, err, "renamed repository")
}

// TestDownloadSharded checks that an index brings its shards.
func TestDownloadSharded(t *testing.T) {
	_, opts := setup(t)
	dir, err := Download(context.Background(), "org/sharded", opts)
	require.NoError(t, err)
	s, err := safetensors.OpenDir(dir)
	require.NoError(t, err)
	defer s.Close()
	for _, name := range []string{"a", "b", "c"} {
		_, err := s.Info(name)
		assert.NoError(t, err, name)
	}
	assert.Len(t, s.Shards(), 2, "shards")
}

// TestResumeAfterDroppedConnection: the CDN cuts the first transfer after
// 40000 bytes; Download retries with "Range: bytes=40000-" and succeeds.
func TestResumeAfterDroppedConnection(t *testing.T) {
	h, opts := setup(t)
	model := modelBytes(t, 30000, 1)
	h.dropAfter[sha256Hex(model)] = 40000
	dir, err := Download(context.Background(), "EleutherAI/pythia-tiny", opts)
	require.NoError(t, err)
	got, _ := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	assert.True(t, bytes.Equal(model, got), "resumed file differs")
	gets := h.requests("GET " + strings.TrimPrefix(h.cdn.URL, "http://"))
	if assert.Len(t, gets, 2, "CDN requests: want a full GET then a Range from byte 40000") {
		assert.Contains(t, gets[1], "range=bytes=40000-")
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
	_, err := Download(context.Background(), "EleutherAI/pythia-tiny", opts)
	require.NoError(t, err)
	gets := h.requests("/cdn/")
	if assert.Len(t, gets, 1, "CDN requests: want one Range from byte 1000") {
		assert.Contains(t, gets[0], "range=bytes=1000-")
	}

	_, opts = setup(t)
	blobs = filepath.Join(opts.CacheDir, "models--EleutherAI--pythia-tiny", "blobs")
	os.MkdirAll(blobs, 0o755)
	incomplete = filepath.Join(blobs, sha256Hex(model)+".incomplete")
	os.WriteFile(incomplete, bytes.Repeat([]byte{'x'}, 1000), 0o644)
	_, err = Download(context.Background(), "EleutherAI/pythia-tiny", opts)
	require.ErrorContains(t, err, "checksum mismatch: sha256", "corrupt partial file")
	assert.NoFileExists(t, incomplete, "the corrupt .incomplete file was kept")
	_, err = Download(context.Background(), "EleutherAI/pythia-tiny", opts)
	assert.NoError(t, err, "download after a discarded partial file")
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
		for _, part := range []string{"checksum mismatch", c.want, c.file} {
			assert.ErrorContains(t, err, part, c.file)
		}
		blobs, _ := os.ReadDir(filepath.Join(opts.CacheDir, "models--EleutherAI--pythia-tiny", "blobs"))
		assert.Empty(t, blobs, "%s: blobs left after a checksum failure", c.file)
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
		assert.ErrorContains(t, err, c.want, "%s %v", c.id, c.files)
	}
	_, err := Download(ctx, "org/private", opts)
	assert.ErrorContains(t, err, "set HF_TOKEN", "private repo without token: want advice to set HF_TOKEN")
	opts.Files = nil
	t.Setenv("HF_TOKEN", h.token)
	_, err = Download(ctx, "org/private", opts)
	require.NoError(t, err, "private repo with $HF_TOKEN")
	assert.NotEmpty(t, h.requests("auth=Bearer "+h.token), "the token was never sent to the hub")
	for _, l := range h.requests(strings.TrimPrefix(h.cdn.URL, "http://")) {
		assert.NotContains(t, l, "Bearer", "the token was sent to the CDN")
	}
}
