package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
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
	if out, err := exec.Command("go", "run", "../dpo/makedata", "-out", dir).CombinedOutput(); err != nil {
		t.Fatalf("go run ../dpo/makedata: %v\n%s", err, out)
	}
	model = filepath.Join(dir, "pythia-tiny")
	if err := os.Rename(filepath.Join(dir, "model"), model); err != nil {
		t.Fatal(err)
	}
	return model, filepath.Join(dir, "train.jsonl")
}

// tinyRealArgs is a real-mode study small enough for a test: two
// objectives, two betas, 25 steps of 8 pairs at a learning rate that moves
// the tiny model, three checkpoints.
func tinyRealArgs(model, pairs string) []string {
	return []string{"-model", model, "-data", pairs, "-losses", "dpo,ipo", "-betas", "0.1,1", "-seeds", "1", "-seed", "3",
		"-batch", "8", "-micro-batch", "3", "-lr", "1e-3", "-heldout-pairs", "16", "-eval-prompts", "2", "-samples", "4",
		"-checkpoints", "2", "-max-new-tokens", "12"}
}

// fakeChatServer mimics an OpenAI-compatible chat-completions endpoint
// judging with the TL;DR template: it prefers the summary with fewer
// characters ("Preferred: Tie" when equal), the rule of -judge length, and
// checks the API key. It counts the requests it answers.
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
// twice: with -judge llm against a local chat-completions server that
// prefers the shorter summary, and with -judge length, which applies the
// same rule in process. The two points.csv must be byte-identical (the
// HTTP path, template, verdict parsing and position flips change nothing);
// the numbers must be sane (KL 0 at the start to float32 noise and clearly
// positive at the end of the beta 0.1 runs; accuracy 0 at the start, as every
// margin is 0, and above chance at the end on easy pairs); and a rerun of the
// LLM judge must be answered from its verdict cache without a single request.
func TestRealModeEndToEnd(t *testing.T) {
	dir := t.TempDir()
	model, pairs := makeTinySet(t, dir)
	var requests atomic.Int64
	srv := fakeChatServer(t, "test-key", &requests)
	t.Setenv("DAA_TEST_JUDGE_KEY", "test-key")
	llmOut, lengthOut := filepath.Join(dir, "llm"), filepath.Join(dir, "length")
	llmArgs := append(tinyRealArgs(model, pairs), "-judge", "llm", "-judge-url", srv.URL, "-judge-model", "fake",
		"-judge-key-env", "DAA_TEST_JUDGE_KEY", "-out", llmOut)
	if err := run(llmArgs); err != nil {
		t.Fatal(err)
	}
	if requests.Load() == 0 {
		t.Fatal("-judge llm sent no request to the judge")
	}
	if err := run(append(tinyRealArgs(model, pairs), "-judge", "length", "-out", lengthOut)); err != nil {
		t.Fatal(err)
	}
	llmCSV, err := os.ReadFile(filepath.Join(llmOut, "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lengthCSV, err := os.ReadFile(filepath.Join(lengthOut, "points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(llmCSV, lengthCSV) {
		t.Errorf("points.csv with -judge llm (a server applying the length rule) differs from -judge length:\n%s\nvs\n%s", llmCSV, lengthCSV)
	}
	checkRealPoints(t, llmCSV)
	for _, out := range []string{llmOut, lengthOut} {
		if err := verifySummary(filepath.Join(out, "summary.json")); err != nil {
			t.Error(err)
		}
		for _, f := range []string{"winrate_vs_sqrt_kl_pythia-tiny.png", "training_curves.png", "report.md"} {
			if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
				t.Errorf("%s lacks %s (%v)", out, f, err)
			}
		}
		rep, err := os.ReadFile(filepath.Join(out, "report.md"))
		if err != nil || !bytes.Contains(rep, []byte("## Real model and data")) {
			t.Errorf("%s/report.md lacks the real-mode note (%v)", out, err)
		}
	}

	sent := requests.Load()
	if err := run(llmArgs); err != nil {
		t.Fatal(err)
	}
	if n := requests.Load() - sent; n != 0 {
		t.Errorf("a rerun into the same -out sent %d judge requests; want 0 (all cached)", n)
	}
	again, err := os.ReadFile(filepath.Join(llmOut, "points.csv"))
	if err != nil || !bytes.Equal(again, llmCSV) {
		t.Errorf("the rerun's points.csv differs (%v)", err)
	}
}

// checkRealPoints checks the rows of the tiny study's points.csv.
func checkRealPoints(t *testing.T, csvData []byte) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(csvData)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	const runs, checkpoints = 4, 3 // {dpo, ipo} x {0.1, 1}; -checkpoints 2 plus the start
	if len(rows)-1 != runs*checkpoints {
		t.Fatalf("points.csv has %d rows, want %d", len(rows)-1, runs*checkpoints)
	}
	val := func(row []string, name string) float64 {
		v, err := strconv.ParseFloat(row[col[name]], 64)
		if err != nil {
			t.Fatalf("column %s: %v", name, err)
		}
		return v
	}
	for _, row := range rows[1:] {
		id := strings.Join(row[:5], " ")
		if row[col["size"]] != "pythia-tiny" {
			t.Errorf("%s: size %q, want the model's name pythia-tiny", id, row[col["size"]])
		}
		for _, name := range []string{"winrate", "no_eos_rate", "frac_over_max", "implicit_acc"} {
			if v := val(row, name); !(v >= 0 && v <= 1) {
				t.Errorf("%s: %s = %v outside [0, 1]", id, name, v)
			}
		}
		if v := val(row, "mean_length"); !(v > 0 && v <= 12) {
			t.Errorf("%s: mean_length %v outside (0, 12] (-max-new-tokens 12)", id, v)
		}
		switch row[col["checkpoint"]] {
		case "0":
			if kl := val(row, "kl"); math.Abs(kl) > 1e-4 {
				t.Errorf("%s: KL %v at the start, want 0 (policy = reference; tolerance 1e-4 for float32 sums)", id, kl)
			}
			if acc := val(row, "implicit_acc"); acc != 0 {
				t.Errorf("%s: implicit accuracy %v at the start, want 0 (every margin is 0, ties count as wrong)", id, acc)
			}
		case "2":
			if kl := val(row, "kl"); row[col["beta"]] == "0.1" && !(kl > 0.1) {
				t.Errorf("%s: final KL %v, want > 0.1 after 25 steps at lr 1e-3 and beta 0.1", id, kl)
			}
			if acc := val(row, "implicit_acc"); !(acc > 0.5) {
				t.Errorf("%s: final implicit accuracy %v, want > 0.5 on the easy pairs", id, acc)
			}
		}
	}
}

