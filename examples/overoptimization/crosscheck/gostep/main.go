// Command gostep runs the Go side of the step-level cross-check: the DPO
// phase of examples/overoptimization (pythia/fast engine or the autograd
// path, align's sigmoid loss, nn/optim RMSProp with LinearWarmup), started
// from a model on disk, and dumps after every step what ../stepcheck.py
// compares against PyTorch:
//
//	out/order.json        the pair order of the epoch (daa.go's permutation)
//	out/steps.json        per step: pair indices, policy and reference sums,
//	                      d loss / d sums, the loss and the learning rate used
//	out/grad_<k>/         the parameter gradients of step k (a checkpoint whose
//	                      weights are the gradients), k = 1..dump
//	out/step_<k>/         the parameters after step k, k = 1..dump, and at the
//	                      steps listed in -save (for evaluation by recipe.py)
//
// With -sft it first trains the reference model as sft.go does (AdamW,
// LinearWarmupDecayToFloor, clipping, token-mean NLL over response + EOS)
// and saves it to out/sft. The training loops follow the example's sft.go
// and daa.go step for step (their data orders and schedules); the policy is
// scored through the library's pythia.Scorer contract (the fast engine, or
// -engine autograd: pythia.Model.Scorer).
//
//	go run ./examples/overoptimization/crosscheck/gostep -init /tmp/xchk/sft_torch_s1 -out /tmp/xchk/go5 -steps 5
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/examples/overoptimization/task"
	"github.com/daalab/daa/nn/optim"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

// maxSeq bounds prompt plus response, as in the example's scorer.go.
const maxSeq = task.PromptLen + task.MaxNewTokens

// options are the command's flags.
type options struct {
	seed                uint64
	init, out, engine   string
	sft, attnBias       bool
	sftSteps            int
	steps, dump, batch  int
	beta, lr, warmupFr  float64
	alpha, eps          float64
	save                map[int]bool
	objective, orderKey string
}

// stepRecord is one line of steps.json.
type stepRecord struct {
	Step      int       `json:"step"` // 1-based: the state after this many updates
	LR        float64   `json:"lr"`
	Indices   []int     `json:"indices"`
	Sums      []float64 `json:"sums"` // policy sums, chosen rows then rejected rows
	RefChosen []float64 `json:"ref_chosen"`
	RefReject []float64 `json:"ref_rejected"`
	DSums     []float64 `json:"dsums"`
	Loss      float64   `json:"loss"`
}

func main() {
	o := options{save: map[int]bool{}}
	flag.Uint64Var(&o.seed, "seed", 1, "dataset seed")
	flag.StringVar(&o.init, "init", "", "start from this model directory (HF format)")
	flag.BoolVar(&o.sft, "sft", false, "train the SFT reference as sft.go does (from pythia.NewRandom(seed)) and save it to out/sft")
	flag.IntVar(&o.sftSteps, "sft-steps", 3000, "SFT steps with -sft")
	flag.BoolVar(&o.attnBias, "attn-bias", true, "with -sft: attention biases (the example's AttentionBias)")
	flag.StringVar(&o.out, "out", "/tmp/xchk/go", "output directory")
	flag.StringVar(&o.engine, "engine", "fast", "fast (pythia/fast, as daa.go) or autograd (pythia.Model.SequenceLogProbs)")
	flag.IntVar(&o.steps, "steps", 5, "DPO steps to run")
	flag.IntVar(&o.dump, "dump", 5, "dump parameters and gradients after each of the first dump steps")
	flag.IntVar(&o.batch, "batch", 16, "pairs per step")
	flag.Float64Var(&o.beta, "beta", 0.03, "DPO beta")
	flag.Float64Var(&o.lr, "lr", 3e-4, "RMSProp learning rate")
	flag.Float64Var(&o.warmupFr, "warmup-frac", 0.1, "linear warmup over this share of the epoch's steps")
	flag.Float64Var(&o.alpha, "alpha", 0.99, "RMSProp alpha")
	flag.Float64Var(&o.eps, "eps", 1e-8, "RMSProp eps")
	flag.StringVar(&o.objective, "objective", "dpo", "dpo (align sigmoid), ipo (ipo_paper) or slic (hinge)")
	flag.StringVar(&o.orderKey, "order-key", "dpo_b0.03_S_s1", "run ID whose FNV-1a hash seeds the pair order (daa.go's runSpec.ID)")
	saveList := flag.String("save", "", "comma-separated steps after which to save the model")
	flag.Parse()
	for _, s := range strings.Split(*saveList, ",") {
		if s == "" {
			continue
		}
		k, err := strconv.Atoi(s)
		if err != nil {
			fail(fmt.Errorf("-save %q: %w", *saveList, err))
		}
		o.save[k] = true
	}
	if err := run(o); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gostep:", err)
	os.Exit(1)
}

