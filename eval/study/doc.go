// Package study is the reward over-optimization study of Rafailov et al.
// 2024 ("Scaling Laws for Reward Model Overoptimization in Direct Alignment
// Algorithms") as a library: a grid of objectives x betas x model sizes x
// seeds, each run trained from its cell's reference policy with a direct
// alignment loss and evaluated at every checkpoint (KL to the reference,
// win rate, length, junk, implicit-reward accuracy, out-of-distribution
// mass), then findings (the paper's claims checked on the numbers, with
// seed-bootstrap intervals where sizes or objectives are compared),
// scaling-law fits, figures and a report. examples/overoptimization is its
// command line.
//
// The synthetic task's sizes form a ladder S < M < L (28,480, 106,112 and
// 441,728 parameters); Options.SizeLosses chooses the objectives of each
// size. The default grid is every objective on S and DPO alone on L, the
// ladder's two ends (under 10 minutes on 2 cores); -sizes S,M,L adds M.
// The DAA learning rate falls as 1/width (Options.DAALRBaseWidth).
//
// A Task supplies the reference policy, the data and the judge: Synthetic
// is the synthetic summarisation task of package synth, whose gold reward
// is known exactly (the reference is trained with SFT per cell); Real
// loads a Hugging Face GPT-NeoX model and preference data and judges with
// an LLM (package eval/judge).
//
// Any align loss is an objective: dpo, ipo and slic name the paper's three
// (align's sigmoid, ipo_paper and hinge), rdpo is R-DPO (align's rdpo at
// Options.RDPOAlpha), and every other name is looked up
// in align's registry, so a loss registered with align.Register is studied
// under its name:
//
//	align.Register("smooth_hinge", align.ValidatingConstructor("smooth_hinge", mySmoothHinge))
//	o := study.DefaultOptions()
//	o.ApplyQuick(nil)                          // size S, two betas, one seed: minutes
//	o.Losses, o.Out = []string{"dpo", "smooth_hinge"}, "out/study"
//	if err := o.Validate(); err != nil { ... }
//	task := study.NewSynthetic(o)
//	results, err := study.Run(o, task, os.Stdout) // also writes out/study/runs/*.json
//	summary, err := study.WriteReport(o, task, results)
//
// A study splits into shards that run anywhere (o.Shard, o.NumShards:
// every n-th run of Grid) and write only their runs/*.json, each recording
// the settings it was run with; Merge reads the shards back, refusing a
// missing, duplicate, truncated or mismatched run with an error naming it,
// and WriteReport then writes the same points.csv, byte for byte, as an
// unsharded run. VerifySummary checks a finished output against the grid
// of its options.
//
// Training: each DAA run trains a copy of its cell's reference through
// align/train (its trainer on pythia/fast's float32 engine): RMSProp with
// linear warmup, Options.DAABatch pairs per step, one epoch (or
// Cell.Epochs), reference log-probs precomputed once per cell into
// Options.Out/ref_logps, evaluated in memory at every checkpoint. The
// synthetic task's SFT runs on the same engine with AdamW and the recipe's
// linear decay to a floor (align/train has no such schedule yet).
package study
