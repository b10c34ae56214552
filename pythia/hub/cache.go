package hub

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CacheDir returns the hub cache root: $HF_HUB_CACHE, else $HF_HOME/hub,
// else ~/.cache/huggingface/hub (the directory need not exist).
func CacheDir() (string, error) {
	if d := os.Getenv("HF_HUB_CACHE"); d != "" {
		return d, nil
	}
	home, err := hfHome()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, "hub"), nil
}

// hfHome returns $HF_HOME, else ~/.cache/huggingface.
func hfHome() (string, error) {
	if d := os.Getenv("HF_HOME"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("hub: no cache directory: set HF_HUB_CACHE or HF_HOME (%w)", err)
	}
	return filepath.Join(home, ".cache", "huggingface"), nil
}

// Resolve returns the local snapshot directory of a model id
// ("EleutherAI/pythia-70m", "EleutherAI/pythia-70m@step3000") in the cache
// (see CacheDir) without using the network: refs/REVISION gives the commit
// sha, unless the revision already is one, and snapshots/SHA must exist. The
// error names the missing path and says how to download the model.
func Resolve(id string) (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	return resolveIn(cache, id)
}

func resolveIn(cache, id string) (string, error) {
	repo, revision, err := ParseID(id)
	if err != nil {
		return "", err
	}
	repoDir := filepath.Join(cache, repoFolder(repo))
	howTo := fmt.Sprintf("download it with hub.Download(ctx, %q, hub.Options{}) or `huggingface-cli download %s --revision %s`", id, repo, revision)
	sha := revision
	if !isCommit(revision) {
		refPath := filepath.Join(repoDir, "refs", filepath.FromSlash(revision))
		b, err := os.ReadFile(refPath)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return "", fmt.Errorf("hub: %s is not in the cache: %s does not exist; %s", id, refPath, howTo)
			}
			return "", fmt.Errorf("hub: %s: %w", id, err)
		}
		sha = strings.TrimSpace(string(b))
		if !isCommit(sha) {
			return "", fmt.Errorf("hub: %s: %s holds %q, not a commit sha", id, refPath, sha)
		}
	}
	dir := filepath.Join(repoDir, "snapshots", sha)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("hub: %s is not in the cache: snapshot %s does not exist; %s", id, dir, howTo)
	}
	return dir, nil
}
