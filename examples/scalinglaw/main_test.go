package main

import (
	"bytes"
	"encoding/json"
	"image"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type output struct {
	Fits []fitJSON `json:"fits"`
}

func runJSON(t *testing.T, args ...string) output {
	t.Helper()
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(args, &stdout, &stderr), "run %v\n%s", args, stderr.String())
	var out output
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), "output is not JSON:\n%s", stdout.String())
	return out
}

// TestRunExample runs the program on testdata/points.csv, made by
// testdata/make_points.py from the RL form with c = 0.4 and (alpha, beta) =
// dpo (0.20, 0.12), ipo (0.18, 0.10), slic (0.15, 0.08) plus noise of sd
// 0.01 on 12 points each: the RL fits must recover alpha and beta within
// 20% (the noise allows about that on 12 points) and fit to RMSE < 0.015,
// and there must be one entry per name and form.
func TestRunExample(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "fits.png")
	out := runJSON(t, "-in", "testdata/points.csv", "-plot", plot)
	truth := map[string][2]float64{"dpo": {0.20, 0.12}, "ipo": {0.18, 0.10}, "slic": {0.15, 0.08}}
	require.Len(t, out.Fits, 9, "3 names x 3 forms")
	for i, f := range out.Fits {
		wantName, wantForm := []string{"dpo", "ipo", "slic"}[i/3], []string{"rl", "bon", "quadratic"}[i%3]
		assert.Equal(t, wantName, f.Name, "entry %d", i)
		assert.Equal(t, wantForm, f.Form, "entry %d", i)
		assert.Equal(t, 12, f.N, "entry %d", i)
		assert.True(t, f.WithIntercept, "entry %d", i)
		if f.Form != "rl" {
			continue
		}
		tr := truth[f.Name]
		assert.InEpsilon(t, tr[0], f.Alpha, 0.2, "%s rl alpha", f.Name)
		assert.InEpsilon(t, tr[1], f.Beta, 0.2, "%s rl beta", f.Name)
		assert.Less(t, f.RMSE, 0.015, "%s rl rmse", f.Name)
		assert.NotNil(t, f.PeakD, "%s rl peak", f.Name)
	}
	data, err := os.ReadFile(plot)
	require.NoError(t, err)
	_, format, err := image.Decode(bytes.NewReader(data))
	require.NoError(t, err, "plot")
	assert.Equal(t, "png", format)
}

// TestRunNoIntercept: with -intercept=false rl and bon pass through the
// origin (intercept 0) while the quadratic baseline still fits c.
func TestRunNoIntercept(t *testing.T) {
	for _, f := range runJSON(t, "-in", "testdata/points.csv", "-intercept=false").Fits {
		if f.Form == "quadratic" {
			assert.True(t, f.WithIntercept, "%s quadratic", f.Name)
			assert.InDelta(t, 0.4, f.Intercept, 0.05, "%s quadratic intercept", f.Name)
		} else {
			assert.False(t, f.WithIntercept, "%s %s", f.Name, f.Form)
			assert.Zero(t, f.Intercept, "%s %s", f.Name, f.Form)
		}
	}
}

