package pythia

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// PEFT adapter directories on a tiny checkpoint against the PyTorch
// reference (testdata/lora/gen.py: neox_ref.py with B A x added to the
// adapted projections, float64): logits with the adapter, with the adapters
// disabled and merged, the masked next-token loss and its gradients with
// respect to every lora_A and lora_B. Tolerances are the dtypes' (normwise
// relative 1e-5 in float32, 1e-12 in float64).
func TestLoRAGolden(t *testing.T) {
	for _, name := range []string{"all", "rslora"} {
		for _, c := range dtypes {
			t.Run(name+"/"+c.dt.String(), func(t *testing.T) {
				dir := filepath.Join("testdata", "lora")
				m, err := LoadDir(filepath.Join(dir, "model"), LoadOptions{DType: c.dt})
				require.NoError(t, err)
				base, err := m.LoadAdapter(filepath.Join(dir, name))
				require.NoError(t, err)
				require.Equal(t, "pythia/testdata/lora/model", base)
				want := openExpected(t, filepath.Join(dir, "expected-"+name+".safetensors"))
				ids := want.ints("input_ids")
				mask := make([][]bool, len(ids))
				for i, r := range want.ints("attention_mask") {
					for _, v := range r {
						mask[i] = append(mask[i], v == 1)
					}
				}

				want.check("base_logits", m.WithAdaptersDisabled().Forward(ids, mask).Data, c.tol)
				want.check("logits", m.Forward(ids, mask).Data, c.tol)
				loss := m.NextTokenLoss(ids, mask)
				want.check("loss", loss.Data, c.tol)
				loss.Backward()
				params := m.LoRAParams()
				n := 0
				for _, key := range want.f.Names() {
					if strings.HasPrefix(key, "grad.") {
						n++
					}
				}
				require.Len(t, params, n, "one gradient per adapter tensor")
				for _, p := range params {
					require.NotNil(t, p.Value.Grad, p.Name)
					want.check("grad."+p.Name, p.Value.Grad, c.tol)
				}

				m.MergeLoRA()
				want.check("logits", m.Forward(ids, mask).Data, c.tol)
				want.logWorst()
			})
		}
	}
}
