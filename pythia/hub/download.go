package hub

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Options configure Download. The zero value downloads the default files
// from $HF_ENDPOINT (or DefaultEndpoint) into CacheDir().
type Options struct {
	// Endpoint is the hub's base URL; default $HF_ENDPOINT, else DefaultEndpoint.
	Endpoint string
	// Token is sent as "Authorization: Bearer TOKEN" to the endpoint's host;
	// default $HF_TOKEN, else the file $HF_TOKEN_PATH or $HF_HOME/token.
	Token string
	// CacheDir is the cache root; default CacheDir().
	CacheDir string
	// Files are the repository paths to fetch. Default: config.json,
	// tokenizer.json when present, and the weights: the first present of
	// model.safetensors.index.json (with every shard it lists),
	// model.safetensors, pytorch_model.bin.index.json (with its shards) and
	// pytorch_model.bin.
	Files []string
	// Progress, if set, is called as bytes arrive with the file's path,
	// the bytes it has and its size (also once for files already cached).
	Progress func(file string, done, total int64)
	// Client sends the requests; default a plain http.Client (use the
	// context for deadlines: large files take long).
	Client *http.Client
}

// weightFiles lists, in order of preference, the weight files Download
// fetches by default; index files bring their shards.
var weightFiles = []string{"model.safetensors.index.json", "model.safetensors", "pytorch_model.bin.index.json", "pytorch_model.bin"}

// Download fetches a model id ("EleutherAI/pythia-70m@step3000") into the
// hub cache and returns its snapshot directory (what Resolve returns
// afterwards). All files come from the one commit the revision names when
// Download starts. Errors name the model, the file and the URL.
func Download(ctx context.Context, id string, opts Options) (string, error) {
	repo, revision, err := ParseID(id)
	if err != nil {
		return "", err
	}
	c, err := newClient(opts)
	if err != nil {
		return "", err
	}
	cache := opts.CacheDir
	if cache == "" {
		if cache, err = CacheDir(); err != nil {
			return "", err
		}
	}
	sha, siblings, err := c.revisionInfo(ctx, id, repo, revision)
	if err != nil {
		return "", err
	}
	repoDir := filepath.Join(cache, repoFolder(repo))
	snapshot := filepath.Join(repoDir, "snapshots", sha)
	files := opts.Files
	if len(files) == 0 {
		if files, err = defaultFiles(id, siblings); err != nil {
			return "", err
		}
	}
	for i := 0; i < len(files); i++ { // files grows when an index adds its shards
		file := files[i]
		if err := checkRepoPath(id, file); err != nil {
			return "", err
		}
		if !siblings[file] {
			return "", fmt.Errorf("hub: %s: file %q is not in the repository at commit %s", id, file, sha)
		}
		if err := c.fetchFile(ctx, id, repo, sha, file, repoDir, snapshot, opts.Progress); err != nil {
			return "", err
		}
		if len(opts.Files) == 0 && strings.HasSuffix(file, ".index.json") {
			shards, err := indexShards(filepath.Join(snapshot, filepath.FromSlash(file)), path.Dir(file))
			if err != nil {
				return "", fmt.Errorf("hub: %s: %w", id, err)
			}
			files = append(files, shards...)
		}
	}
	if !isCommit(revision) {
		if err := writeRef(filepath.Join(repoDir, "refs", filepath.FromSlash(revision)), sha); err != nil {
			return "", fmt.Errorf("hub: %s: %w", id, err)
		}
	}
	return snapshot, nil
}

