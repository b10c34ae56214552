package hub

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// maxAttempts is how many times one file's transfer is tried when the
// connection breaks or the server answers 5xx; each retry resumes from the
// bytes already in the .incomplete file.
const maxAttempts = 5

// fetchBlob makes blobPath hold the verified content described by meta,
// downloading into blobPath+".incomplete" and resuming what is there.
// progress (may be nil) gets bytes done and total.
func (c *client) fetchBlob(ctx context.Context, what string, meta fileMeta, blobPath string, progress func(done, total int64)) error {
	if fi, err := os.Stat(blobPath); err == nil && fi.Size() == meta.size {
		if progress != nil {
			progress(meta.size, meta.size)
		}
		return nil
	}
	incomplete := blobPath + ".incomplete"
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		err = c.transfer(ctx, what, meta, incomplete, progress)
		var he *httpError
		if err == nil || !errors.As(err, &he) || !he.transient {
			break
		}
	}
	if err != nil {
		return err
	}
	if err := verify(what, meta, incomplete); err != nil {
		os.Remove(incomplete) // the content is wrong: the next attempt starts afresh
		return err
	}
	if err := os.Rename(incomplete, blobPath); err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	return nil
}

// transfer appends the missing bytes of the file to incomplete with one GET,
// asking for "Range: bytes=N-" when N bytes are already there.
func (c *client) transfer(ctx context.Context, what string, meta fileMeta, incomplete string, progress func(done, total int64)) error {
	f, err := os.OpenFile(incomplete, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	if have > meta.size { // not a prefix of this file: start over
		if have, err = restart(f); err != nil {
			return fmt.Errorf("hub: %s: %w", what, err)
		}
	}
	if have == meta.size {
		return nil
	}
	req, err := c.request(ctx, http.MethodGet, meta.location)
	if err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &httpError{msg: fmt.Sprintf("hub: %s: GET %s: %v", what, meta.location, err), transient: ctx.Err() == nil}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		if start, ok := rangeStart(resp.Header.Get("Content-Range")); !ok || start != have {
			return fmt.Errorf("hub: %s: asked for bytes from %d, got Content-Range %q", what, have, resp.Header.Get("Content-Range"))
		}
	case resp.StatusCode == http.StatusOK:
		if have, err = restart(f); err != nil { // the server sent the whole file
			return fmt.Errorf("hub: %s: %w", what, err)
		}
	default:
		return statusError(what, resp)
	}
	if progress != nil {
		progress(have, meta.size)
	}
	w := io.Writer(f)
	if progress != nil {
		w = &progressWriter{w: f, done: have, total: meta.size, report: progress}
	}
	// Copy at most the missing bytes: a server sending more is caught by verify's size check.
	if _, err := io.Copy(w, io.LimitReader(resp.Body, meta.size-have+1)); err != nil {
		return &httpError{msg: fmt.Sprintf("hub: %s: download interrupted: %v", what, err), transient: ctx.Err() == nil}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	return nil
}

// restart empties f and positions it at the start.
func restart(f *os.File) (int64, error) {
	if err := f.Truncate(0); err != nil {
		return 0, err
	}
	return f.Seek(0, io.SeekStart)
}

// rangeStart parses the first byte position of "bytes START-END/TOTAL".
func rangeStart(contentRange string) (int64, bool) {
	rest, ok := strings.CutPrefix(contentRange, "bytes ")
	if !ok {
		return 0, false
	}
	start, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(start, 10, 64)
	return n, err == nil
}

// verify checks the size of the downloaded file and its digest against the
// etag: sha256(content) for LFS files, the git blob id
// sha1("blob " + decimal length + "\x00" + content) for the others.
func verify(what string, meta fileMeta, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	if fi.Size() != meta.size {
		return fmt.Errorf("hub: %s: downloaded %d bytes but the hub announced %d; the partial download was removed", what, fi.Size(), meta.size)
	}
	var h hash.Hash
	kind := "sha256"
	if meta.lfs {
		h = sha256.New()
	} else {
		kind = "git blob sha1"
		h = sha1.New()
		fmt.Fprintf(h, "blob %d\x00", fi.Size())
	}
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("hub: %s: %w", what, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != meta.etag {
		return fmt.Errorf("hub: %s: checksum mismatch: %s of the downloaded content is %s but the hub's etag is %s; the download was discarded", what, kind, got, meta.etag)
	}
	return nil
}

// progressWriter reports the running byte count after each write.
type progressWriter struct {
	w           io.Writer
	done, total int64
	report      func(done, total int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	p.report(p.done, p.total)
	return n, err
}
