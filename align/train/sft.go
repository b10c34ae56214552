package train

import (
	"fmt"
	"math"

	"github.com/daalab/daa/align/data"
	"github.com/daalab/daa/pythia"
)

// SFTExample is one prompt and the completion to learn, as token ids (EOS
// is appended by the trainer).
type SFTExample struct {
	Prompt, Completion []int
}

// SFTDataset is a list of SFT examples and the name of where they came
// from, which error messages cite.
type SFTDataset struct {
	Name     string
	Examples []SFTExample
}

// SFTData is what an SFT trainer trains and evaluates on.
type SFTData struct {
	Train *SFTDataset // at least one example
	Eval  *SFTDataset // held-out examples; nil or empty for none
	EOS   int         // appended to every completion
}

// Keys of the SFT records, TRL SFTTrainer's names.
const (
	KeyMeanTokenAccuracy = "mean_token_accuracy"
	KeyNumTokens         = "num_tokens"
)

// NewSFT returns a Trainer that fine-tunes policy on prompt/completion
// examples with the completion-only negative log-likelihood (TRL
// SFTTrainer with completion_only_loss), the paper's first stage. Each
// example is scored as prompt ++ completion ++ EOS, the prompt cut to its
// last MaxPromptLength tokens and the whole to its first MaxLength; the
// loss of an optimizer step is the mean over every completion token of the
// step (all its micro-batches):
//
//	loss = -(1/N) Σ_examples Σ_j log p(c_j | prompt, c_<j),   N = completion tokens of the step
//
// Train, Resume, Evaluate, OnStep, checkpoints and metrics.jsonl work as
// for preference training; a record holds loss, mean_token_accuracy (the
// share of completion tokens that are the model's most likely token),
// num_tokens (prompt and completion tokens of the training examples seen so
// far), grad_norm, learning_rate, epoch, step and examples; evaluation
// records hold eval_loss and eval_mean_token_accuracy. Config.Loss and the
// reference options do not apply: SyncRefModel, PrecomputeRefLogProbs and
// BF16Reference are errors. BatchSize counts examples.
//
// It returns an error naming the option, data set, example or field as New
// does.
func NewSFT(cfg Config, policy *pythia.Model, d SFTData) (*Trainer, error) {
	if cfg.SyncRefModel || cfg.PrecomputeRefLogProbs || cfg.BF16Reference {
		return nil, fmt.Errorf("train: SFT has no reference model; sync_ref_model, precompute_ref_log_probs and bf16_reference do not apply")
	}
	vocab := policy.Config.VocabSize
	var dd Data
	for _, s := range []struct {
		in  *SFTDataset
		out **Dataset
	}{{d.Train, &dd.Train}, {d.Eval, &dd.Eval}} {
		if s.in == nil {
			continue
		}
		if err := s.in.checkIDs(vocab); err != nil {
			return nil, err
		}
		ds := &Dataset{Name: s.in.Name, Pairs: make([]data.TokenizedPair, len(s.in.Examples))}
		for i, e := range s.in.Examples {
			ds.Pairs[i] = data.TokenizedPair{Prompt: e.Prompt, Chosen: e.Completion}
		}
		*s.out = ds
	}
	dd.EOS, dd.Pad = d.EOS, d.EOS
	t, err := newTrainer(cfg, policy, dd, true)
	if err != nil {
		return nil, err
	}
	t.train.hash = "sft-" + t.train.hash // never resumes a preference run's checkpoint
	return t, t.finishNew()
}

// checkIDs returns an error naming the data set, example and field of the
// first empty prompt or token id outside [0, vocab).
func (d *SFTDataset) checkIDs(vocab int) error {
	for i, e := range d.Examples {
		if len(e.Prompt) == 0 {
			return fmt.Errorf("train: %s: example %d: field prompt: no tokens; every example needs a prompt token", d.Name, i)
		}
		for _, f := range []struct {
			name string
			ids  []int
		}{{"prompt", e.Prompt}, {"completion", e.Completion}} {
			for k, id := range f.ids {
				if id < 0 || id >= vocab {
					return fmt.Errorf("train: %s: example %d: field %s: token %d is id %d, outside the model's vocabulary [0, %d)", d.Name, i, f.name, k, id, vocab)
				}
			}
		}
	}
	return nil
}

