package study

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/daalab/daa/align/data"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// makeTinySet writes examples/dpo's tiny setup into dir (a random GPT-NeoX
// model, hidden 32, with a byte-level BPE tokenizer learned from the data,
// and 256 easy preference pairs over 10 prompts) and renames the model
// directory to pythia-tiny. It returns the model directory and the pairs.
func makeTinySet(t *testing.T, dir string) (model, pairs string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs examples/dpo/makedata")
	}
	out, err := exec.Command("go", "run", "../../examples/dpo/makedata", "-out", dir).CombinedOutput()
	require.NoError(t, err, "go run examples/dpo/makedata:\n%s", out)
	model = filepath.Join(dir, "pythia-tiny")
	require.NoError(t, os.Rename(filepath.Join(dir, "model"), model))
	return model, filepath.Join(dir, "train.jsonl")
}

// tinyReal is a real-mode study small enough for a test: two objectives,
// two betas, 25 steps of 8 pairs (two micro-batches of 4) at a learning
// rate that moves the tiny model, three checkpoints.
func tinyReal(model, pairs, out string) (Options, *RealOptions) {
	o := DefaultOptions()
	r := DefaultRealOptions()
	r.Model, r.Data, r.MicroBatch, r.MaxNewTokens = model, pairs, 4, 12
	o.Out, o.Losses, o.Betas, o.Seeds, o.Seed = out, []string{"dpo", "ipo"}, []float64{0.1, 1}, 1, 3
	o.DAABatch, o.DAALR, o.Data.HeldOut, o.Data.EvalPrompts, o.SamplesPerEval, o.Checkpoints = 8, 1e-3, 16, 2, 4, 2
	return o, &r
}

