package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPackPanelGoDefinition checks packPanelGo against the definition of a
// packed panel (packPanels): dst[p*w + r] = src(r, p) for the valid rows
// r < rows, zero for the others, on the transpose (sp == 1), copy
// (sx == 1) and general layouts, for full and partial panels whose row
// counts are and are not multiples of four. dst starts filled with NaN so
// that a value left unwritten fails.
func TestPackPanelGoDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	nan := float32(math.NaN())
	for _, w := range []int{6, 12, 32} {
		for _, rows := range []int{1, 3, 4, 5, 8, w} {
			if rows > w {
				continue
			}
			for _, kc := range []int{1, 7, 28} {
				for _, layout := range []string{"transpose", "copy", "general"} {
					var sx, sp int
					switch layout {
					case "transpose":
						sx, sp = kc+3, 1
					case "copy":
						sx, sp = 1, w+5
					default:
						sx, sp = 2, 2*w+3
					}
					src := randomSlice[float32](rng, (rows-1)*sx+(kc-1)*sp+1)
					dst := make([]float32, w*kc)
					for i := range dst {
						dst[i] = nan
					}
					packPanelGo(dst, operand[float32]{src, sx, sp}, rows, kc, w)
					for p := 0; p < kc; p++ {
						for r := 0; r < w; r++ {
							want := float32(0)
							if r < rows {
								want = src[r*sx+p*sp]
							}
							require.Equalf(t, want, dst[p*w+r], "w=%d rows=%d kc=%d %s: dst[%d*%d+%d]", w, rows, kc, layout, p, w, r)
						}
					}
				}
			}
		}
	}
}
