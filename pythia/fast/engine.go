package fast

import (
	"fmt"

	"github.com/daalab/daa/internal/parallel"
	"github.com/daalab/daa/pythia"
)

// Engine runs the forward (and, unless made by NewInference, backward)
// pass of one float32 pythia.Model over batches of up to maxBatch
// sequences of up to maxSeq tokens, with every buffer allocated by the
// constructor. It reads the model's weights at every call, so in-place
// optimizer updates are seen, and accumulates gradients into the model's
// Grad tensors. It implements pythia.Scorer (SequenceLogProbs, Backward,
// BackwardPerToken), the contract align/train trains through.
type Engine struct {
	model *pythia.Model
	p     modelParams
	shape
	maxB, maxT int
	train      bool // keeps every layer's activations and the backward buffers
	checkpoint bool // train: keeps each layer's input only, recomputing the layer in backward (checkpoint.go)
	rope       *rope

	// The current batch: n rows (tokens), padded (B rows of T positions,
	// flattened) or packed (SequenceLogProbs: each distinct prompt once,
	// then its responses), with the attention segments in batch.
	n, t  int // rows; T of a padded batch
	batch attnBatch
	ids   []int32 // (rows) token ids
	pos   []int32 // (rows) rotary positions
	group []int   // (B) SequenceLogProbs: the first sequence with the same prompt
	last  []int   // (B) SequenceLogProbs: row of each sequence's last prompt token
	start []int   // (B) SequenceLogProbs: first row of each response

	res   [][]float32  // residual stream (rows, C): res[l] enters layer l; train: L+1 buffers, inference: 2 alternating
	acts  []layerActs  // per layer (train) or one reused (inference)
	fch2  []float32    // (rows, I) the MLP activation's output (unless the layer keeps its own)
	wide  []float32    // a bfloat16 engine's widened weight matrix (see matrix)
	attnS [][]float32  // per parallel chunk: 2*T*T attention scratch
	actS  [][]float32  // per parallel chunk: actBlock activation-backward temporaries
	lnS   []float32    // LayerNorm backward partial sums, 4*C per chunk
	rows  []int32      // (N) the row each scored position reads
	hs    []float32    // (N, C) final LayerNorm of the scored rows
	hsMu  []float32    // (N) its means
	hsRs  []float32    // (N) its reciprocal standard deviations
	out   *outputLayer // the fused output layer over the scored rows
	fused *fusedOutput // NextTokenLossAndGrad's output pass, allocated on first use

	// Backward buffers (train only).
	dres   []float32 // (rows, C) gradient of the residual stream
	dlnA   []float32 // (rows, C) gradient of input_layernorm's output
	dlnB   []float32 // (rows, C) gradient of post_attention_layernorm's output
	datty  []float32 // (rows, C)
	dqkv   []float32 // (rows, 3C)
	dfch   []float32 // (rows, I)
	dhs    []float32 // (N, C)
	dhsX   []float32 // (N, C) final LayerNorm input gradients by scored row, before their scatter
	weight []float32 // (N) dloss/dlogp of each scored position
	ones   []float32 // (rows) ones: bias gradients as GEMMs

	pending pass      // the forward pass Backward may follow
	seq     LogProbs  // SequenceLogProbs' result
	nll     nllState  // NextTokenLoss's state
	logits  []float32 // Logits' result, allocated on first use
	cache   *decoder  // during Generate: the KV cache attention reads and fills
	prec    precision // the products' arithmetic (precision.go)

	// LoRA (lora.go): each layer's adapters by projection (nil: none) and
	// their scratch, (rows, max in) and (rows, max r).
	lora            [][numProj]*adapter
	loraU, loraDlow []float32
}

// shape holds the model dimensions the kernels use.
type shape struct {
	c, nh, hd, inter, vocab, layers, rot int
	parallelResidual                     bool
	act                                  activation
	eps                                  float32
}