// runReal runs the real mode as examples/overoptimization does: it
// switches o to r (keeping the -lr and -batch set above), loads the model
// and data, trains, evaluates and writes the report.
func runReal(o Options, r *RealOptions) error {
	o.UseReal(r, map[string]bool{"lr": true, "batch": true})
	if err := o.Validate(); err != nil {
		return err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	task, err := NewReal(&o, io.Discard)
	if err != nil {
		return err
	}
	defer task.Close()
	results, err := Run(o, task, io.Discard)
	if err != nil {
		return err
	}
	_, err = WriteReport(o, task, results)
	return err
}

// fakeChatServer mimics an OpenAI-compatible chat-completions endpoint
// judging with the TL;DR template: it prefers the summary with fewer
// characters ("Preferred: Tie" when equal), the rule of the length judge,
// and checks the API key. It counts the requests it answers.
func fakeChatServer(t *testing.T, key string, requests *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/chat/completions" || r.Header.Get("Authorization") != "Bearer "+key {
			http.Error(w, "bad path or key", http.StatusUnauthorized)
			return
		}
		var req struct {
			Messages []struct{ Content string } `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		msg := req.Messages[len(req.Messages)-1].Content
		_, rest, okA := strings.Cut(msg, "Summary A:\n")
		a, rest, okB := strings.Cut(rest, "\n\nSummary B:\n")
		b, _, okEnd := strings.Cut(rest, "\n\nFIRST provide")
		if !okA || !okB || !okEnd {
			http.Error(w, "not the TL;DR template", http.StatusBadRequest)
			return
		}
		verdict := "Tie"
		switch la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b); {
		case la < lb:
			verdict = "A"
		case lb < la:
			verdict = "B"
		}
		requests.Add(1)
		reply := map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant",
			"content": "Comparison: the shorter one is better.\nPreferred: " + verdict}}}}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(reply)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRealModeEndToEnd trains and evaluates the tiny study in the real mode
// twice: with the LLM judge against a local chat-completions server that
// prefers the shorter summary, and with the length judge, which applies the
// same rule in process. The two points.csv must be byte-identical (the
// HTTP path, template, verdict parsing and position flips change nothing);
// the numbers must be sane; and a rerun of the LLM judge must be answered
// from its verdict cache without a single request.
func TestRealModeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	model, pairs := makeTinySet(t, dir)
	var requests atomic.Int64
	srv := fakeChatServer(t, "test-key", &requests)
	t.Setenv("DAA_TEST_JUDGE_KEY", "test-key")
	llmOut, lengthOut := filepath.Join(dir, "llm"), filepath.Join(dir, "length")
	llm := func() error {
		o, r := tinyReal(model, pairs, llmOut)
		r.Judge, r.JudgeURL, r.JudgeModel, r.JudgeKeyEnv = "llm", srv.URL, "fake", "DAA_TEST_JUDGE_KEY"
		return runReal(o, r)
	}
	require.NoError(t, llm())
	require.Positive(t, requests.Load(), "the LLM judge sent no request")
	o, r := tinyReal(model, pairs, lengthOut)
	r.Judge = "length"
	require.NoError(t, runReal(o, r))

	llmCSV, err := os.ReadFile(filepath.Join(llmOut, "points.csv"))
	require.NoError(t, err)
	lengthCSV, err := os.ReadFile(filepath.Join(lengthOut, "points.csv"))
	require.NoError(t, err)
	assert.Equal(t, string(lengthCSV), string(llmCSV), "points.csv with the LLM judge (a server applying the length rule) differs from the length judge's")
	checkRealPoints(t, llmCSV)
	for _, out := range []string{llmOut, lengthOut} {
		assert.NoError(t, VerifySummary(filepath.Join(out, "summary.json")))
		for _, f := range []string{"winrate_vs_sqrt_kl_pythia-tiny.png", "training_curves.png", "report.md"} {
			fi, err := os.Stat(filepath.Join(out, f))
			if assert.NoError(t, err) {
				assert.Positive(t, fi.Size(), f)
			}
		}
		rep, err := os.ReadFile(filepath.Join(out, "report.md"))
		require.NoError(t, err)
		assert.Contains(t, string(rep), "## Real model and data")
	}

	sent := requests.Load()
	require.NoError(t, llm())
	assert.Equal(t, sent, requests.Load(), "a rerun into the same output sent judge requests; want all cached")
	again, err := os.ReadFile(filepath.Join(llmOut, "points.csv"))
	require.NoError(t, err)
	assert.Equal(t, string(llmCSV), string(again), "the rerun's points.csv differs")
}

// checkRealPoints checks the rows of the tiny study's points.csv: KL 0 at
// the start to float32 noise and clearly positive at the end of the beta
// 0.1 runs; accuracy 0 at the start, as every margin is 0, and above chance
// at the end on easy pairs.
func checkRealPoints(t *testing.T, csvData []byte) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(csvData)).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	const runs, checkpoints = 4, 3 // {dpo, ipo} x {0.1, 1}; 2 checkpoints plus the start
	require.Len(t, rows, 1+runs*checkpoints)
	val := func(row []string, name string) float64 {
		v, err := strconv.ParseFloat(row[col[name]], 64)
		require.NoError(t, err, name)
		return v
	}
	for _, row := range rows[1:] {
		id := strings.Join(row[:5], " ")
		assert.Equal(t, "pythia-tiny", row[col["size"]], id)
		for _, name := range []string{"winrate", "no_eos_rate", "frac_over_max", "implicit_acc"} {
			v := val(row, name)
			assert.True(t, v >= 0 && v <= 1, "%s: %s = %v outside [0, 1]", id, name, v)
		}
		v := val(row, "mean_length")
		assert.True(t, v > 0 && v <= 12, "%s: mean_length %v outside (0, 12] (12 new tokens)", id, v)
		switch row[col["checkpoint"]] {
		case "0":
			assert.InDelta(t, 0, val(row, "kl"), 1e-4, "%s: KL at the start (policy = reference; float32 sums)", id)
			assert.Zero(t, val(row, "implicit_acc"), "%s: every margin is 0 at the start and ties count as wrong", id)
		case "2":
			if row[col["beta"]] == "0.1" {
				assert.Greater(t, val(row, "kl"), 0.1, "%s: final KL after 25 steps at lr 1e-3 and beta 0.1", id)
			}
			assert.Greater(t, val(row, "implicit_acc"), 0.5, "%s: final implicit accuracy on the easy pairs", id)
		}
	}
}

// TestRealModeBadInput checks that bad files and settings stop the real
// mode before training, with errors naming the file or setting, and that a
// judge whose replies state no verdict stops the run rather than scoring
// ties.
func TestRealModeBadInput(t *testing.T) {
	dir := t.TempDir()
	model, pairs := makeTinySet(t, dir)
	noTok := filepath.Join(dir, "no-tokenizer")
	require.NoError(t, os.MkdirAll(noTok, 0o755))
	for _, f := range []string{"config.json", "model.safetensors"} {
		b, err := os.ReadFile(filepath.Join(model, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(noTok, f), b, 0o644))
	}
	undecided := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"choices": [{"message": {"role": "assistant", "content": "Both are fine."}}]}`)
	}))
	defer undecided.Close()
	for _, c := range []struct {
		name string
		set  func(o *Options, r *RealOptions)
		want string
	}{
		{"missing model", func(o *Options, r *RealOptions) { r.Model = filepath.Join(dir, "absent") }, "absent: no such directory"},
		{"model file", func(o *Options, r *RealOptions) { r.Model = pairs }, "not a directory"},
		{"no tokenizer", func(o *Options, r *RealOptions) { r.Model = noTok }, "no tokenizer.json in " + noTok},
		{"missing tokenizer file", func(o *Options, r *RealOptions) { r.Model, r.Tokenizer = noTok, filepath.Join(dir, "tok.json") }, "tok.json"},
		{"missing data", func(o *Options, r *RealOptions) { r.Data = filepath.Join(dir, "absent.jsonl") }, "absent.jsonl"},
		{"not TL;DR", func(o *Options, r *RealOptions) { r.TLDR = true }, "train.jsonl"},
		{"all dropped", func(o *Options, r *RealOptions) { r.MaxLength, r.MaxPromptLength = 3, 0 }, "no pair left after truncation to -max-length 3"},
		{"too few prompts", func(o *Options, r *RealOptions) { o.Data.EvalPrompts = 11 }, "-eval-prompts"},
		{"judge undecided", func(o *Options, r *RealOptions) {
			r.Judge, r.JudgeURL, r.JudgeKeyEnv, r.MaxNewTokens = "llm", undecided.URL, "", 4
			o.Losses, o.Betas, o.SamplesPerEval = []string{"dpo"}, []float64{1}, 2
		}, "the judge failed 4 of 4 comparisons"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o, r := tinyReal(model, pairs, filepath.Join(dir, "out"))
			r.Judge = "length"
			c.set(&o, r)
			err := runReal(o, r)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestRealModeHubIDAndTLDR runs the real mode on a model named by hub id,
// resolved in a local Hugging Face cache laid out as huggingface_hub lays it
// out (refs/main, snapshots/SHA), with summarize_from_feedback comparisons
// (TLDR) written for the test: 8 posts, 5 comparisons each.
func TestRealModeHubIDAndTLDR(t *testing.T) {
	dir := t.TempDir()
	model, _ := makeTinySet(t, dir)
	cache := filepath.Join(dir, "hub")
	const sha = "0123456789abcdef0123456789abcdef01234567"
	repo := filepath.Join(cache, "models--test-org--pythia-tiny")
	snap := filepath.Join(repo, "snapshots", sha)
	for _, d := range []string{snap, filepath.Join(repo, "refs")} {
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(repo, "refs", "main"), []byte(sha), 0o644))
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json"} {
		require.NoError(t, os.Symlink(filepath.Join(model, f), filepath.Join(snap, f)))
	}
	t.Setenv("HF_HUB_CACHE", cache)
	_, err := loadRealModel(RealOptions{Model: "test-org/absent"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not in the local Hugging Face cache")

	var rows bytes.Buffer
	enc := json.NewEncoder(&rows)
	for i := range 40 {
		post := i % 8
		row := map[string]any{
			"info": map[string]any{"id": fmt.Sprint(post), "subreddit": "pets", "title": fmt.Sprintf("About my cats, part %d", post),
				"post": fmt.Sprintf("My %d cats are calm and kind but the dogs are noisy.", post+2)},
			"summaries": []any{map[string]any{"text": " Cats are kind and calm."}, map[string]any{"text": fmt.Sprintf(" Dogs are rude %d.", i)}},
			"choice":    0,
		}
		require.NoError(t, enc.Encode(row))
	}
	tldr := filepath.Join(dir, "comparisons.jsonl")
	require.NoError(t, os.WriteFile(tldr, rows.Bytes(), 0o644))
	out := filepath.Join(dir, "out")
	o, r := tinyReal("test-org/pythia-tiny", tldr, out)
	r.TLDR, r.Judge, r.MicroBatch, r.MaxNewTokens = true, "length", 4, 8
	o.Losses, o.Betas, o.DAABatch, o.Data.HeldOut, o.SamplesPerEval = []string{"dpo"}, []float64{0.1}, 4, 8, 2
	require.NoError(t, runReal(o, r))
	files, err := filepath.Glob(filepath.Join(out, "runs", "*.json"))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(out, "runs", "dpo_b0.1_pythia-tiny_s3.json")}, files)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	var run RunResult
	require.NoError(t, json.Unmarshal(b, &run))
	assert.Len(t, run.Points, 3)
	require.NotNil(t, run.Settings)
	assert.Equal(t, 30, run.Settings.Data.TrainPairs, "40 comparisons on 8 posts, 2 posts held out")
}

