package judge

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeServer is a local chat-completions endpoint: respond is called for
// every request with its 1-based number.
type fakeServer struct {
	*httptest.Server
	requests atomic.Int64
}

func newFakeServer(t *testing.T, respond func(n int64, w http.ResponseWriter, r *http.Request)) *fakeServer {
	s := &fakeServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		respond(s.requests.Add(1), w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func reply(content string) string {
	b, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": content}}}})
	return string(b)
}

// testJudge returns a judge for url with fast backoff and 3 retries, whose
// waits are recorded in *waits instead of slept.
func testJudge(t *testing.T, url string, waits *[]time.Duration) *ChatJudge {
	t.Setenv("DAA_TEST_JUDGE_KEY", "sk-test")
	cfg := DefaultChatConfig(url+"/v1", "judge-model")
	cfg.APIKeyEnv = "DAA_TEST_JUDGE_KEY"
	cfg.Retries = 3
	cfg.InitialBackoff = time.Millisecond
	cfg.MaxBackoff = 10 * time.Second
	cfg.RequestTimeout = 2 * time.Second
	j, err := NewChatJudge(cfg)
	require.NoError(t, err)
	var mu sync.Mutex
	j.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		*waits = append(*waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return j
}

// TestChatJudgeRequest checks what is sent: the endpoint path, the bearer
// key from the configured variable, the model, and the TL;DR prompt with the
// post and both summaries in the order given.
func TestChatJudgeRequest(t *testing.T) {
	s := newFakeServer(t, func(n int64, w http.ResponseWriter, r *http.Request) { // a server goroutine: assert only
		assert.Equal(t, "/v1/chat/completions", r.URL.Path)
		assert.Equal(t, "Bearer sk-test", r.Header.Get("Authorization"))
		var req chatRequest
		if assert.NoError(t, json.NewDecoder(r.Body).Decode(&req)) && assert.NotEmpty(t, req.Messages) {
			msg := req.Messages[0].Content
			assert.Equal(t, "judge-model", req.Model)
			assert.Contains(t, msg, "Post:\nMY POST\n\nSummary A:\nFIRST\n\nSummary B:\nSECOND\n")
			assert.True(t, strings.HasPrefix(msg, "Which of the following summaries does a better job"), "message:\n%s", msg)
		}
		w.Write([]byte(reply("Comparison: B is shorter.\nPreferred: B")))
	})
	var waits []time.Duration
	v, err := testJudge(t, s.URL, &waits).Judge(context.Background(), "MY POST", "FIRST", "SECOND")
	require.NoError(t, err)
	assert.Equal(t, B, v)
}

// TestChatJudgeFailures runs the judge against servers that misbehave and
// checks the error, the number of requests made and the waits between them.
func TestChatJudgeFailures(t *testing.T) {
	cases := []struct {
		name     string
		respond  func(n int64, w http.ResponseWriter, r *http.Request)
		want     Verdict
		check    func(err error) bool // nil: expect success
		requests int64
		waits    int
	}{
		{
			name:     "malformed JSON",
			respond:  func(n int64, w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"choices": [`)) },
			check:    func(err error) bool { return strings.Contains(err.Error(), "not chat-completions JSON") },
			requests: 1,
		},
		{
			name:     "empty choices",
			respond:  func(n int64, w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"choices": []}`)) },
			check:    func(err error) bool { return strings.Contains(err.Error(), "no choices") },
			requests: 1,
		},
		{
			name:     "empty content",
			respond:  func(n int64, w http.ResponseWriter, r *http.Request) { w.Write([]byte(reply("  "))) },
			check:    func(err error) bool { return strings.Contains(err.Error(), "empty message content") },
			requests: 1,
		},
		{
			name: "null content",
			respond: func(n int64, w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(`{"choices":[{"message":{"content":null}}]}`))
			},
			check:    func(err error) bool { return strings.Contains(err.Error(), "empty message content") },
			requests: 1,
		},
		{
			name: "429 then success",
			respond: func(n int64, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", "2")
					http.Error(w, `{"error":"rate limited"}`, http.StatusTooManyRequests)
					return
				}
				w.Write([]byte(reply("Comparison: x\nPreferred: A")))
			},
			want: A, requests: 2, waits: 1,
		},
		{
			name: "persistent 500",
			respond: func(n int64, w http.ResponseWriter, r *http.Request) {
				http.Error(w, "boom", http.StatusInternalServerError)
			},
			check:    func(err error) bool { var se *StatusError; return errors.As(err, &se) && se.Status == 500 },
			requests: 4, waits: 3,
		},
		{
			name: "401",
			respond: func(n int64, w http.ResponseWriter, r *http.Request) {
				http.Error(w, "bad key", http.StatusUnauthorized)
			},
			check:    func(err error) bool { var se *StatusError; return errors.As(err, &se) && se.Status == 401 },
			requests: 1,
		},
		{
			name:     "unparseable verdict",
			respond:  func(n int64, w http.ResponseWriter, r *http.Request) { w.Write([]byte(reply("Both are fine."))) },
			check:    func(err error) bool { return errors.Is(err, ErrUnparseable) },
			requests: 1,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newFakeServer(t, c.respond)
			var waits []time.Duration
			v, err := testJudge(t, s.URL, &waits).Judge(context.Background(), "post", "a", "b")
			if c.check == nil {
				require.NoError(t, err)
				assert.Equal(t, c.want, v)
			} else if assert.Error(t, err, "Judge = %v", v) {
				assert.True(t, c.check(err), "not the expected error: %v", err)
			}
			assert.Equal(t, c.requests, s.requests.Load(), "requests")
			assert.Len(t, waits, c.waits, "waits %v", waits)
			if c.name == "429 then success" && assert.NotEmpty(t, waits) {
				assert.Equal(t, 2*time.Second, waits[0], "wait after Retry-After: 2")
			}
		})
	}
}

