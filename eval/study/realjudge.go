package study

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/daalab/daa/eval/judge"
	"github.com/daalab/daa/pythia/tokenizer"
)

// judgeCacheFile holds the LLM judge's verdicts in -out, so that a rerun
// (or a second seed sampling the same text) does not pay for them again.
const judgeCacheFile = "judge_cache.jsonl"

// maxJudgeFailures is the share of comparisons the judge may fail to decide
// (after its retries) at one checkpoint before the run stops: those are left
// out of the win rate and counted in the log, never scored as ties.
const maxJudgeFailures = 0.05

// newRealJudge returns the judge of -judge and, for the LLM judge, its
// verdict cache in out (to be closed by the caller).
//
// llm: eval/judge's ChatJudge with the DPO paper's TL;DR judging prompt on
// any OpenAI-compatible endpoint. length: a deterministic stand-in that
// prefers the response with fewer characters (a tie when equal). It is a
// smoke test for runs without network, not a judge of quality: it rewards
// exactly the length exploitation the study looks for.
func newRealJudge(r RealOptions, out string) (judge.Judge, *judge.Cache, error) {
	if r.Judge == "length" {
		return judge.RewardJudge{Name: "shorter-wins-smoke-test", Reward: func(_, response string) float64 {
			return -float64(utf8.RuneCountInString(response))
		}}, nil, nil
	}
	cfg := judge.DefaultChatConfig(r.JudgeURL, r.JudgeModel)
	cfg.APIKeyEnv, cfg.AllowNoKey = r.JudgeKeyEnv, r.JudgeKeyEnv == ""
	cfg.Concurrency = r.JudgeConcurrency
	j, err := judge.NewChatJudge(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("-judge llm: %w", err)
	}
	cache, err := judge.OpenCache(filepath.Join(out, judgeCacheFile))
	if err != nil {
		return nil, nil, err
	}
	return j, cache, nil
}

// judgeLabel describes the judge in the log and the report.
func judgeLabel(r RealOptions) string {
	if r.Judge == "length" {
		return "length (SMOKE TEST: the shorter response wins; not a judge of quality)"
	}
	return fmt.Sprintf("llm (%s at %s, the DPO paper's TL;DR judging prompt, position flipped at random)", r.JudgeModel, r.JudgeURL)
}

// textDecoder turns sampled ids into text for the judge, leaving out ids the
// tokenizer has no token for (a model's embedding matrix is often padded
// beyond the vocabulary) and special tokens such as <|endoftext|>, as Hugging
// Face's decode(skip_special_tokens=True) does.
type textDecoder struct {
	tok     *tokenizer.Tokenizer
	special map[int]bool
}

func newTextDecoder(tok *tokenizer.Tokenizer) textDecoder {
	d := textDecoder{tok: tok, special: map[int]bool{}}
	for _, t := range tok.AddedTokens() {
		if t.Special {
			d.special[t.ID] = true
		}
	}
	return d
}

// decode returns the text of ids with surrounding white space trimmed
// (references are trimmed the same way, so neither side is marked by it).
func (d textDecoder) decode(ids []int) (string, error) {
	kept := make([]int, 0, len(ids))
	for _, id := range ids {
		if _, ok := d.tok.Token(id); ok && !d.special[id] {
			kept = append(kept, id)
		}
	}
	text, err := d.tok.Decode(kept)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(text), nil
}