// TestModelName checks the size column's model names.
func TestModelName(t *testing.T) {
	for in, want := range map[string]string{
		"EleutherAI/pythia-70m":          "pythia-70m",
		"EleutherAI/pythia-70m@step3000": "pythia-70m@step3000",
		"/models/pythia-160m/":           "pythia-160m",
		"sft":                            "sft",
	} {
		assert.Equal(t, want, ModelName(in), in)
	}
}

// TestTruncatePair checks TRL's truncation on hand-made pairs (EOS = 9):
// the prompt keeps its end, the response its start, EOS is appended and
// cut like any token, and a prompt that fills the budget drops the pair.
func TestTruncatePair(t *testing.T) {
	tp := data.TokenizedPair{Prompt: []int{1, 2, 3, 4}, Chosen: []int{5, 6}, Rejected: []int{7}}
	for _, c := range []struct {
		maxLength, maxPrompt int
		want                 realPair
		cut, dropped         bool
	}{
		{10, 8, realPair{Prompt: []int{1, 2, 3, 4}, Chosen: []int{5, 6, 9}, Rejected: []int{7, 9}}, false, false},
		{10, 2, realPair{Prompt: []int{3, 4}, Chosen: []int{5, 6, 9}, Rejected: []int{7, 9}}, true, false},
		{6, 0, realPair{Prompt: []int{1, 2, 3, 4}, Chosen: []int{5, 6}, Rejected: []int{7, 9}}, true, false},
		{5, 3, realPair{Prompt: []int{2, 3, 4}, Chosen: []int{5, 6}, Rejected: []int{7, 9}}, true, false},
		{4, 0, realPair{}, true, true},
	} {
		got, cut := truncatePair(tp, 9, c.maxLength, c.maxPrompt)
		assert.Equal(t, c.want, got, "max-length %d, max-prompt-length %d", c.maxLength, c.maxPrompt)
		assert.Equal(t, c.cut, cut, "max-length %d, max-prompt-length %d", c.maxLength, c.maxPrompt)
		assert.Equal(t, c.dropped, got.Prompt == nil)
	}
}

