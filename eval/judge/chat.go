package judge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"text/template"
	"time"
)

// ChatConfig configures a ChatJudge. Start from DefaultChatConfig; every
// field is used as given (zero retries means none).
type ChatConfig struct {
	// BaseURL of the OpenAI-compatible API, e.g. "https://api.openai.com/v1"
	// or "http://localhost:8000/v1"; requests go to BaseURL + "/chat/completions".
	BaseURL string
	Model   string // the "model" field of each request
	// APIKeyEnv names the environment variable holding the API key, sent as
	// "Authorization: Bearer <key>". The key is read once by NewChatJudge.
	APIKeyEnv string
	// AllowNoKey lets NewChatJudge succeed without a key (local servers);
	// otherwise an unset or empty APIKeyEnv is an error.
	AllowNoKey bool
	// Template is a text/template over TemplateData giving the user message.
	Template    string
	Temperature float64
	MaxTokens   int // the "max_tokens" field; 0 leaves it out
	// Retries is how many times a request is retried after a 408, 429 or 5xx
	// status, a network error or a per-request timeout.
	Retries int
	// Retry waits grow as InitialBackoff * 2^attempt, each multiplied by a
	// random factor in [0.5, 1) (jitter), then raised to the server's
	// Retry-After if that is longer; MaxBackoff caps every wait, Retry-After
	// included.
	InitialBackoff, MaxBackoff time.Duration
	RequestTimeout             time.Duration // limit on each HTTP attempt, reading the reply included
	Concurrency                int           // requests in flight at once across all callers of this judge
	Client                     *http.Client  // nil means http.DefaultClient
}

// DefaultChatConfig returns the configuration used unless changed: the
// TL;DR template, key from OPENAI_API_KEY, temperature 0, 5 retries with
// backoff from 1 s up to 60 s, 60 s per request, 4 requests in flight.
func DefaultChatConfig(baseURL, model string) ChatConfig {
	return ChatConfig{
		BaseURL:        baseURL,
		Model:          model,
		APIKeyEnv:      "OPENAI_API_KEY",
		Template:       TLDRTemplate,
		Retries:        5,
		InitialBackoff: time.Second,
		MaxBackoff:     time.Minute,
		RequestTimeout: time.Minute,
		Concurrency:    4,
	}
}

// ChatJudge is a Judge that asks a chat model behind an OpenAI-compatible
// chat-completions endpoint and parses its reply with ParseVerdict. It is
// safe for concurrent use and never sends more than Concurrency requests at
// once.
type ChatJudge struct {
	cfg    ChatConfig
	tmpl   *template.Template
	url    string
	key    string
	id     string
	slots  chan struct{}
	client *http.Client
	// sleep waits d or until ctx is done; tests replace it to record waits.
	sleep func(ctx context.Context, d time.Duration) error
}