// layerActs are one layer's activations kept for the backward pass.
type layerActs struct {
	ln1, ln2     []float32 // (rows, C) LayerNorm outputs
	ln1Mu, ln1Rs []float32 // (rows)
	ln2Mu, ln2Rs []float32 // (rows)
	qkv          []float32 // (rows, 3C) fused projection, q and k rotated
	lse          []float32 // (rows, NH) attention log-sum-exp per query
	atty         []float32 // (rows, C) merged heads, the input of attention.dense
	mid          []float32 // (rows, C) sequential residual only: x + attention
	fch          []float32 // (rows, I) MLP pre-activation
	probs        []float32 // (rows, NH, maxSeq) attention probabilities, or nil: recomputed by the backward pass
	act          []float32 // (rows, I) act(fch), or nil: recomputed by the backward pass
}

// keepActValues bounds the activation outputs a training engine keeps for
// every layer, rows * I * layers values (32 MB), instead of recomputing
// them in the backward pass: small models, where the recomputation is a
// noticeable share of the step (4% of the tiny model's), keep them.
const keepActValues = 8 << 20

// keepProbsMaxSeq is the longest maxSeq for which a training engine keeps
// the attention probabilities instead of recomputing them in the backward
// pass ((rows, NH, maxSeq) values per layer: 0.6 MB per layer for the tiny
// 64 x 24 batch of 4 heads).
const keepProbsMaxSeq = 64

// pass names the forward pass whose activations the engine holds.
type pass int

const (
	passNone pass = iota
	passSequence
	passNextToken
)

// New returns an engine that runs forward and backward passes of m over
// batches of up to maxBatch sequences of up to maxSeq tokens. It keeps
// every layer's activations: (6C + I + NH + 4) float32 values per token and
// layer, plus C for a sequential residual (pythia-160m, 8 x 128 tokens:
// 370 MB), and backward buffers of about (8C + I) values per token. It
// returns an error if a parameter of m is not float32, the activation is
// unsupported, or a size is not positive.
func New(m *pythia.Model, maxBatch, maxSeq int) (*Engine, error) {
	return NewWithOptions(m, maxBatch, maxSeq, Options{})
}

// NewInference returns an engine that only runs forward passes (for a
// frozen reference model, scoring or generation): it keeps one layer's
// activations and no backward buffers, and its Backward panics.
func NewInference(m *pythia.Model, maxBatch, maxSeq int) (*Engine, error) {
	return NewWithOptions(m, maxBatch, maxSeq, Options{Inference: true})
}

// Options are the settings of NewWithOptions; the zero value gives New's
// engine.
type Options struct {
	// Inference makes a forward-only engine, as NewInference does.
	Inference bool
	// CheckpointActivations makes a training engine keep only each layer's
	// input and one layer's activations, recomputing every layer in the
	// backward pass (see checkpoint.go): (C per layer + one layer's) values
	// per token instead of every layer's, for about one more forward pass
	// per step. Gradients are bit-identical.
	CheckpointActivations bool
	// BF16Base, if not nil, supplies the model's frozen weights in
	// bfloat16 by Hugging Face name (see pythia.BF16Weights and
	// bf16_base.go); those of m's parameters are then not read.
	BF16Base pythia.BF16Weights
	// ShareWidening, with BF16Base, makes the engine widen its matrices
	// into that engine's buffer instead of its own (the largest matrix in
	// float32: 268 MB for pythia-6.9b), for a policy and its reference that
	// never run at the same time.
	ShareWidening *Engine
	// Precision is the arithmetic of the matrix products (precision.go);
	// the zero value is Float32.
	Precision Precision
}

// NewWithOptions returns an engine as New does, with the settings of o.
// It returns New's errors, and an error if a parameter of the bfloat16
// base is missing, trainable in m or of the wrong size.
func NewWithOptions(m *pythia.Model, maxBatch, maxSeq int, o Options) (*Engine, error) {
	return newEngine(m, maxBatch, maxSeq, o)
}

