package study

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"

	"github.com/daalab/daa/internal/atomicfile"
)

// writeJSON writes v as indented JSON so readers never see a partial file.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(data, '\n'))
}

// PointsHeader are the columns of points.csv (new columns go at the end,
// so that readers of older files find the old ones in place).
var PointsHeader = []string{"objective", "size", "beta", "seed", "checkpoint", "examples_seen", "kl", "kl_k3", "sqrt_kl",
	"winrate", "winrate_se", "gold_reward", "mean_length", "frac_over_max", "no_eos_rate", "junk", "implicit_acc", "length_r2",
	"ood_share", "in_support_mass"}

// WritePointsCSV writes every evaluated checkpoint, one row each, with
// shortest round-trip float formatting (so equal runs give equal bytes).
func WritePointsCSV(path string, results []RunResult) error {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var rows [][]string
	rows = append(rows, PointsHeader)
	for _, r := range results {
		for _, p := range r.Points {
			rows = append(rows, []string{p.Objective, p.Size, f(p.Beta), strconv.FormatUint(p.Seed, 10), strconv.Itoa(p.Checkpoint),
				strconv.Itoa(p.ExamplesSeen), f(p.KL), f(p.KLK3), f(p.SqrtKL), f(p.WinRate), f(float64(p.WinRateSE)), f(p.GoldReward),
				f(p.MeanLength), f(p.FracOverMax), f(p.NoEOSRate), f(p.Junk), f(p.ImplicitAcc), f(float64(p.LengthR2)),
				f(float64(p.OODShare)), f(float64(p.InSupportMass))})
		}
	}
	var buf bytes.Buffer
	if err := csv.NewWriter(&buf).WriteAll(rows); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, buf.Bytes())
}
