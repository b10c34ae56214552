package align

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
)

// SequenceFunc computes a loss from sequence log-probs. The functions of
// this package (Sigmoid, IPO, KTO, ...) are SequenceFuncs; they assume a
// validated batch and config (Loss.Compute provides both).
type SequenceFunc func(b *Batch, cfg Config) (*Output, error)

// Loss is a configured loss: a name, its Config and the function computing
// it. Build one with New (or Lookup), or directly for a custom loss:
//
//	loss := &align.Loss{Name: "smooth_hinge", Config: cfg, Func: SmoothHinge}
type Loss struct {
	Name   string
	Config Config
	Func   SequenceFunc
}

// Compute validates b, runs the loss, and checks that every per-pair loss
// is finite. Errors name the loss and the offending field and index: a
// non-finite log-prob, an empty completion, an empty batch, or a loss that
// overflowed (e.g. forward_kl at a log-ratio below -709).
func (l *Loss) Compute(b *Batch) (*Output, error) {
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("align: %s: %w", l.Name, err)
	}
	if len(b.ChosenLengths)+len(b.RejectedLengths) == 0 {
		return nil, fmt.Errorf("align: %s: empty batch", l.Name)
	}
	b.PolicyChosen.RetainGrad()
	b.PolicyRejected.RetainGrad()
	out, err := l.Func(b, l.Config)
	if err != nil {
		return nil, fmt.Errorf("align: %s: %w", l.Name, err)
	}
	for i, x := range out.PerPair.Data.ToFloat64s() {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("align: %s: loss of pair %d is %v (the loss overflowed at these inputs)", l.Name, i, x)
		}
	}
	out.Sequences = b
	return out, nil
}

// ComputeTokens sums per-token log-probs into sequence log-probs with
// SequenceBatch (LD-DPO weighting when Config.LDAlpha is set) and runs
// Compute on them.
func (l *Loss) ComputeTokens(tb *TokenBatch) (*Output, error) {
	b, err := SequenceBatch(tb, l.Config.LDAlpha)
	if err != nil {
		return nil, fmt.Errorf("align: %s: %w", l.Name, err)
	}
	return l.Compute(b)
}

// Constructor builds a Loss from a Config, validating it.
type Constructor func(cfg Config) (*Loss, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Constructor{}
)

func init() {
	builtin := map[string]SequenceFunc{
		// TRL v1.9.0 DPOTrainer loss types
		"sigmoid": Sigmoid, "hinge": Hinge, "ipo": IPO, "exo_pair": ExoPair, "nca_pair": NCAPair,
		"robust": Robust, "bco_pair": BCOPair, "sppo_hard": SPPOHard, "aot": AOT, "aot_unpaired": AOTUnpaired,
		"apo_zero": APOZero, "apo_down": APODown, "discopop": DiscoPOP, "sigmoid_norm": SigmoidNorm,
		"nll": NLL, "multi": Multi,
		// other reference forms
		"cdpo": CDPO, "ipo_sum": IPOSum, "ipo_paper": IPOPaper, "rdpo": RDPO,
		// reference-free and unpaired trainers
		"simpo": SimPO, "orpo": ORPO, "kto": KTO, "apo_zero_unpaired": APOZeroUnpaired,
	}
	for name, fn := range builtin {
		Register(name, ValidatingConstructor(name, fn))
	}
	// TRL's name for the token-pooled NLL.
	Register("sft", func(cfg Config) (*Loss, error) {
		if cfg.NLLReduction != NLLTokenMean {
			return nil, fmt.Errorf("align: sft: nll_reduction = %q; sft is the token_mean NLL (use nll for seq_mean)", cfg.NLLReduction)
		}
		return ValidatingConstructor("sft", NLL)(cfg)
	})
}

// ValidatingConstructor returns a Constructor that checks the config with
// Config.Validate(name) (and, for multi, each component with its own name)
// and wraps fn.
func ValidatingConstructor(name string, fn SequenceFunc) Constructor {
	return func(cfg Config) (*Loss, error) {
		if err := cfg.Validate(name); err != nil {
			return nil, fmt.Errorf("align: %s: %w", name, err)
		}
		if name == "multi" {
			for _, t := range cfg.LossTypes {
				if _, err := New(t, cfg); err != nil {
					return nil, fmt.Errorf("align: multi: %w", err)
				}
			}
		}
		return &Loss{Name: name, Config: cfg, Func: fn}, nil
	}
}

// Register adds a loss under name, so Lookup, New, Multi (as a component)
// and loss specifications can use it. It panics if name is empty or already
// registered.
func Register(name string, c Constructor) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if name == "" {
		panic("align: Register with an empty name")
	}
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("align: Register: loss %q already registered", name))
	}
	registry[name] = c
}

// ErrUnknownLoss is returned (wrapped) by Lookup and New for a name that is
// not registered.
var ErrUnknownLoss = errors.New("unknown loss")

// Lookup returns the constructor of the loss registered under name (the
// loss names of daa_losses.md, TRL's loss_type names, "sft" for the
// token-pooled NLL, and any name added with Register).
func Lookup(name string) (Constructor, error) {
	registryMu.RLock()
	c, ok := registry[name]
	registryMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("align: %w %q (known: %v)", ErrUnknownLoss, name, Names())
	}
	return c, nil
}

// New returns the loss registered under name, configured by cfg.
func New(name string, cfg Config) (*Loss, error) {
	c, err := Lookup(name)
	if err != nil {
		return nil, err
	}
	return c(cfg)
}

// NewFromConfig returns the loss cfg.LossTypes and cfg.LossWeights
// describe: the single named loss when there is one type with weight 1, the
// weighted sum (multi) otherwise.
func NewFromConfig(cfg Config) (*Loss, error) {
	if len(cfg.LossTypes) == 1 && len(cfg.LossWeights) == 1 && cfg.LossWeights[0] == 1 {
		return New(cfg.LossTypes[0], cfg)
	}
	return New("multi", cfg)
}

// Names returns the registered loss names, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return slices.Clip(names)
}
