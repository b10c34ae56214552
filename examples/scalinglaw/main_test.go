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
	"testing"
)

type output struct {
	Fits []fitJSON `json:"fits"`
}

func runJSON(t *testing.T, args ...string) output {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("run %v: %v\n%s", args, err, stderr.String())
	}
	var out output
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout.String())
	}
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
	if len(out.Fits) != 9 {
		t.Fatalf("%d fits, want 3 names x 3 forms", len(out.Fits))
	}
	for i, f := range out.Fits {
		wantName, wantForm := []string{"dpo", "ipo", "slic"}[i/3], []string{"rl", "bon", "quadratic"}[i%3]
		if f.Name != wantName || f.Form != wantForm || f.N != 12 || !f.WithIntercept {
			t.Errorf("entry %d: %s/%s n=%d intercept=%v, want %s/%s n=12 with intercept", i, f.Name, f.Form, f.N, f.WithIntercept, wantName, wantForm)
		}
		if f.Form != "rl" {
			continue
		}
		tr := truth[f.Name]
		if math.Abs(f.Alpha-tr[0]) > 0.2*tr[0] || math.Abs(f.Beta-tr[1]) > 0.2*tr[1] || f.RMSE > 0.015 || f.PeakD == nil {
			t.Errorf("%s rl: alpha %.4f beta %.4f rmse %.4f peak %v; want alpha %.2f beta %.2f within 20%%, rmse < 0.015, a peak", f.Name, f.Alpha, f.Beta, f.RMSE, f.PeakD, tr[0], tr[1])
		}
	}
	data, err := os.ReadFile(plot)
	if err != nil {
		t.Fatal(err)
	}
	if _, format, err := image.Decode(bytes.NewReader(data)); err != nil || format != "png" {
		t.Errorf("plot: %v (format %q)", err, format)
	}
}

// TestRunNoIntercept: with -intercept=false rl and bon pass through the
// origin (intercept 0) while the quadratic baseline still fits c.
func TestRunNoIntercept(t *testing.T) {
	for _, f := range runJSON(t, "-in", "testdata/points.csv", "-intercept=false").Fits {
		if f.Form == "quadratic" {
			if !f.WithIntercept || math.Abs(f.Intercept-0.4) > 0.05 {
				t.Errorf("%s quadratic: intercept %v (%v), want about 0.4", f.Name, f.Intercept, f.WithIntercept)
			}
		} else if f.WithIntercept || f.Intercept != 0 {
			t.Errorf("%s %s: intercept %v (%v), want none", f.Name, f.Form, f.Intercept, f.WithIntercept)
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
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.csv")
			os.WriteFile(path, []byte(c.content), 0o644)
			var stdout, stderr bytes.Buffer
			err := run([]string{"-in", path}, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	var stdout, stderr bytes.Buffer
	if err := run(nil, &stdout, &stderr); err == nil {
		t.Error("no -in: no error")
	}
	if err := run([]string{"-in", "testdata/missing.csv"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: error %v", err)
	}
}

// FuzzParsePoints: any input either parses into points with non-empty names
// and finite numbers, or gives an error naming the file; nothing panics.
func FuzzParsePoints(f *testing.F) {
	seed, err := os.ReadFile("testdata/points.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("name,kl,winrate\ndpo,0,0.4\n"))
	f.Add([]byte("\ufeffName , KL, WinRate\n\"a,b\",1e-3,0.5\n"))
	f.Add([]byte("name,kl,winrate\ndpo,abc,0.5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		points, err := parsePoints("fuzz.csv", bytes.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv:") {
				t.Fatalf("error %q does not start with the file name", err)
			}
			return
		}
		if len(points) == 0 {
			t.Fatal("no points and no error")
		}
		for _, p := range points {
			if p.name == "" || math.IsNaN(p.kl) || math.IsInf(p.kl, 0) || math.IsNaN(p.winrate) || math.IsInf(p.winrate, 0) {
				t.Fatalf("invalid point %+v accepted", p)
			}
		}
	})
}
