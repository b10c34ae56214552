package hub

import (
	"fmt"
	"regexp"
	"strings"
)

// DefaultRevision is the revision used when an id names none.
const DefaultRevision = "main"

var (
	repoPart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// ParseID splits a model id "org/name[@revision]" (or "name[@revision]")
// into the repository and the revision (DefaultRevision when absent). It
// returns an error for empty parts, characters the hub does not allow in
// repository names, more than one "/", or a revision with ".." components.
func ParseID(id string) (repo, revision string, err error) {
	repo, revision, found := strings.Cut(id, "@")
	if !found {
		revision = DefaultRevision
	}
	parts := strings.Split(repo, "/")
	if len(parts) > 2 {
		return "", "", fmt.Errorf("hub: model id %q: want ORG/NAME or NAME, optionally @REVISION", id)
	}
	for _, p := range parts {
		if !repoPart.MatchString(p) || strings.Contains(p, "..") {
			return "", "", fmt.Errorf("hub: model id %q: %q is not a valid repository name part", id, p)
		}
	}
	if revision == "" || strings.HasPrefix(revision, "/") {
		return "", "", fmt.Errorf("hub: model id %q: empty or absolute revision", id)
	}
	for _, p := range strings.Split(revision, "/") {
		if p == "" || p == "." || p == ".." {
			return "", "", fmt.Errorf("hub: model id %q: revision %q has an empty, . or .. component", id, revision)
		}
	}
	return repo, revision, nil
}

// repoFolder is the cache folder name of a model repository:
// "EleutherAI/pythia-70m" -> "models--EleutherAI--pythia-70m".
func repoFolder(repo string) string {
	return "models--" + strings.ReplaceAll(repo, "/", "--")
}

// isCommit reports whether revision is a full commit sha.
func isCommit(revision string) bool { return commitRE.MatchString(revision) }