// TestSplitRealHoldsOutWholePrompts checks that no held-out prompt is
// trained on and that the sizes asked for are met.
func TestSplitRealHoldsOutWholePrompts(t *testing.T) {
	var pairs []realPair
	for i := range 60 {
		text := fmt.Sprintf("prompt %d", i%7) // 7 prompts, 8 or 9 pairs each
		pairs = append(pairs, realPair{Prompt: []int{i % 7}, Chosen: []int{1}, Rejected: []int{2}, PromptText: text, ChosenText: "c"})
	}
	o := DefaultOptions()
	o.Real = &RealOptions{Data: "x"}
	o.Data.HeldOut, o.Data.EvalPrompts, o.DAABatch, o.Data.TrainPairs = 10, 3, 4, 0
	set := &realSet{}
	require.NoError(t, splitReal(o, set, pairs))
	require.Len(t, set.HeldOut, 10)
	require.Len(t, set.Eval, 3)
	held := map[string]bool{}
	for _, e := range set.Eval {
		held[e.Text] = true
	}
	for _, p := range set.HeldOut {
		held[p.PromptText] = true
	}
	for _, p := range set.Train {
		assert.False(t, held[p.PromptText], "training pair on held-out prompt %q", p.PromptText)
	}
	assert.NotEmpty(t, set.Train)
	assert.LessOrEqual(t, len(set.Train)+len(set.HeldOut), len(pairs))
	o.Data.EvalPrompts = 7
	assert.Error(t, splitReal(o, &realSet{}, pairs), "holding out every prompt was accepted")
}

// TestRepeatedTrigrams checks the real mode's junk count on hand-made
// sequences.
func TestRepeatedTrigrams(t *testing.T) {
	for _, c := range []struct {
		y    []int
		want int
	}{
		{nil, 0},
		{[]int{1, 2, 3, 4}, 0},
		{[]int{1, 2, 3, 1, 2, 3}, 1},
		{[]int{7, 7, 7, 7, 7}, 2},
		{[]int{1, 2, 3, 1, 2, 3, 1, 2, 3}, 4},
	} {
		assert.Equal(t, c.want, repeatedTrigrams(c.y), "%v", c.y)
	}
}
