package hub

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeHub mimics the parts of the Hugging Face hub that Download uses, from
// huggingface_hub's documented behaviour: the revision API, HEAD/GET on
// resolve URLs with X-Repo-Commit, ETag (git blob sha1) for regular files and
// a 302 to a CDN with X-Linked-Etag (sha256) / X-Linked-Size for LFS files,
// Range requests on the CDN, X-Error-Code on errors. It can drop a
// connection midway, serve corrupted bytes, and require a token.
type fakeHub struct {
	t        *testing.T
	hub, cdn *httptest.Server
	token    string // required for private repos

	mu        sync.Mutex
	repos     map[string]map[string]*fakeCommit // repo -> revision (branch or sha) -> commit
	renamed   map[string]string                 // old repo -> new repo
	private   map[string]bool
	dropAfter map[string]int  // etag -> bytes sent before the next transfer is cut (once)
	corrupt   map[string]bool // etag -> serve a flipped byte
	log       []string        // "METHOD host path range=... auth=..."
}

type fakeCommit struct {
	sha   string
	files map[string][]byte
	lfs   map[string]bool
}

func newFakeHub(t *testing.T) *fakeHub {
	h := &fakeHub{
		t:         t,
		token:     "hf_secret",
		repos:     map[string]map[string]*fakeCommit{},
		renamed:   map[string]string{},
		private:   map[string]bool{},
		dropAfter: map[string]int{},
		corrupt:   map[string]bool{},
	}
	h.hub = httptest.NewServer(http.HandlerFunc(h.serveHub))
	h.cdn = httptest.NewServer(http.HandlerFunc(h.serveCDN))
	t.Cleanup(func() { h.hub.Close(); h.cdn.Close() })
	return h
}

// addCommit registers files (LFS when lfs[name]) as commit sha reachable
// from the given revisions. Every name in lfs must be one of files.
func (h *fakeHub) addCommit(repo, sha string, files map[string][]byte, lfs map[string]bool, revisions ...string) {
	h.t.Helper()
	for name := range lfs {
		require.Contains(h.t, files, name, "LFS file of %s at %s", repo, sha)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c := &fakeCommit{sha: sha, files: files, lfs: lfs}
	if h.repos[repo] == nil {
		h.repos[repo] = map[string]*fakeCommit{}
	}
	for _, r := range append(revisions, sha) {
		h.repos[repo][r] = c
	}
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// gitBlobSHA1 is git's object id of a blob: sha1("blob <len>\x00" + content).
func gitBlobSHA1(b []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(b))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func (h *fakeHub) record(r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.log = append(h.log, fmt.Sprintf("%s %s %s range=%s auth=%s", r.Method, r.Host, r.URL.Path, r.Header.Get("Range"), r.Header.Get("Authorization")))
}

func (h *fakeHub) requests(substr string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, l := range h.log {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

func hubError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Error-Code", code)
	w.Header().Set("X-Error-Message", msg)
	w.WriteHeader(status)
}

// lookup finds the commit of repo at revision, answering errors itself.
func (h *fakeHub) lookup(w http.ResponseWriter, r *http.Request, repo, revision string) *fakeCommit {
	h.mu.Lock()
	defer h.mu.Unlock()
	revs, ok := h.repos[repo]
	if !ok {
		hubError(w, http.StatusNotFound, "RepoNotFound", "Repository not found")
		return nil
	}
	if h.private[repo] && r.Header.Get("Authorization") != "Bearer "+h.token {
		hubError(w, http.StatusUnauthorized, "GatedRepo", "Access to this repository is restricted")
		return nil
	}
	c, ok := revs[revision]
	if !ok {
		hubError(w, http.StatusNotFound, "RevisionNotFound", "Invalid rev id: "+revision)
		return nil
	}
	return c
}

func (h *fakeHub) serveHub(w http.ResponseWriter, r *http.Request) {
	h.record(r)
	p := r.URL.EscapedPath()
	if rest, ok := strings.CutPrefix(p, "/api/models/"); ok { // ORG/NAME/revision/REV
		i := strings.Index(rest, "/revision/")
		if i < 0 {
			http.NotFound(w, r)
			return
		}
		repo, rev := rest[:i], unescape(rest[i+len("/revision/"):])
		if to, ok := h.renamed[repo]; ok {
			http.Redirect(w, r, "/api/models/"+to+"/revision/"+rest[i+len("/revision/"):], http.StatusTemporaryRedirect)
			return
		}
		c := h.lookup(w, r, repo, rev)
		if c == nil {
			return
		}
		var siblings []map[string]string
		for name := range c.files {
			siblings = append(siblings, map[string]string{"rfilename": name})
		}
		json.NewEncoder(w).Encode(map[string]any{"id": repo, "sha": c.sha, "siblings": siblings})
		return
	}
	// /ORG/NAME/resolve/REV/FILE...
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 5)
	if len(parts) < 5 || parts[2] != "resolve" {
		http.NotFound(w, r)
		return
	}
	repo, rev, file := parts[0]+"/"+parts[1], unescape(parts[3]), unescape(parts[4])
	if to, ok := h.renamed[repo]; ok {
		http.Redirect(w, r, "/"+to+"/resolve/"+parts[3]+"/"+parts[4], http.StatusTemporaryRedirect)
		return
	}
	c := h.lookup(w, r, repo, rev)
	if c == nil {
		return
	}
	content, ok := c.files[file]
	if !ok {
		hubError(w, http.StatusNotFound, "EntryNotFound", file+" does not exist")
		return
	}
	w.Header().Set("X-Repo-Commit", c.sha)
	if c.lfs[file] {
		etag := sha256Hex(content)
		w.Header().Set("X-Linked-Etag", `"`+etag+`"`)
		w.Header().Set("X-Linked-Size", strconv.Itoa(len(content)))
		w.Header().Set("ETag", `"`+gitBlobSHA1([]byte("version https://git-lfs.github.com/spec/v1\n"))+`"`)
		http.Redirect(w, r, h.cdn.URL+"/cdn/"+etag, http.StatusFound)
		return
	}
	etag := gitBlobSHA1(content)
	w.Header().Set("ETag", `"`+etag+`"`)
	h.serveBytes(w, r, etag, content)
}

func (h *fakeHub) serveCDN(w http.ResponseWriter, r *http.Request) {
	h.record(r)
	etag := strings.TrimPrefix(r.URL.Path, "/cdn/")
	h.mu.Lock()
	var content []byte
	for _, revs := range h.repos {
		for _, c := range revs {
			for name, b := range c.files {
				if c.lfs[name] && sha256Hex(b) == etag {
					content = b
				}
			}
		}
	}
	h.mu.Unlock()
	if content == nil {
		http.NotFound(w, r)
		return
	}
	h.serveBytes(w, r, etag, content)
}

// serveBytes serves content with Range support, unless a drop or a
// corruption is armed for etag.
func (h *fakeHub) serveBytes(w http.ResponseWriter, r *http.Request, etag string, content []byte) {
	h.mu.Lock()
	drop, dropping := h.dropAfter[etag]
	delete(h.dropAfter, etag)
	if h.corrupt[etag] {
		content = bytes.Clone(content)
		content[len(content)/2] ^= 0xff
	}
	h.mu.Unlock()
	if dropping && r.Method == http.MethodGet {
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		w.WriteHeader(http.StatusOK)
		w.Write(content[:drop])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // closes the connection mid-body
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(content))
}

func unescape(s string) string {
	u, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return u
}