func run(o options) error {
	ds := task.Build(o.seed, task.DefaultSizes, task.DefaultNoise, 0.15)
	var ref *pythia.Model
	var err error
	switch {
	case o.sft:
		if ref, err = trainSFT(o, ds); err != nil {
			return err
		}
		if err := ref.Save(filepath.Join(o.out, "sft")); err != nil {
			return err
		}
	case o.init != "":
		if ref, err = pythia.LoadDir(o.init, pythia.LoadOptions{DType: tensor.Float32}); err != nil {
			return err
		}
	default:
		return fmt.Errorf("give -init DIR or -sft")
	}
	if o.steps == 0 {
		return nil
	}
	return trainDPO(o, ds, ref)
}

// trainSFT is sft.go's loop with the example's default options.
func trainSFT(o options, ds *task.Dataset) (*pythia.Model, error) {
	cfg := pythia.Config{
		VocabSize: task.VocabSize, HiddenSize: 32, NumHiddenLayers: 2, NumAttentionHeads: 4, IntermediateSize: 128,
		RotaryPct: 0.5, RotaryEmbBase: 10000, MaxPositionEmbeddings: task.PromptLen + task.MaxNewTokens + 8,
		LayerNormEps: 1e-5, UseParallelResidual: true, HiddenAct: "gelu", AttentionBias: o.attnBias,
		InitializerRange: 0.02, BOSTokenID: -1, EOSTokenID: task.EOS,
	}
	m, err := pythia.NewRandom(cfg, tensor.Float32, o.seed)
	if err != nil {
		return nil, err
	}
	ocfg := optim.DefaultAdamW()
	ocfg.LR = 3e-3
	ocfg.Schedule = optim.LinearWarmupDecayToFloor(100, o.sftSteps, 0.1)
	opt, err := optim.NewAdamW(m.Params(), ocfg)
	if err != nil {
		return nil, err
	}
	eng, err := fast.New(m, 64, maxSeq)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(o.seed, 0x5f7))
	order, next := make([]int, len(ds.SFT)), 0
	for i := range order { // sft.go's shuffler: identity, then Shuffle
		order[i] = i
	}
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	prompts, responses := make([][]int, 64), make([][]int, 64)
	for step := 0; step < o.sftSteps; step++ {
		tokens := 0
		for j := range 64 {
			if next == len(order) {
				rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
				next = 0
			}
			ex := ds.SFT[order[next]]
			next++
			prompts[j], responses[j] = ex.Doc.Prompt(), withEOS(ex.Summary)
			tokens += len(responses[j])
		}
		lp := eng.SequenceLogProbs(prompts, responses)
		grad := make([]float64, len(lp.Sum)) // loss = -(sum of response log-probs) / tokens
		for j := range grad {
			grad[j] = -1 / float64(tokens)
		}
		eng.Backward(grad)
		if _, err := optim.ClipGradNorm(m.Params(), 1.0, true); err != nil {
			return nil, err
		}
		opt.Step()
		opt.ZeroGrad()
	}
	return m, nil
}

