package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/daalab/daa/pythia"
)

// runReal runs the study on a real model and data (-model, -data): every
// objective x beta x seed trained from the loaded model, evaluated at every
// checkpoint with the judge, then the same points.csv, summary.json, figures
// and report as the synthetic study, with a note in report.md on what
// differs.
func runReal(o Options) error {
	start := time.Now()
	rm, err := loadRealModel(*o.Real)
	if err != nil {
		return err
	}
	set, err := loadRealData(o, rm)
	if err != nil {
		return err
	}
	o.Data.TrainPairs, o.Data.HeldOut, o.Data.EvalPrompts = len(set.Train), len(set.HeldOut), len(set.Eval)
	fmt.Printf("overoptimization (real mode): model %s (%d parameters), %s: %d pairs read, %d dropped (prompt fills -max-length %d), %d dropped (chosen = rejected after truncation), %d truncated",
		rm.name, pythia.NumParams(rm.model.Config), o.Real.Data, set.Read, set.DroppedPrompt, o.Real.MaxLength, set.DroppedIdentical, set.Truncated)
	if set.SkippedTLDR > 0 {
		fmt.Printf(", %d CNN/Daily Mail comparisons skipped", set.SkippedTLDR)
	}
	fmt.Printf("\n  %d training pairs, %d held-out pairs, %d evaluation prompts x %d samples; judge %s\n",
		len(set.Train), len(set.HeldOut), len(set.Eval), o.SamplesPerEval, judgeLabel(*o.Real))
	j, cache, err := newRealJudge(*o.Real, o.Out)
	if err != nil {
		return err
	}
	if cache != nil {
		defer cache.Close()
		fmt.Printf("  judge verdict cache %s: %d verdicts\n", filepath.Join(o.Out, judgeCacheFile), cache.Len())
	}
	ref, err := newRealReference(o, rm, set)
	if err != nil {
		return err
	}
	fmt.Printf("  reference log-probs of %d pairs computed in %s\n", len(set.Train)+len(set.HeldOut), time.Since(start).Round(time.Second))

	runDir := filepath.Join(o.Out, "runs")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return err
	}
	specs := grid(o)
	p := newProgress(os.Stdout, len(specs)*o.Real.Epochs*(len(set.Train)/o.DAABatch))
	evaluators := map[uint64]*realEvaluator{}
	startPoints := map[uint64]point{}
	var results []runResult
	for _, s := range specs {
		ev := evaluators[s.Seed]
		if ev == nil {
			ev = newRealEvaluator(o, ref, j, cache, s.Seed, p.Logf)
			p.SetLabel(fmt.Sprintf("evaluating %s (seed %d)", rm.name, s.Seed))
			pt, err := ev.evaluate(rm.model)
			if err != nil {
				p.Finish()
				return fmt.Errorf("evaluating %s: %w", rm.name, err)
			}
			evaluators[s.Seed], startPoints[s.Seed] = ev, pt
			p.Logf("%s seed %d: win rate %.3f, mean length %.1f, no EOS %.2f", rm.name, s.Seed, pt.WinRate, pt.MeanLength, pt.NoEOSRate)
		}
		p.SetLabel(s.String())
		r, err := runOneReal(o, s, ref, ev, startPoints[s.Seed], func() { p.Add(1) })
		if err != nil {
			p.Finish()
			return fmt.Errorf("%s: %w", s, err)
		}
		if err := writeJSON(filepath.Join(runDir, s.ID()+".json"), r); err != nil {
			p.Finish()
			return err
		}
		results = append(results, r)
		last := r.Points[len(r.Points)-1]
		p.Logf("finished %-28s in %5.1fs: KL %.2f, win rate %.3f (start %.3f)", s, r.Seconds, last.KL, last.WinRate, r.Points[0].WinRate)
	}
	p.Finish()
	sortResults(results)
	sum, err := writeReport(o, results)
	if err != nil {
		return err
	}
	if err := annotateRealReport(filepath.Join(o.Out, "report.md"), o, rm.name, set); err != nil {
		return err
	}
	fmt.Printf("done in %s: %d runs, %d checkpoints; report %s/report.md\n", time.Since(start).Round(time.Second), sum.Runs, sum.Points, o.Out)
	for _, f := range sum.Findings {
		fmt.Printf("  %-44s %s\n", f.Name, heldWord(f.Held))
	}
	return nil
}

// runOneReal trains one run and evaluates every checkpoint (the step-0
// checkpoint is the reference's evaluation for the seed, start).
func runOneReal(o Options, s runSpec, ref *realReference, ev *realEvaluator, start point, progress func()) (runResult, error) {
	began := time.Now()
	r := runResult{Spec: s}
	k := 0
	err := trainReal(o, s, ref, func(policy *pythia.Model, step, examples int) error {
		pt := start
		if step > 0 {
			var err error
			if pt, err = ev.evaluate(policy); err != nil {
				return err
			}
		}
		pt.runSpec, pt.Checkpoint, pt.Step, pt.ExamplesSeen = s, k, step, examples
		k++
		r.Points = append(r.Points, pt)
		return nil
	}, progress)
	r.Seconds = time.Since(began).Seconds()
	return r, err
}

// annotateRealReport inserts, below report.md's title, what a real-mode run
// measured differently from the synthetic study the rest of the report's
// wording describes.
func annotateRealReport(path string, o Options, name string, set *realSet) error {
	text, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	title, rest, _ := strings.Cut(string(text), "\n\n")
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n## Real model and data\n\n", title)
	fmt.Fprintf(&b, "This run used the real-model mode: the reference is %s (`-model %s`, brought SFT'd by the user) and the data `%s` (%d training pairs, %d held-out pairs, %d evaluation prompts, whole prompts held out). ",
		name, o.Real.Model, o.Real.Data, len(set.Train), len(set.HeldOut), len(set.Eval))
	fmt.Fprintf(&b, "There is no gold reward: every \"win rate\" below is the judge's, %s, of %d samples per prompt against the human chosen response of the prompt's first held-out pair. ",
		judgeLabel(*o.Real), o.SamplesPerEval)
	b.WriteString("The gold_reward column is 0 (not measured), junk counts the tokens that repeat an earlier trigram of the same sample, and frac_over_max is the share of samples longer than the longest training response")
	clip := "no gradient clipping"
	if o.Real.MaxGradNorm > 0 {
		clip = fmt.Sprintf("gradient clipping at norm %g", o.Real.MaxGradNorm)
	}
	fmt.Fprintf(&b, " (%d tokens). Training: %d epoch(s) of %d pairs per RMSProp step (lr %g, %s), sequences cut to %d tokens.\n\n",
		set.MaxResponse, o.Real.Epochs, o.DAABatch, o.DAALR, clip, o.Real.MaxLength)
	b.WriteString(rest)
	return writeFileAtomic(path, []byte(b.String()))
}