// TestChatJudgeTimeout: a server slower than RequestTimeout makes every
// attempt time out; the judge retries, then fails with DeadlineExceeded.
func TestChatJudgeTimeout(t *testing.T) {
	s := newFakeServer(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a closed connection only once the body is read
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	var waits []time.Duration
	j := testJudge(t, s.URL, &waits)
	j.cfg.RequestTimeout = 20 * time.Millisecond
	_, err := j.Judge(context.Background(), "post", "a", "b")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, waits, 3, "retries")
}

// TestChatJudgeNetworkError: a refused connection is retried, then reported.
func TestChatJudgeNetworkError(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	url := s.URL
	s.Close()
	var waits []time.Duration
	_, err := testJudge(t, url, &waits).Judge(context.Background(), "post", "a", "b")
	assert.ErrorContains(t, err, "giving up after 4 attempts")
	assert.Len(t, waits, 3, "retries")
}

// TestChatJudgeCancel: cancelling the context during the backoff wait stops
// the judge with context.Canceled (the real sleep, backoff of an hour).
func TestChatJudgeCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := newFakeServer(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		cancel()
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	})
	var waits []time.Duration
	j := testJudge(t, s.URL, &waits)
	j.sleep = sleepContext
	j.cfg.InitialBackoff, j.cfg.MaxBackoff = time.Hour, time.Hour
	_, err := j.Judge(ctx, "post", "a", "b")
	assert.ErrorIs(t, err, context.Canceled)
}

// TestChatJudgeConcurrency: with Concurrency 2, no more than 2 requests
// reach the server at once although 8 goroutines call the judge.
func TestChatJudgeConcurrency(t *testing.T) {
	var mu sync.Mutex
	var inFlight, peak int
	s := newFakeServer(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		inFlight--
		mu.Unlock()
		w.Write([]byte(reply("Preferred: A")))
	})
	var waits []time.Duration
	j := testJudge(t, s.URL, &waits)
	j.slots = make(chan struct{}, 2)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := j.Judge(context.Background(), "p", "a", "b")
			assert.NoError(t, err) // another goroutine: assert, not require
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, peak, 2, "requests in flight")
}