// TestRunBadInput: each malformed file gives an error naming the file, the
// line and the column.
func TestRunBadInput(t *testing.T) {
	cases := []struct{ name, content, want string }{
		{"bad number", "name,kl,winrate\ndpo,0,0.4\ndpo,abc,0.5\n", "bad.csv:3:5: column \"kl\": \"abc\" is not a finite number"},
		{"NaN", "winrate,name,kl\n0.4,dpo,0\nNaN,dpo,1\n", "bad.csv:3:1: column \"winrate\""},
		{"missing column", "name,kl,win\ndpo,0,0.4\n", "bad.csv:1: header lacks column \"winrate\""},
		{"wrong field count", "name,kl,winrate\ndpo,0,0.4\ndpo,1\n", "bad.csv:3:"},
		{"bare quote", "name,kl,winrate\ndp\"o,0,0.4\n", "bad.csv:2:3:"},
		{"empty name", "name,kl,winrate\n ,0,0.4\n", "bad.csv:2:2: column \"name\" is empty"},
		{"duplicate column", "name,kl,kl,winrate\n", "bad.csv:1:9: column \"kl\" appears twice"},
		{"empty file", "", "bad.csv: empty file"},
		{"header only", "name,kl,winrate\n", "bad.csv: no data rows"},
		{"too few points", "name,kl,winrate\ndpo,0,0.4\ndpo,1,0.5\n", "name \"dpo\""},
		{"win rate 7", "name,kl,winrate\ndpo,0,0.4\ndpo,1,7\n", "bad.csv:3:7: column \"winrate\": 7 is outside [0, 1]; want a win rate as a fraction"},
		{"win rate -3", "name,kl,winrate\ndpo,0,-3\n", "bad.csv:2:7: column \"winrate\": -3 is outside [0, 1]"},
		{"win rate percent", "name,kl,winrate\ndpo,0,40\n", "bad.csv:2:7: column \"winrate\": 40 is outside [0, 1]"},
		{"Inf kl", "name,kl,winrate\ndpo,Inf,0.5\n", "bad.csv:2:5: column \"kl\": \"Inf\" is not a finite number"},
		{"long name", "name,kl,winrate\n" + strings.Repeat("n", 201) + ",0,0.4\n", "bad.csv:2:1: column \"name\" is 201 bytes, over the 200-byte limit"},
		{"long number", "name,kl,winrate\ndpo," + strings.Repeat("9", 1000) + "x,0.4\n", "bad.csv:2:5: column \"kl\": \"9999999999999999999999999999999999999999\"... (1001 bytes) is not a finite number"},
		{"long win rate", "name,kl,winrate\ndpo,0,2." + strings.Repeat("0", 1000) + "\n", "bad.csv:2:7: column \"winrate\": 2 is outside [0, 1]"},
		{"-Inf win rate", "name,kl,winrate\ndpo,0,-Inf\n", "bad.csv:2:7: column \"winrate\": \"-Inf\" is not a finite number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.csv")
			require.NoError(t, os.WriteFile(path, []byte(c.content), 0o644))
			var stdout, stderr bytes.Buffer
			err := run([]string{"-in", path}, &stdout, &stderr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	var stdout, stderr bytes.Buffer
	assert.Error(t, run(nil, &stdout, &stderr), "no -in")
	err := run([]string{"-in", "testdata/missing.csv"}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.csv")
	fifo := filepath.Join(t.TempDir(), "points.csv")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	err = run([]string{"-in", fifo}, &stdout, &stderr)
	require.Error(t, err)
	assert.Contains(t, err.Error(), fifo+" is a named pipe (FIFO), not a regular file")
}

// FuzzParsePoints: any input either parses into points with non-empty names,
// finite kl and win rates in [0, 1], or gives an error naming the file;
// nothing panics.
func FuzzParsePoints(f *testing.F) {
	seed, err := os.ReadFile("testdata/points.csv")
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte("name,kl,winrate\ndpo,0,0.4\n"))
	f.Add([]byte("\ufeffName , KL, WinRate\n\"a,b\",1e-3,0.5\n"))
	f.Add([]byte("name,kl,winrate\ndpo,abc,0.5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		points, err := parsePoints("fuzz.csv", bytes.NewReader(data))
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "fuzz.csv:"), "error %q does not start with the file name", err)
			return
		}
		require.NotEmpty(t, points, "no points and no error")
		for _, p := range points {
			require.False(t, p.name == "" || math.IsNaN(p.kl) || math.IsInf(p.kl, 0) || !(p.winrate >= 0 && p.winrate <= 1), "invalid point %+v accepted", p)
		}
	})
}
