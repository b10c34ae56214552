package train

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzTrainerState feeds arbitrary bytes to the parsing of
// trainer_state.json and to the restoration of the data order, seeded with
// the state of a real 3-step run: neither may panic, and a restored order
// must keep producing valid pair indices.
func FuzzTrainerState(f *testing.F) {
	dir := f.TempDir()
	cfg := tinyTrainConfig(dir)
	cfg.MaxSteps = 3
	if err := newTiny(f, cfg, tinyData(tinyPairs(1, 5), nil)).Train(context.Background()); err != nil {
		f.Fatal(err)
	}
	real, err := os.ReadFile(filepath.Join(dir, "checkpoint-3", StateFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Add([]byte(`{"format":"daa.train/v1","data_order":{"perm":[0,1,2,3,4],"pos":9,"epoch":0}}`))
	f.Add([]byte(`{"format":"daa.train/v1","data_order":{"perm":[0,0,1,2,3]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := parseState(b, StateFile)
		if err != nil {
			return
		}
		o := newOrder(5, 0)
		if o.restore(st.Order) != nil {
			return
		}
		for range 7 {
			for _, i := range o.next(2) {
				require.True(t, i >= 0 && i < 5, "restored order gave index %d", i)
			}
		}
	})
}