// sftSequences returns the prompts and scored completions of the examples
// idx of s: completion ++ EOS, cut so that prompt + completion has at most
// MaxLength tokens (the prompt, already cut to MaxPromptLength <
// MaxLength, keeps at least one completion token).
func (t *Trainer) sftSequences(s *split, idx []int) (prompts, completions [][]int) {
	prompts, completions = make([][]int, len(idx)), make([][]int, len(idx))
	for k, i := range idx {
		p := s.set.Pairs[i]
		c := make([]int, 0, len(p.Chosen)+1)
		c = append(append(c, p.Chosen...), t.collator.EOS)
		prompts[k], completions[k] = p.Prompt, c[:min(len(c), t.cfg.MaxLength-len(p.Prompt))]
	}
	return prompts, completions
}

// sftMeter sums the NLL, the top-1 hits and the tokens of scored examples.
type sftMeter struct {
	nll                float64
	top1, scored, seen int // completion tokens that are the argmax; completion tokens; all tokens
}

// score scores the examples [lo, hi) of prompts/completions with sc in
// batches of at most n, adding to m; with grad it back-propagates
// d loss/d Sum_b = -1/total (the mean over total completion tokens).
func (m *sftMeter) score(sc pythia.Scorer, prompts, completions [][]int, n, total int, grad bool) {
	d := make([]float64, 0, n)
	for lo := 0; lo < len(prompts); lo += n {
		hi := min(len(prompts), lo+n)
		lp := sc.SequenceLogProbs(prompts[lo:hi], completions[lo:hi])
		for b, c := range lp.Count {
			m.nll -= lp.Sum[b]
			m.top1 += lp.Top1[b]
			m.scored += c
			m.seen += len(prompts[lo+b]) + c
		}
		if grad {
			d = d[:0]
			for range hi - lo {
				d = append(d, -1/float64(total))
			}
			sc.Backward(d)
		}
	}
}

// record returns the mean NLL and token accuracy, keys prefixed by prefix.
func (m *sftMeter) record(prefix string) Record {
	n := float64(m.scored)
	return Record{prefix + KeyLoss: m.nll / n, prefix + KeyMeanTokenAccuracy: float64(m.top1) / n}
}

// sftStep takes one optimizer step of SFT on the next examples of the data
// order and returns its record.
func (t *Trainer) sftStep() (Record, error) {
	idx := t.order.next(t.cfg.stepPairs())
	prompts, completions := t.sftSequences(&t.train, idx)
	total := 0
	for _, c := range completions {
		total += len(c)
	}
	m := &sftMeter{}
	m.score(t.trainSc, prompts, completions, t.cfg.BatchSize, total, true)
	if math.IsNaN(m.nll) || math.IsInf(m.nll, 0) {
		t.opt.ZeroGrad()
		return nil, fmt.Errorf("train: step %d: %s examples %v: the NLL is %v", t.step+1, t.train.set.Name, idx, m.nll)
	}
	t.preOptimizerStep(idx)
	norm, lr, err := t.update()
	if err != nil {
		return nil, err
	}
	t.examples += len(idx)
	t.numTokens += m.seen
	rec := m.record("")
	rec[KeyNumTokens] = float64(t.numTokens)
	rec[KeyGradNorm] = norm
	rec[KeyLearningRate] = lr
	t.bookkeeping(rec)
	return rec, nil
}

// sftEvaluate is Evaluate for SFT: the mean NLL and token accuracy over
// every held-out example, in batches of EvalBatchSize.
func (t *Trainer) sftEvaluate() (Record, error) {
	sc, err := t.evalScorer()
	if err != nil {
		return nil, err
	}
	prompts, completions := t.sftSequences(&t.eval, span(0, len(t.eval.set.Pairs)))
	m := &sftMeter{}
	m.score(sc, prompts, completions, t.cfg.EvalBatchSize, 0, false)
	rec := m.record(EvalPrefix)
	if l := rec[EvalPrefix+KeyLoss]; math.IsNaN(l) || math.IsInf(l, 0) {
		return nil, fmt.Errorf("train: evaluation at step %d: %s: the NLL is %v", t.step, t.eval.set.Name, l)
	}
	t.bookkeeping(rec)
	return rec, nil
}