// trainDPO is daa.go's loop: a copy of ref trained with the objective on the
// training pairs in daa.go's order, RMSProp with LinearWarmup.
func trainDPO(o options, ds *task.Dataset, ref *pythia.Model) error {
	policy := ref.Clone()
	refEng, err := fast.NewInference(ref, 256, maxSeq)
	if err != nil {
		return err
	}
	refC, refR := make([]float64, len(ds.Train)), make([]float64, len(ds.Train))
	for lo := 0; lo < len(ds.Train); lo += 128 {
		hi := min(lo+128, len(ds.Train))
		p, r := pairBatch(ds.Train[lo:hi])
		s := refEng.SequenceLogProbs(p, r).Sum
		copy(refC[lo:hi], s[:hi-lo])
		copy(refR[lo:hi], s[hi-lo:])
	}
	var sc pythia.Scorer // the engine, or the autograd model as the example scored before the switch to pythia/fast
	switch o.engine {
	case "fast":
		eng, err := fast.New(policy, 2*o.batch, maxSeq)
		if err != nil {
			return err
		}
		sc = eng
	case "autograd":
		sc = policy.Scorer()
	default:
		return fmt.Errorf("-engine %q: want fast or autograd", o.engine)
	}
	lossName := map[string]string{"dpo": "sigmoid", "ipo": "ipo_paper", "slic": "hinge"}[o.objective]
	lcfg := align.DefaultConfig()
	lcfg.Beta = o.beta
	loss, err := align.New(lossName, lcfg)
	if err != nil {
		return err
	}
	epoch := len(ds.Train) / o.batch
	cfg := optim.DefaultRMSProp()
	cfg.LR, cfg.Alpha, cfg.Eps = o.lr, o.alpha, o.eps
	cfg.Schedule = optim.LinearWarmup(int(o.warmupFr * float64(epoch)))
	opt, err := optim.NewRMSProp(policy.Params(), cfg)
	if err != nil {
		return err
	}
	order := rand.New(rand.NewPCG(o.seed, hashString(o.orderKey))).Perm(len(ds.Train))
	if err := writeJSON(filepath.Join(o.out, "order.json"), map[string]any{"order": order}); err != nil {
		return err
	}
	var records []stepRecord
	for step := 0; step < o.steps; step++ {
		idx := order[step*o.batch : (step+1)*o.batch]
		pairs := make([]task.Pair, len(idx))
		rc, rr := make([]float64, len(idx)), make([]float64, len(idx))
		lc, lr := make([]int, len(idx)), make([]int, len(idx))
		for j, i := range idx {
			pairs[j], rc[j], rr[j] = ds.Train[i], refC[i], refR[i]
			lc[j], lr[j] = len(pairs[j].Chosen)+1, len(pairs[j].Rejected)+1
		}
		prompts, responses := pairBatch(pairs)
		sums := append([]float64(nil), sc.SequenceLogProbs(prompts, responses).Sum...)
		b := len(idx)
		x := autograd.Param(tensor.FromFloat64s(append([]float64(nil), sums...)))
		out, err := loss.Compute(&align.Batch{
			PolicyChosen:    autograd.Narrow(x, 0, 0, b),
			PolicyRejected:  autograd.Narrow(x, 0, b, b),
			RefChosen:       autograd.Const(tensor.FromFloat64s(rc)),
			RefRejected:     autograd.Const(tensor.FromFloat64s(rr)),
			ChosenLengths:   lc,
			RejectedLengths: lr,
		})
		if err != nil {
			return fmt.Errorf("step %d: %w", step, err)
		}
		out.Loss.Backward()
		dSums := x.Grad.ToFloat64s()
		sc.Backward(dSums)
		rec := stepRecord{Step: step + 1, LR: opt.LR(0), Indices: idx, Sums: sums, RefChosen: rc, RefReject: rr,
			DSums: dSums, Loss: out.Loss.Item()}
		records = append(records, rec)
		if step < o.dump {
			if err := saveGrads(policy, filepath.Join(o.out, fmt.Sprintf("grad_%d", step+1))); err != nil {
				return err
			}
		}
		opt.Step()
		opt.ZeroGrad()
		if step < o.dump || o.save[step+1] {
			if err := policy.Save(filepath.Join(o.out, fmt.Sprintf("step_%d", step+1))); err != nil {
				return err
			}
		}
	}
	return writeJSON(filepath.Join(o.out, "steps.json"), records)
}

// saveGrads writes the policy's gradients as a checkpoint of m's layout.
func saveGrads(m *pythia.Model, dir string) error {
	g, err := pythia.New(m.Config, tensor.Float32)
	if err != nil {
		return err
	}
	for i, p := range m.Params() {
		if p.Value.Grad != nil {
			g.Params()[i].Value.Data.CopyFrom(p.Value.Grad)
		}
	}
	return g.Save(dir)
}

// pairBatch lays out pairs as 2B sequences, chosen rows first (data.go).
func pairBatch(pairs []task.Pair) (prompts, responses [][]int) {
	b := len(pairs)
	prompts, responses = make([][]int, 2*b), make([][]int, 2*b)
	for i, p := range pairs {
		pr := p.Doc.Prompt()
		prompts[i], prompts[b+i] = pr, pr
		responses[i], responses[b+i] = withEOS(p.Chosen), withEOS(p.Rejected)
	}
	return prompts, responses
}

func withEOS(y []int) []int { return append(append(make([]int, 0, len(y)+1), y...), task.EOS) }

// hashString is FNV-1a, as daa.go derives per-run streams from run names.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
