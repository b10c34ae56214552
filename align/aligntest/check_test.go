package aligntest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/daalab/daa/align/aligntest"
)

// workedCase is the worked example of daa_losses.md (β = 0.1, S_w = -10 over
// 5 tokens, S_l = -12 over 8, R_w = R_l = -11), with the spec's sigmoid
// values: loss 0.5981388693815918, dL/dS_w = -0.04501660026875221.
func workedCase() map[string]any {
	g := 0.04501660026875221
	rep := func(v float64, n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	return map[string]any{
		"id": "sigmoid-00", "loss": "sigmoid", "variant": "sigmoid",
		"params": map[string]any{"beta": 0.1},
		"inputs": map[string]any{
			"policy_chosen": [][]float64{rep(-2, 5)}, "policy_rejected": [][]float64{rep(-1.5, 8)},
			"ref_chosen": [][]float64{{-2, -2, -2, -2, -3}}, "ref_rejected": [][]float64{{-1.5, -1.5, -1.5, -1.5, -1.5, -1.5, -1, -1}},
		},
		"outputs": map[string]any{
			"per_pair_loss": []float64{0.5981388693815918}, "loss": 0.5981388693815918,
			"grad": map[string]any{
				"policy_chosen_logps": []float64{-g}, "policy_rejected_logps": []float64{g},
				"policy_chosen_tokens": [][]float64{rep(-g, 5)}, "policy_rejected_tokens": [][]float64{rep(g, 8)},
			},
			"metrics": map[string]any{"rewards/chosen": 0.1, "rewards/rejected": -0.1, "rewards/accuracies": 1.0,
				"rewards/margins": 0.2, "logps/chosen": -10.0, "logps/rejected": -12.0},
		},
	}
}

func writeVectors(t *testing.T, cases ...map[string]any) string {
	t.Helper()
	doc := map[string]any{"format": "daa-loss-test-vectors", "version": 1, "dtype": "float64",
		"tolerance_hint": map[string]any{"rtol": 1e-9, "atol": 1e-12}, "cases": cases}
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "vectors.json")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// TestCheckWorkedExample: align's sigmoid matches the spec's worked example
// (values from daa_losses.md) with no mismatch.
func TestCheckWorkedExample(t *testing.T) {
	rep, err := aligntest.Check(writeVectors(t, workedCase()), aligntest.Registry())
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Cases, "cases checked")
	assert.Empty(t, rep.Mismatches)
}

// TestCheckReportsMismatches corrupts one field at a time and requires a
// mismatch naming the case and that field.
func TestCheckReportsMismatches(t *testing.T) {
	cases := []struct {
		field string
		edit  func(c map[string]any)
	}{
		{"loss", func(c map[string]any) { out(c)["loss"] = 0.5981388 }},
		{"per_pair_loss[0]", func(c map[string]any) { out(c)["per_pair_loss"] = []float64{0.6} }},
		{"grad.policy_rejected_logps[0]", func(c map[string]any) { grad(c)["policy_rejected_logps"] = []float64{0.045} }},
		{"grad.policy_chosen_tokens[0][4]", func(c map[string]any) {
			g := -0.04501660026875221
			grad(c)["policy_chosen_tokens"] = [][]float64{{g, g, g, g, 2 * g}}
		}},
		{"metrics[rewards/margins]", func(c map[string]any) { metrics(c)["rewards/margins"] = 0.3 }},
		{"metrics[rewards/accuracies]", func(c map[string]any) { metrics(c)["rewards/accuracies"] = nil }},
		{"metrics[logps/chosen]", func(c map[string]any) { delete(metrics(c), "logps/chosen") }},
		{"loss", func(c map[string]any) { c["loss"] = "no_such_loss" }},
		{"params", func(c map[string]any) { c["params"] = map[string]any{"bta": 1} }},
	}
	for _, tc := range cases {
		c := workedCase()
		tc.edit(c)
		rep, err := aligntest.Check(writeVectors(t, c), aligntest.Registry())
		require.NoError(t, err)
		if !assert.Len(t, rep.Mismatches, 1, "corrupted %s: mismatches", tc.field) {
			continue
		}
		m := rep.Mismatches[0]
		if !assert.Equal(t, tc.field, m.Field, "corrupted %s: mismatched field", tc.field) ||
			!assert.Equal(t, "sigmoid-00", m.Case, "corrupted %s: mismatched case", tc.field) {
			continue
		}
		assert.True(t, strings.HasPrefix(m.Error(), "case sigmoid-00: "+tc.field), "message %q", m.Error())
	}
}

func out(c map[string]any) map[string]any     { return c["outputs"].(map[string]any) }
func grad(c map[string]any) map[string]any    { return out(c)["grad"].(map[string]any) }
func metrics(c map[string]any) map[string]any { return out(c)["metrics"].(map[string]any) }