// NewChatJudge checks cfg and returns a judge. It returns an error naming the
// field when BaseURL or Model is empty, Template does not parse, a duration or
// Concurrency is not positive, Retries is negative, or the API key variable is
// unset and AllowNoKey is false.
func NewChatJudge(cfg ChatConfig) (*ChatJudge, error) {
	switch {
	case cfg.BaseURL == "":
		return nil, fmt.Errorf("judge: ChatConfig.BaseURL is empty")
	case cfg.Model == "":
		return nil, fmt.Errorf("judge: ChatConfig.Model is empty")
	case cfg.Retries < 0:
		return nil, fmt.Errorf("judge: ChatConfig.Retries = %d is negative", cfg.Retries)
	case cfg.InitialBackoff <= 0 || cfg.MaxBackoff <= 0:
		return nil, fmt.Errorf("judge: ChatConfig.InitialBackoff = %v and MaxBackoff = %v must be positive", cfg.InitialBackoff, cfg.MaxBackoff)
	case cfg.RequestTimeout <= 0:
		return nil, fmt.Errorf("judge: ChatConfig.RequestTimeout = %v must be positive", cfg.RequestTimeout)
	case cfg.Concurrency < 1:
		return nil, fmt.Errorf("judge: ChatConfig.Concurrency = %d must be at least 1", cfg.Concurrency)
	}
	tmpl, err := template.New("judge").Option("missingkey=error").Parse(cfg.Template)
	if err != nil {
		return nil, fmt.Errorf("judge: ChatConfig.Template: %w", err)
	}
	key := os.Getenv(cfg.APIKeyEnv)
	if key == "" && !cfg.AllowNoKey {
		return nil, fmt.Errorf("judge: API key variable %q (ChatConfig.APIKeyEnv) is unset or empty; set it or set AllowNoKey", cfg.APIKeyEnv)
	}
	client := cfg.Client
	if client == nil {
		client = http.DefaultClient
	}
	// The ID covers every setting that changes verdicts, so cached verdicts
	// of one configuration are never reused for another.
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%s\x00%g\x00%d", cfg.BaseURL, cfg.Template, cfg.Temperature, cfg.MaxTokens))
	return &ChatJudge{
		cfg:    cfg,
		tmpl:   tmpl,
		url:    strings.TrimRight(cfg.BaseURL, "/") + "/chat/completions",
		key:    key,
		id:     "chat:" + cfg.Model + ":" + hex.EncodeToString(h[:6]),
		slots:  make(chan struct{}, cfg.Concurrency),
		client: client,
		sleep:  sleepContext,
	}, nil
}

// ID returns "chat:<model>:<hash of base URL, template, temperature, max tokens>".
func (j *ChatJudge) ID() string { return j.id }

// Judge renders the template for (prompt, a, b), sends it, and parses the
// reply. Errors: ctx's error when ctx is done; a *StatusError for a non-2xx
// status once retries are spent (401, 403 and other 4xx besides 408 and 429
// are not retried); an error for a reply that is not chat-completions JSON
// or has no content; an error wrapping ErrUnparseable when the reply states
// no verdict.
func (j *ChatJudge) Judge(ctx context.Context, prompt, a, b string) (Verdict, error) {
	var msg strings.Builder
	if err := j.tmpl.Execute(&msg, TemplateData{Prompt: prompt, A: a, B: b}); err != nil {
		return 0, fmt.Errorf("judge: executing template: %w", err)
	}
	body, err := json.Marshal(chatRequest{
		Model:       j.cfg.Model,
		Messages:    []chatMessage{{Role: "user", Content: msg.String()}},
		Temperature: j.cfg.Temperature,
		MaxTokens:   j.cfg.MaxTokens,
	})
	if err != nil {
		return 0, fmt.Errorf("judge: encoding request: %w", err)
	}
	select {
	case j.slots <- struct{}{}:
		defer func() { <-j.slots }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	reply, err := j.complete(ctx, body)
	if err != nil {
		return 0, err
	}
	v, err := ParseVerdict(reply)
	if err != nil {
		return 0, fmt.Errorf("judge %s: %w", j.id, err)
	}
	return v, nil
}

// chatRequest is the body of a chat-completions request.
type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Temperature float64       `json:"temperature"`
	MaxTokens   int           `json:"max_tokens,omitempty"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// chatResponse is the part of a chat-completions reply that is read.
type chatResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

// decodeReply returns the first choice's message content of a
// chat-completions reply body.
func decodeReply(body []byte) (string, error) {
	var r chatResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("judge: reply is not chat-completions JSON (%v): %q", err, snippet(string(body)))
	}
	if len(r.Choices) == 0 {
		return "", fmt.Errorf("judge: reply has no choices: %q", snippet(string(body)))
	}
	c := r.Choices[0].Message.Content
	if c == nil || strings.TrimSpace(*c) == "" {
		return "", fmt.Errorf("judge: reply has empty message content: %q", snippet(string(body)))
	}
	return *c, nil
}

// sleepContext waits d or until ctx is done, returning ctx's error then.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newRequest builds the POST of body to the endpoint under ctx.
func (j *ChatJudge) newRequest(ctx context.Context, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("judge: building request to %s: %w", j.url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if j.key != "" {
		req.Header.Set("Authorization", "Bearer "+j.key)
	}
	return req, nil
}