func newEngine(m *pythia.Model, maxB, maxT int, o Options) (*Engine, error) {
	train := !o.Inference
	if maxB < 1 || maxT < 1 {
		return nil, fmt.Errorf("fast: engine for batches of %d x %d tokens; want positive sizes", maxB, maxT)
	}
	mp, err := newModelParams(m)
	if err != nil {
		return nil, err
	}
	cfg := m.Config
	act, err := activationOf(cfg.HiddenAct)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		model: m, p: mp, maxB: maxB, maxT: maxT, train: train,
		shape: shape{
			c: cfg.HiddenSize, nh: cfg.NumAttentionHeads, hd: cfg.HeadDim(), inter: cfg.IntermediateSize,
			vocab: cfg.VocabSize, layers: cfg.NumHiddenLayers, rot: cfg.RotaryDims(),
			parallelResidual: cfg.UseParallelResidual, act: act, eps: float32(cfg.LayerNormEps),
		},
		rope:       newRope(cfg.RotaryDims(), cfg.RotaryEmbBase, maxT),
		checkpoint: train && o.CheckpointActivations,
	}
	if o.BF16Base != nil {
		if err := e.useBF16Base(o.BF16Base, o.ShareWidening); err != nil {
			return nil, err
		}
	}
	if m.HasLoRA() {
		e.bindAdapters(m)
	}
	e.alloc()
	if o.BF16Base != nil {
		e.out.wide = make([]float32, vocabChunk*e.c) // the output layer's widened chunk of embed_out
	}
	if err := e.usePrecision(o.Precision); err != nil {
		return nil, err
	}
	return e, nil
}

// alloc sizes every buffer for maxB*maxT rows.
func (e *Engine) alloc() {
	n, c, in := e.maxB*e.maxT, e.c, e.inter
	f := func(k int) []float32 { return make([]float32, k) }
	e.ids, e.pos = make([]int32, n), make([]int32, n)
	e.batch.nh, e.batch.hd, e.batch.keys, e.batch.valid = e.nh, e.hd, e.maxT, make([]bool, n)
	e.group, e.last, e.start = make([]int, e.maxB), make([]int, e.maxB), make([]int, e.maxB)
	nres, nacts := 2, 1
	if e.train {
		nres, nacts = e.layers+1, e.layers
	}
	if e.checkpoint {
		nacts = 1
	}
	for range nres {
		e.res = append(e.res, f(n*c))
	}
	for range nacts {
		a := layerActs{
			ln1: f(n * c), ln2: f(n * c), ln1Mu: f(n), ln1Rs: f(n), ln2Mu: f(n), ln2Rs: f(n),
			qkv: f(3 * n * c), lse: f(n * e.nh), atty: f(n * c), fch: f(n * in),
		}
		if !e.parallelResidual {
			a.mid = f(n * c)
		}
		if e.train && e.maxT <= keepProbsMaxSeq {
			a.probs = f(n * e.nh * e.maxT)
		}
		if e.train && n*in*e.layers <= keepActValues {
			a.act = f(n * in)
		}
		e.acts = append(e.acts, a)
	}
	e.fch2 = f(n * in)
	workers := parallel.Workers()
	for range workers {
		e.attnS = append(e.attnS, f(2*e.maxT*e.maxT))
		e.actS = append(e.actS, f(actBlock))
	}
	e.lnS = f(4 * c * workers)
	e.rows, e.hs, e.hsMu, e.hsRs = make([]int32, n), f(n*c), f(n), f(n)
	e.out = newOutputLayer(n)
	e.allocAdapters(n)
	if e.train {
		e.dres, e.dlnA, e.dlnB, e.datty = f(n*c), f(n*c), f(n*c), f(n*c)
		e.dqkv, e.dfch, e.dhs, e.dhsX, e.weight = f(3*n*c), f(n*in), f(n*c), f(n*c), f(n)
		e.ones = f(n)
		for i := range e.ones {
			e.ones[i] = 1
		}
	}
}

// MaxBatch returns the largest number of sequences a call may pass.
func (e *Engine) MaxBatch() int { return e.maxB }

// MaxSeq returns the longest sequence (prompt plus response) a call may pass.
func (e *Engine) MaxSeq() int { return e.maxT }

// Model returns the model whose weights the engine reads (nil for an
// engine made by NewInferenceBF16, which holds its own copy).
func (e *Engine) Model() *pythia.Model { return e.model }
