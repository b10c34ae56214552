package hub

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// DefaultEndpoint is the hub used when neither Options.Endpoint nor
// $HF_ENDPOINT is set.
const DefaultEndpoint = "https://huggingface.co"

// client sends hub requests: the bearer token goes only to the endpoint's host.
type client struct {
	http     *http.Client
	endpoint *url.URL
	token    string
}

func newClient(opts Options) (*client, error) {
	endpoint := opts.Endpoint
	if endpoint == "" {
		endpoint = os.Getenv("HF_ENDPOINT")
	}
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	u, err := url.Parse(strings.TrimRight(endpoint, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("hub: endpoint %q is not an http(s) URL", endpoint)
	}
	token := opts.Token
	if token == "" {
		token = tokenFromEnv()
	}
	hc := opts.Client
	if hc == nil {
		hc = &http.Client{}
	}
	return &client{http: hc, endpoint: u, token: token}, nil
}

// tokenFromEnv returns $HF_TOKEN, else the contents of $HF_TOKEN_PATH or
// $HF_HOME/token (where huggingface-cli login stores it), else "".
func tokenFromEnv() string {
	if t := os.Getenv("HF_TOKEN"); t != "" {
		return t
	}
	path := os.Getenv("HF_TOKEN_PATH")
	if path == "" {
		home, err := hfHome()
		if err != nil {
			return ""
		}
		path = filepath.Join(home, "token")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// request builds a request carrying the token when rawURL is on the endpoint's host.
func (c *client) request(ctx context.Context, method, rawURL string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "daa-hub/1")
	if c.token != "" && req.URL.Host == c.endpoint.Host {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// apiURL and resolveURL build the hub's URLs; the revision is escaped as
// one path segment ("refs/pr/1" -> "refs%2Fpr%2F1"), file paths keep "/".
func (c *client) apiURL(repo, revision string) string {
	return c.endpoint.String() + "/api/models/" + repo + "/revision/" + url.PathEscape(revision)
}

func (c *client) resolveURL(repo, revision, file string) string {
	segs := strings.Split(file, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return c.endpoint.String() + "/" + repo + "/resolve/" + url.PathEscape(revision) + "/" + strings.Join(segs, "/")
}

// statusError explains a failed response, with the hub's X-Error-Code and
// X-Error-Message when present, and what to do about 401/403.
func statusError(what string, resp *http.Response) error {
	msg := fmt.Sprintf("hub: %s: %s %s returned %s", what, resp.Request.Method, resp.Request.URL, resp.Status)
	if code := resp.Header.Get("X-Error-Code"); code != "" {
		msg += " (" + code + ")"
	}
	if m := resp.Header.Get("X-Error-Message"); m != "" {
		msg += ": " + m
	}
	switch resp.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg += "; the repository may be private or gated: set HF_TOKEN (or Options.Token) to a token with access"
	case http.StatusNotFound:
		msg += "; check the model id, revision and file name"
	}
	return &httpError{msg: msg, transient: resp.StatusCode >= 500}
}

// httpError is a failed request; transient ones (5xx, broken connections)
// are retried.
type httpError struct {
	msg       string
	transient bool
}

func (e *httpError) Error() string { return e.msg }

// fileMeta is what a HEAD on a resolve URL tells about a file.
type fileMeta struct {
	etag     string // sha256 (LFS) or git blob sha1, lower-case hex
	lfs      bool
	size     int64
	commit   string // X-Repo-Commit
	location string // where to GET the content
}

var etagRE = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// head sends HEAD to rawURL, following redirects that stay on the same host
// (renamed repositories) and stopping at the first one that leaves it (the
// CDN), whose headers describe the file, as huggingface_hub does.
func (c *client) head(ctx context.Context, what, rawURL string) (fileMeta, error) {
	noFollow := *c.http
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for range 10 {
		req, err := c.request(ctx, http.MethodHead, rawURL)
		if err != nil {
			return fileMeta{}, fmt.Errorf("hub: %s: %w", what, err)
		}
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := noFollow.Do(req)
		if err != nil {
			return fileMeta{}, &httpError{msg: fmt.Sprintf("hub: %s: HEAD %s: %v", what, rawURL, err), transient: true}
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		location := rawURL
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := resp.Location()
			if err != nil {
				return fileMeta{}, fmt.Errorf("hub: %s: redirect without a Location: %w", what, err)
			}
			if loc.Host == req.URL.Host && resp.Header.Get("X-Linked-Etag") == "" {
				rawURL = loc.String()
				continue
			}
			location = loc.String()
		case resp.StatusCode >= 400:
			return fileMeta{}, statusError(what, resp)
		}
		if resp.Header.Get("Content-Length") == "" && resp.ContentLength >= 0 {
			resp.Header.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
		}
		return parseFileMeta(what, resp.Header, location)
	}
	return fileMeta{}, fmt.Errorf("hub: %s: more than 10 redirects", what)
}

func parseFileMeta(what string, h http.Header, location string) (fileMeta, error) {
	m := fileMeta{commit: h.Get("X-Repo-Commit"), location: location}
	m.etag, m.lfs = h.Get("X-Linked-Etag"), true
	sizeHeader := h.Get("X-Linked-Size")
	if m.etag == "" {
		m.etag, m.lfs = h.Get("ETag"), false
		sizeHeader = h.Get("Content-Length")
	}
	m.etag = strings.Trim(strings.TrimPrefix(m.etag, "W/"), `"`)
	if !etagRE.MatchString(m.etag) {
		return fileMeta{}, fmt.Errorf("hub: %s: the hub sent no usable etag (X-Linked-Etag %q, ETag %q); want a sha1 or sha256 hex digest", what, h.Get("X-Linked-Etag"), h.Get("ETag"))
	}
	if m.lfs && len(m.etag) != 64 {
		return fileMeta{}, fmt.Errorf("hub: %s: LFS etag %q is not a sha256 digest", what, m.etag)
	}
	size, err := strconv.ParseInt(sizeHeader, 10, 64)
	if err != nil || size < 0 {
		return fileMeta{}, fmt.Errorf("hub: %s: the hub sent no usable size (%q)", what, sizeHeader)
	}
	m.size = size
	return m, nil
}