// TestRealModeBadInput checks that bad files and settings stop the real
// mode before training, with errors naming the file or flag, and that a
// judge whose replies state no verdict stops the run rather than scoring
// ties.
func TestRealModeBadInput(t *testing.T) {
	dir := t.TempDir()
	model, pairs := makeTinySet(t, dir)
	noTok := filepath.Join(dir, "no-tokenizer")
	if err := os.MkdirAll(noTok, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.json", "model.safetensors"} {
		b, err := os.ReadFile(filepath.Join(model, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(noTok, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("DAA_TEST_UNSET_KEY", "")
	undecided := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"choices": [{"message": {"role": "assistant", "content": "Both are fine."}}]}`)
	}))
	defer undecided.Close()
	base := []string{"-judge", "length", "-batch", "8", "-heldout-pairs", "16", "-eval-prompts", "2", "-out", filepath.Join(dir, "out")}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"missing model", []string{"-model", filepath.Join(dir, "absent"), "-data", pairs}, "absent: no such directory"},
		{"model file", []string{"-model", pairs, "-data", pairs}, "not a directory"},
		{"no tokenizer", []string{"-model", noTok, "-data", pairs}, "no tokenizer.json in " + noTok},
		{"missing tokenizer file", []string{"-model", noTok, "-data", pairs, "-tokenizer", filepath.Join(dir, "tok.json")}, "tok.json"},
		{"missing data", []string{"-model", model, "-data", filepath.Join(dir, "absent.jsonl")}, "absent.jsonl"},
		{"not TL;DR", []string{"-model", model, "-data", pairs, "-tldr"}, "train.jsonl"},
		{"all dropped", []string{"-model", model, "-data", pairs, "-max-length", "3", "-max-prompt-length", "0"}, "no pair left after truncation to -max-length 3"},
		{"too few prompts", []string{"-model", model, "-data", pairs, "-eval-prompts", "11"}, "-eval-prompts"},
		{"judge key", []string{"-model", model, "-data", pairs, "-judge", "llm", "-judge-key-env", "DAA_TEST_UNSET_KEY"}, "DAA_TEST_UNSET_KEY"},
		{"judge undecided", []string{"-model", model, "-data", pairs, "-judge", "llm", "-judge-url", undecided.URL, "-judge-key-env=",
			"-losses", "dpo", "-betas", "1", "-seeds", "1", "-max-new-tokens", "4"}, "the judge failed 4 of 4 comparisons"},
	} {
		err := run(append(append([]string{}, base...), c.args...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestRealModeHubIDAndTLDR runs the real mode on a model named by hub id,
// resolved in a local Hugging Face cache laid out as huggingface_hub lays it
// out (refs/main, snapshots/SHA), with summarize_from_feedback comparisons
// (-tldr) written for the test: 8 posts, 5 comparisons each.
func TestRealModeHubIDAndTLDR(t *testing.T) {
	dir := t.TempDir()
	model, _ := makeTinySet(t, dir)
	cache := filepath.Join(dir, "hub")
	const sha = "0123456789abcdef0123456789abcdef01234567"
	repo := filepath.Join(cache, "models--test-org--pythia-tiny")
	snap := filepath.Join(repo, "snapshots", sha)
	for _, d := range []string{snap, filepath.Join(repo, "refs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "refs", "main"), []byte(sha), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json"} {
		if err := os.Symlink(filepath.Join(model, f), filepath.Join(snap, f)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HF_HUB_CACHE", cache)
	if _, err := loadRealModel(realOptions{Model: "test-org/absent"}); err == nil || !strings.Contains(err.Error(), "not in the local Hugging Face cache") {
		t.Errorf("an absent hub id gave %v", err)
	}

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
		if err := enc.Encode(row); err != nil {
			t.Fatal(err)
		}
	}
	tldr := filepath.Join(dir, "comparisons.jsonl")
	if err := os.WriteFile(tldr, rows.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	err := run([]string{"-model", "test-org/pythia-tiny", "-data", tldr, "-tldr", "-judge", "length", "-losses", "dpo", "-betas", "0.1",
		"-seeds", "1", "-batch", "4", "-micro-batch", "4", "-lr", "1e-3", "-heldout-pairs", "8", "-eval-prompts", "2", "-checkpoints", "2",
		"-max-new-tokens", "8", "-out", out})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := readRuns([]string{out})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Spec.Size != "pythia-tiny" || len(runs[0].Points) != 3 {
		t.Fatalf("runs %+v, want one run of pythia-tiny with 3 points", runs)
	}
}

// TestRealFlags checks the real mode's defaults and the flags it rejects.
func TestRealFlags(t *testing.T) {
	t.Setenv("DAA_TEST_JUDGE_KEY", "k")
	o, err := parseFlags([]string{"-model", "EleutherAI/pythia-70m", "-data", "x.jsonl", "-judge-key-env", "DAA_TEST_JUDGE_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(o.Sizes, []string{"pythia-70m"}) || o.DAALR != 5e-7 || o.DAABatch != 64 || o.Workers != 1 ||
		o.Data.TrainPairs != 0 || o.Real.Judge != "llm" || o.Real.JudgeModel != "gpt-4o-mini" || o.Real.JudgeURL != "https://api.openai.com/v1" {
		t.Errorf("real-mode defaults: sizes %v lr %v batch %d workers %d train-pairs %d judge %s %s %s",
			o.Sizes, o.DAALR, o.DAABatch, o.Workers, o.Data.TrainPairs, o.Real.Judge, o.Real.JudgeModel, o.Real.JudgeURL)
	}
	set, err := parseFlags([]string{"-model", "m", "-data", "d", "-judge", "length", "-lr", "1e-6", "-batch", "32", "-train-pairs", "100"})
	if err != nil {
		t.Fatal(err)
	}
	if set.DAALR != 1e-6 || set.DAABatch != 32 || set.Data.TrainPairs != 100 {
		t.Errorf("given -lr, -batch, -train-pairs were replaced: %v %d %d", set.DAALR, set.DAABatch, set.Data.TrainPairs)
	}
	realArgs := []string{"-model", "m", "-data", "d", "-judge", "length"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", "m"}, "-model needs -data"},
		{[]string{"-data", "d"}, "-data needs -model"},
		{[]string{"-judge", "length"}, "-judge applies with -model and -data only"},
		{[]string{"-max-length", "64"}, "-max-length applies with -model"},
		{append(realArgs, "-sizes", "S"), "-sizes applies to the synthetic task only"},
		{append(realArgs, "-sft-steps", "5"), "-sft-steps applies to the synthetic task only"},
		{append(realArgs, "-shard", "0/2"), "-shard applies to the synthetic task only"},
		{append(realArgs, "-workers", "2"), "-workers applies to the synthetic task only"},
		{append(realArgs, "-judge", "gpt"), `-judge "gpt"`},
		{append(realArgs, "-max-prompt-length", "512"), "-max-prompt-length 512"},
		{append(realArgs, "-max-length", "1"), "-max-length 1"},
		{append(realArgs, "-micro-batch", "65"), "-micro-batch 65"},
		{append(realArgs, "-epochs", "0"), "-epochs 0"},
		{append(realArgs, "-train-pairs", "10"), "-train-pairs 10"},
		{append(realArgs, "-max-new-tokens", "0"), "-max-new-tokens 0"},
		{append(realArgs, "-judge-concurrency", "0"), "-judge-concurrency 0"},
		{append(realArgs, "-losses", "kto"), "unknown objective"},
	} {
		if _, err := parseFlags(c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parseFlags(%v): %v, want an error containing %q", c.args, err, c.want)
		}
	}
}

// TestModelName checks the Size column's model names.
func TestModelName(t *testing.T) {
	for in, want := range map[string]string{
		"EleutherAI/pythia-70m":          "pythia-70m",
		"EleutherAI/pythia-70m@step3000": "pythia-70m@step3000",
		"/models/pythia-160m/":           "pythia-160m",
		"sft":                            "sft",
	} {
		if got := modelName(in); got != want {
			t.Errorf("modelName(%q) = %q, want %q", in, got, want)
		}
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
		if cut != c.cut || (got.Prompt == nil) != c.dropped || !reflect.DeepEqual(got, c.want) {
			t.Errorf("max-length %d, max-prompt-length %d: %+v (cut %v), want %+v (cut %v)", c.maxLength, c.maxPrompt, got, cut, c.want, c.cut)
		}
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
	o := defaultOptions()
	o.Real = &realOptions{Data: "x"}
	o.Data.HeldOut, o.Data.EvalPrompts, o.DAABatch, o.Data.TrainPairs = 10, 3, 4, 0
	set := &realSet{}
	if err := splitReal(o, set, pairs); err != nil {
		t.Fatal(err)
	}
	if len(set.HeldOut) != 10 || len(set.Eval) != 3 {
		t.Fatalf("held out %d pairs and %d prompts, want 10 and 3", len(set.HeldOut), len(set.Eval))
	}
	held := map[string]bool{}
	for _, e := range set.Eval {
		held[e.Text] = true
	}
	for _, p := range set.HeldOut {
		held[p.PromptText] = true
	}
	for _, p := range set.Train {
		if held[p.PromptText] {
			t.Fatalf("training pair on held-out prompt %q", p.PromptText)
		}
	}
	if len(set.Train) == 0 || len(set.Train)+len(set.HeldOut) > len(pairs) {
		t.Errorf("%d training pairs", len(set.Train))
	}
	o.Data.EvalPrompts = 7
	if err := splitReal(o, &realSet{}, pairs); err == nil {
		t.Error("holding out every prompt was accepted")
	}
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
		if got := repeatedTrigrams(c.y); got != c.want {
			t.Errorf("repeatedTrigrams(%v) = %d, want %d", c.y, got, c.want)
		}
	}
}

// TestAccumulationMatchesOneBatch checks that a step's gradient accumulated
// over micro-batches of 1, 2 and 4 pairs equals the gradient of the whole
// batch of 4 in one pass (the losses are per pair, so the batch mean is the
// share-weighted sum of micro-batch means). Tolerance: 1e-5 relative to the
// largest gradient entry, float32 sums in a different order.
func TestAccumulationMatchesOneBatch(t *testing.T) {
	cfg, err := pythia.Preset("pythia-14m")
	if err != nil {
		t.Fatal(err)
	}
	cfg.VocabSize, cfg.HiddenSize, cfg.NumHiddenLayers, cfg.NumAttentionHeads, cfg.IntermediateSize = 40, 16, 2, 2, 32
	m, err := pythia.NewRandom(cfg, tensor.Float32, 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	seq := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = 1 + rng.IntN(cfg.VocabSize-1)
		}
		return out
	}
	set := &realSet{}
	for i := range 4 {
		set.Train = append(set.Train, realPair{Prompt: seq(3 + i), Chosen: append(seq(2+i%2), 0), Rejected: append(seq(4-i%3), 0)})
	}
	o := defaultOptions()
	o.Real = &realOptions{MicroBatch: 4, MaxNewTokens: 1}
	ref, err := newRealReference(o, &realModel{name: "tiny", model: m, eos: 0}, set)
	if err != nil {
		t.Fatal(err)
	}
	// A policy away from the reference, so that the margins are not all 0.
	policy, err := cloneModel(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policy.Params() {
		d := p.Value.Data.ToFloat64s()
		for i := range d {
			d[i] += 0.05 * rng.NormFloat64()
		}
		p.Value.Data.CopyFrom(tensor.FromValues(tensor.Float32, d, p.Value.Data.Shape()...))
	}
	grads := func(micro int) []float64 {
		eng, err := fast.New(policy, 2*micro, ref.trainSeq)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range policy.Params() {
			p.Value.Grad = nil
		}
		loss, err := newLoss("dpo", 0.5)
		if err != nil {
			t.Fatal(err)
		}
		idx := []int{0, 1, 2, 3}
		for lo := 0; lo < len(idx); lo += micro {
			part := idx[lo:min(lo+micro, len(idx))]
			if err := accumulatePairGrad(&scorer{eng: eng}, loss, ref, part, float64(len(part))/float64(len(idx))); err != nil {
				t.Fatal(err)
			}
		}
		var out []float64
		for _, p := range policy.Params() {
			if p.Value.Grad != nil {
				out = append(out, p.Value.Grad.ToFloat64s()...)
			}
		}
		return out
	}
	whole := grads(4)
	scale := 0.0
	for _, g := range whole {
		scale = math.Max(scale, math.Abs(g))
	}
	if scale == 0 {
		t.Fatal("zero gradient")
	}
	for _, micro := range []int{1, 2} {
		got := grads(micro)
		if len(got) != len(whole) {
			t.Fatalf("micro-batch %d: %d gradient entries, want %d", micro, len(got), len(whole))
		}
		worst := 0.0
		for i := range got {
			worst = math.Max(worst, math.Abs(got[i]-whole[i]))
		}
		if worst > 1e-5*scale {
			t.Errorf("micro-batch %d: max |grad - grad(whole batch)| = %g, want <= 1e-5 * %g", micro, worst, scale)
		}
	}
}