func TestNewChatJudgeConfig(t *testing.T) {
	t.Setenv("DAA_TEST_EMPTY_KEY", "")
	cfg := DefaultChatConfig("http://localhost:1/v1", "m")
	cfg.APIKeyEnv = "DAA_TEST_EMPTY_KEY"
	_, err := NewChatJudge(cfg)
	assert.ErrorContains(t, err, "DAA_TEST_EMPTY_KEY", "missing key")
	cfg.AllowNoKey = true
	j, err := NewChatJudge(cfg)
	require.NoError(t, err)
	bad := []func(c *ChatConfig){
		func(c *ChatConfig) { c.BaseURL = "" },
		func(c *ChatConfig) { c.Model = "" },
		func(c *ChatConfig) { c.Template = "{{.Prompt" },
		func(c *ChatConfig) { c.Concurrency = 0 },
		func(c *ChatConfig) { c.RequestTimeout = 0 },
		func(c *ChatConfig) { c.Retries = -1 },
	}
	for i, f := range bad {
		c := cfg
		f(&c)
		_, err := NewChatJudge(c)
		assert.Error(t, err, "bad config %d accepted", i)
	}
	c := cfg
	c.Template = "Post {{.Prompt}}; 1: {{.A}}; 2: {{.B}}. Preferred: A or B?"
	j2, err := NewChatJudge(c)
	require.NoError(t, err)
	c.Temperature = 0.7
	j3, err := NewChatJudge(c)
	require.NoError(t, err)
	assert.NotEqual(t, j.ID(), j2.ID(), "IDs differ by template")
	assert.NotEqual(t, j2.ID(), j3.ID(), "IDs differ by temperature")
	assert.True(t, strings.HasPrefix(j.ID(), "chat:m:"), "ID %q", j.ID())
}

func TestBackoff(t *testing.T) {
	s := time.Second
	cases := []struct {
		attempt             int
		initial, max, after time.Duration
		u                   float64
		want                time.Duration
	}{
		{0, s, 60 * s, 0, 0, s / 2},
		{0, s, 60 * s, 0, 0.5, 3 * s / 4},
		{3, s, 60 * s, 0, 0, 4 * s},   // 8 s halved by the lowest jitter
		{10, s, 60 * s, 0, 0, 30 * s}, // capped at 60 s, then jittered
		{100, s, 60 * s, 0, 0, 30 * s},
		{0, s, 60 * s, 5 * s, 0, 5 * s},    // Retry-After is longer
		{0, s, 60 * s, 100 * s, 0, 60 * s}, // MaxBackoff caps Retry-After
	}
	for _, c := range cases {
		assert.Equal(t, c.want, backoff(c.attempt, c.initial, c.max, c.after, c.u), "backoff(%d, %v, %v, %v, %v)", c.attempt, c.initial, c.max, c.after, c.u)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0}, {"3", 3 * time.Second}, {"0", 0}, {"-4", 0}, {"soon", 0},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-10 * time.Second).Format(http.TimeFormat), 0},
	} {
		assert.Equal(t, c.want, parseRetryAfter(c.v, now), "parseRetryAfter(%q)", c.v)
	}
}

// TestChatJudgeWinRate runs WinRate end to end through a local endpoint
// that prefers the longer summary, and checks it against RewardJudge with a
// length reward on the same inputs (no ties: lengths differ in every pair).
func TestChatJudgeWinRate(t *testing.T) {
	s := newFakeServer(t, func(n int64, w http.ResponseWriter, r *http.Request) {
		var req chatRequest
		json.NewDecoder(r.Body).Decode(&req)
		msg := req.Messages[0].Content
		a := strings.SplitN(strings.SplitN(msg, "Summary A:\n", 2)[1], "\n", 2)[0]
		b := strings.SplitN(strings.SplitN(msg, "Summary B:\n", 2)[1], "\n", 2)[0]
		verdict := "A"
		if len(b) > len(a) {
			verdict = "B"
		}
		w.Write([]byte(reply("Comparison: one is longer.\nPreferred: " + verdict)))
	})
	var waits []time.Duration
	chat := testJudge(t, s.URL, &waits)
	prompts := []string{"p0", "p1", "p2", "p3"}
	cand := [][]string{{"xx", "xxxx"}, {"x"}, {"xxxxx"}, {"xxx", "x"}}
	ref := [][]string{{"xxx"}, {"xx", "xxxx"}, {"xxxx"}, {"xx"}}
	opt := WinRateOptions{Seed: 9, Concurrency: 4, Cache: NewCache()}
	got, err := WinRate(context.Background(), chat, prompts, cand, ref, opt)
	require.NoError(t, err)
	want, err := WinRate(context.Background(), RewardJudge{Name: "len", Reward: lengthReward}, prompts, cand, ref, opt)
	require.NoError(t, err)
	assert.Equal(t, want.WinRate, got.WinRate)
	assert.Zero(t, got.Errors)
	assert.EqualValues(t, 7, s.requests.Load(), "requests")
}