// revisionInfo asks the API for the commit sha and file list of a revision.
func (c *client) revisionInfo(ctx context.Context, id, repo, revision string) (string, map[string]bool, error) {
	req, err := c.request(ctx, http.MethodGet, c.apiURL(repo, revision))
	if err != nil {
		return "", nil, fmt.Errorf("hub: %s: %w", id, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", nil, fmt.Errorf("hub: %s: %w", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, statusError(id, resp)
	}
	var info struct {
		SHA      string `json:"sha"`
		Siblings []struct {
			RFilename string `json:"rfilename"`
		} `json:"siblings"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&info); err != nil {
		return "", nil, fmt.Errorf("hub: %s: %s: invalid revision info: %w", id, req.URL, err)
	}
	if !isCommit(info.SHA) {
		return "", nil, fmt.Errorf("hub: %s: %s: revision info has sha %q, not a commit sha", id, req.URL, info.SHA)
	}
	siblings := map[string]bool{}
	for _, s := range info.Siblings {
		siblings[s.RFilename] = true
	}
	return info.SHA, siblings, nil
}

// defaultFiles picks config.json, tokenizer.json and the preferred weights.
func defaultFiles(id string, siblings map[string]bool) ([]string, error) {
	if !siblings["config.json"] {
		return nil, fmt.Errorf("hub: %s: the repository has no config.json (files: %v)", id, slices.Sorted(maps.Keys(siblings)))
	}
	files := []string{"config.json"}
	if siblings["tokenizer.json"] {
		files = append(files, "tokenizer.json")
	}
	for _, w := range weightFiles {
		if siblings[w] {
			return append(files, w), nil
		}
	}
	return nil, fmt.Errorf("hub: %s: the repository has none of the weight files %v", id, weightFiles)
}

// checkRepoPath rejects file paths that could escape the snapshot directory.
func checkRepoPath(id, file string) error {
	if file == "" || strings.HasPrefix(file, "/") || strings.Contains(file, `\`) {
		return fmt.Errorf("hub: %s: file path %q is not a relative slash-separated path", id, file)
	}
	for _, p := range strings.Split(file, "/") {
		if p == "" || p == "." || p == ".." {
			return fmt.Errorf("hub: %s: file path %q has an empty, . or .. component", id, file)
		}
	}
	return nil
}

// indexShards reads the distinct shard files of a sharded-checkpoint index
// ({"weight_map": {tensor: shard}}), as repository paths beside the index.
func indexShards(indexPath, dir string) ([]string, error) {
	raw, err := os.ReadFile(indexPath)
	if err != nil {
		return nil, err
	}
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(raw, &index); err != nil || len(index.WeightMap) == 0 {
		return nil, fmt.Errorf("%s: not an index with a weight_map (%v)", indexPath, err)
	}
	var shards []string
	for _, shard := range slices.Sorted(maps.Values(index.WeightMap)) {
		if dir != "." {
			shard = dir + "/" + shard
		}
		if len(shards) == 0 || shards[len(shards)-1] != shard {
			shards = append(shards, shard)
		}
	}
	return shards, nil
}

// fetchFile makes snapshot/file point at a verified blob of file at commit sha.
func (c *client) fetchFile(ctx context.Context, id, repo, sha, file, repoDir, snapshot string, progress func(string, int64, int64)) error {
	what := id + ": " + file
	meta, err := c.head(ctx, what, c.resolveURL(repo, sha, file))
	if err != nil {
		return err
	}
	if meta.commit != "" && meta.commit != sha {
		return fmt.Errorf("hub: %s: the hub served commit %s, want %s", what, meta.commit, sha)
	}
	blobs := filepath.Join(repoDir, "blobs")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	var report func(done, total int64)
	if progress != nil {
		report = func(done, total int64) { progress(file, done, total) }
	}
	blob := filepath.Join(blobs, meta.etag)
	if err := c.fetchBlob(ctx, what, meta, blob, report); err != nil {
		return err
	}
	if err := linkSnapshot(filepath.Join(snapshot, filepath.FromSlash(file)), blob); err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	return nil
}

// linkSnapshot makes link a relative symlink to blob (a copy where symlinks
// are not possible), replacing whatever was there atomically.
func linkSnapshot(link, blob string) error {
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return err
	}
	target, err := filepath.Rel(filepath.Dir(link), blob)
	if err != nil {
		return err
	}
	tmp := link + ".tmp-link"
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		if err := copyFile(tmp, blob); err != nil {
			return err
		}
	}
	return os.Rename(tmp, link)
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeRef atomically writes the commit sha to a refs file.
func writeRef(refPath, sha string) error {
	if err := os.MkdirAll(filepath.Dir(refPath), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(refPath), ".ref-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(sha); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), refPath)
}
