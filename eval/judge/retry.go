package judge

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// StatusError is a reply from the endpoint with a status other than 2xx.
type StatusError struct {
	URL    string
	Status int    // HTTP status code
	Body   string // the start of the reply body, for the error message
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("judge: POST %s: %d %s: %s", e.URL, e.Status, http.StatusText(e.Status), e.Body)
}

// retryableStatus reports whether a request that got status code may
// succeed if repeated: timeouts, rate limits and server errors.
func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// maxReplyBytes bounds how much of a reply body is read.
const maxReplyBytes = 16 << 20

// complete sends body, retrying transient failures with backoff, and
// returns the reply's message content.
func (j *ChatJudge) complete(ctx context.Context, body []byte) (string, error) {
	for attempt := 0; ; attempt++ {
		reply, retry, retryAfter, err := j.attempt(ctx, body)
		if err == nil {
			return reply, nil
		}
		if !retry {
			return "", err
		}
		if attempt == j.cfg.Retries {
			return "", fmt.Errorf("judge: giving up after %d attempts: %w", attempt+1, err)
		}
		wait := backoff(attempt, j.cfg.InitialBackoff, j.cfg.MaxBackoff, retryAfter, rand.Float64())
		if err := j.sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// attempt makes one request under RequestTimeout. retry reports whether the
// failure is transient; retryAfter is the server's Retry-After, if any.
func (j *ChatJudge) attempt(ctx context.Context, body []byte) (reply string, retry bool, retryAfter time.Duration, err error) {
	actx, cancel := context.WithTimeout(ctx, j.cfg.RequestTimeout)
	defer cancel()
	req, err := j.newRequest(actx, body)
	if err != nil {
		return "", false, 0, err
	}
	resp, err := j.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", false, 0, ctx.Err()
		}
		return "", true, 0, fmt.Errorf("judge: POST %s: %w", j.url, err) // network error or per-request timeout
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		if ctx.Err() != nil {
			return "", false, 0, ctx.Err()
		}
		return "", true, 0, fmt.Errorf("judge: reading reply from %s: %w", j.url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return "", retryableStatus(resp.StatusCode), retryAfter, &StatusError{URL: j.url, Status: resp.StatusCode, Body: snippet(string(data))}
	}
	reply, err = decodeReply(data)
	return reply, false, 0, err
}

// backoff returns the wait before retry number attempt+1: initial * 2^attempt
// capped at maxWait, times a jitter factor 0.5 + 0.5u (u in [0, 1)), raised to
// retryAfter when that is longer, and capped at maxWait again.
func backoff(attempt int, initial, maxWait, retryAfter time.Duration, u float64) time.Duration {
	d := maxWait
	if attempt < 62 && initial <= maxWait>>attempt {
		d = initial << attempt
	}
	d = time.Duration(float64(d) * (0.5 + 0.5*u))
	return min(max(d, retryAfter), maxWait)
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP date
// (RFC 9110 section 10.2.3). It returns 0 for an empty, invalid or past value.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, 1<<32)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
