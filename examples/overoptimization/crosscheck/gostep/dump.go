package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/align/train"
	"github.com/daalab/daa/autograd"
	"github.com/daalab/daa/eval/study/synth"
	"github.com/daalab/daa/pythia"
	"github.com/daalab/daa/pythia/fast"
	"github.com/daalab/daa/tensor"
)

// stepRecord is one entry of steps.json.
type stepRecord struct {
	Step        int       `json:"step"` // 1-based: the state after this many updates
	LR          float64   `json:"lr"`
	Indices     []int     `json:"indices"`
	Sums        []float64 `json:"sums"` // policy sums before the update, chosen rows then rejected rows
	RefChosen   []float64 `json:"ref_chosen"`
	RefReject   []float64 `json:"ref_rejected"`
	DSums       []float64 `json:"dsums"` // d loss / d sums
	Loss        float64   `json:"loss"`  // the loss of the sums above
	TrainerLoss float64   `json:"trainer_loss"`
}

// dumper writes what stepcheck.py reads, from the trainer's hooks.
type dumper struct {
	o              options
	ds             *synth.Dataset
	policy         *pythia.Model
	loss           *align.Loss
	polSc, refSc   pythia.Scorer // scorers of the policy (before each update) and the reference, without gradients
	records        []stepRecord
	worstLossDelta float64 // max |loss - trainer_loss|
}

// newDumper scores with the backend cfg trains with: inference engines of
// pythia/fast (which read the weights at every call), or the models'
// autograd scorers.
func newDumper(o options, cfg train.Config, ds *synth.Dataset, policy, ref *pythia.Model) (*dumper, error) {
	loss, err := align.NewFromConfig(cfg.Loss)
	if err != nil {
		return nil, err
	}
	d := &dumper{o: o, ds: ds, policy: policy, loss: loss}
	if cfg.Backend == train.BackendAutograd {
		d.polSc, d.refSc = policy.Frozen().Scorer(), ref.Frozen().Scorer()
		return d, nil
	}
	if d.polSc, err = fast.NewInference(policy, 2*cfg.BatchSize, cfg.MaxLength); err != nil {
		return nil, err
	}
	if d.refSc, err = fast.NewInference(ref, 2*cfg.BatchSize, cfg.MaxLength); err != nil {
		return nil, err
	}
	return d, nil
}

// beforeUpdate records the step's pairs, sums, d loss / d sums and loss,
// and dumps the gradients of the first o.dump steps.
func (d *dumper) beforeUpdate(info train.StepInfo) error {
	prompts, responses := pairRows(d.ds.Train, info.Indices)
	b := len(info.Indices)
	sums := append([]float64(nil), d.polSc.SequenceLogProbs(prompts, responses).Sum...)
	ref := append([]float64(nil), d.refSc.SequenceLogProbs(prompts, responses).Sum...)
	lengths := make([]int, 2*b)
	for i, r := range responses {
		lengths[i] = len(r)
	}
	x := autograd.Param(tensor.FromFloat64s(append([]float64(nil), sums...)))
	out, err := d.loss.Compute(&align.Batch{
		PolicyChosen:    autograd.Narrow(x, 0, 0, b),
		PolicyRejected:  autograd.Narrow(x, 0, b, b),
		RefChosen:       autograd.Const(tensor.FromFloat64s(ref[:b])),
		RefRejected:     autograd.Const(tensor.FromFloat64s(ref[b:])),
		ChosenLengths:   lengths[:b],
		RejectedLengths: lengths[b:],
	})
	if err != nil {
		return fmt.Errorf("step %d: %w", info.Step, err)
	}
	out.Loss.Backward()
	d.records = append(d.records, stepRecord{Step: info.Step, LR: info.LearningRate, Indices: info.Indices,
		Sums: sums, RefChosen: ref[:b], RefReject: ref[b:], DSums: x.Grad.ToFloat64s(), Loss: out.Loss.Item()})
	if info.Step <= d.o.dump {
		return saveGrads(d.policy, filepath.Join(d.o.out, fmt.Sprintf("grad_%d", info.Step)))
	}
	return nil
}

// afterUpdate notes the trainer's loss of the step and saves the
// parameters after the first o.dump steps and the -save steps.
func (d *dumper) afterUpdate(step int, rec train.Record) error {
	r := &d.records[len(d.records)-1]
	r.TrainerLoss = rec[train.KeyLoss]
	d.worstLossDelta = math.Max(d.worstLossDelta, math.Abs(r.Loss-r.TrainerLoss))
	if step <= d.o.dump || d.o.save[step] {
		return d.policy.Save(filepath.Join(d.o.out, fmt.Sprintf("step_%d", step)))
	}
	return nil
}

// finish writes steps.json and reports how far the dumped loss is from the
// trainer's.
func (d *dumper) finish() error {
	fmt.Printf("gostep: %d steps; max |loss - trainer loss| %.2g\n", len(d.records), d.worstLossDelta)
	return writeJSON(filepath.Join(d.o.out, "steps.json"), d.records)
}

// pairRows lays out the pairs idx of pairs as 2B rows, chosen rows first,
// each response followed by EOS (as the trainer scores them).
func pairRows(pairs []synth.Pair, idx []int) (prompts, responses [][]int) {
	b := len(idx)
	prompts, responses = make([][]int, 2*b), make([][]int, 2*b)
	for k, i := range idx {
		p := pairs[i]
		prompts[k], prompts[b+k] = p.Doc.Prompt(), p.Doc.Prompt()
		responses[k] = append(append([]int(nil), p.Chosen...), synth.EOS)
		responses[b+k] = append(append([]int(nil), p.Rejected...), synth.EOS)
	}
	return prompts, responses
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

// writeJSON writes v to path atomically (a temporary file, then rename).
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
