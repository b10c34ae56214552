package report

import "math"

// clipPolyline cuts the polyline through xs, ys to the band
// lo <= y <= hi and returns the pieces that lie inside it, each with at
// least two points. A segment that crosses the band's edge is cut where it
// crosses, y(t) = y0 + t (y1 - y0) = lo or hi; a non-finite point ends the
// piece. Fitted curves are drawn through it so they stay inside the axes,
// which are set by the data. It panics if xs and ys differ in length.
func clipPolyline(xs, ys []float64, lo, hi float64) [][2][]float64 {
	if len(xs) != len(ys) {
		panic("report: clipPolyline: x and y differ in length")
	}
	var pieces [][2][]float64
	var px, py []float64 // the piece being built
	end := func() {
		if len(px) >= 2 {
			pieces = append(pieces, [2][]float64{px, py})
		}
		px, py = nil, nil
	}
	at := func(x0, y0, x1, y1, t float64) (float64, float64) {
		return x0 + t*(x1-x0), y0 + t*(y1-y0)
	}
	for i := 1; i < len(xs); i++ {
		x0, y0, x1, y1 := xs[i-1], ys[i-1], xs[i], ys[i]
		if !finite(x0) || !finite(y0) || !finite(x1) || !finite(y1) {
			end()
			continue
		}
		// The part of the segment inside the band: t in [tIn, tOut].
		tIn, tOut := 0.0, 1.0
		if y1 == y0 {
			if y0 < lo || y0 > hi {
				end()
				continue
			}
		} else {
			ta, tb := (lo-y0)/(y1-y0), (hi-y0)/(y1-y0)
			tIn, tOut = math.Max(0, math.Min(ta, tb)), math.Min(1, math.Max(ta, tb))
			if tIn > tOut {
				end()
				continue
			}
		}
		if tIn > 0 || len(px) == 0 { // entering the band, or starting
			end()
			x, y := at(x0, y0, x1, y1, tIn)
			px, py = append(px, x), append(py, y)
		}
		x, y := at(x0, y0, x1, y1, tOut)
		px, py = append(px, x), append(py, y)
		if tOut < 1 { // leaving the band
			end()
		}
	}
	end()
	return pieces
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
