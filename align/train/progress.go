package train

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/daalab/daa/align"
	"github.com/daalab/daa/internal/term"
)

// runningWindow is the number of recent steps the running loss averages.
const runningWindow = 20

// progress shows the training progress on a writer: a bar redrawn in place
// on a terminal, one plain line per step otherwise.
type progress struct {
	w      io.Writer
	tty    bool
	total  int       // optimizer steps of the run
	first  int       // the step this session started from
	start  time.Time // when this session started
	recent []float64 // the losses of the last runningWindow steps
	drawn  bool      // a bar is on the current terminal line
}

// newProgress returns a progress display on w (nil: none) for a run of
// total steps resumed at step first.
func newProgress(w io.Writer, total, first int) *progress {
	return &progress{w: w, tty: term.IsTerminal(w), total: total, first: first, start: time.Now()}
}

// step shows a training record.
func (p *progress) step(r Record) {
	if p.w == nil {
		return
	}
	p.recent = append(p.recent, r[KeyLoss])
	if len(p.recent) > runningWindow {
		p.recent = p.recent[1:]
	}
	var running float64
	for _, l := range p.recent {
		running += l
	}
	running /= float64(len(p.recent))
	step := int(r[KeyStep])
	eta := "?"
	if done := step - p.first; done > 0 {
		left := time.Duration(float64(time.Since(p.start)) / float64(done) * float64(p.total-step))
		eta = left.Round(time.Second).String()
	}
	if p.tty {
		const width = 24
		filled := width * min(step, p.total) / max(p.total, 1)
		bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
		fmt.Fprintf(p.w, "\r\x1b[K[%s] %d/%d loss %.4f acc %.2f eta %s", bar, step, p.total, running, accuracy(r, ""), eta)
		p.drawn = true
		return
	}
	fmt.Fprintf(p.w, "step %d/%d examples %.0f epoch %.3f loss %.4f running %.4f acc %.2f margin %.4g lr %.3g grad_norm %.3g eta %s\n",
		step, p.total, r[KeyExamples], r[KeyEpoch], r[KeyLoss], running, accuracy(r, ""),
		r[align.MetricRewardsMargins], r[KeyLearningRate], r[KeyGradNorm], eta)
}

// eval shows an evaluation record on a line of its own.
func (p *progress) eval(r Record) {
	if p.w == nil {
		return
	}
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
	fmt.Fprintf(p.w, "eval step %.0f examples %.0f eval_loss %.4f eval_acc %.2f eval_margin %.4g\n",
		r[KeyStep], r[KeyExamples], r[EvalPrefix+KeyLoss], accuracy(r, EvalPrefix), r[EvalPrefix+align.MetricRewardsMargins])
}

// accuracy returns the record's rewards/accuracies, or for SFT its
// mean_token_accuracy.
func accuracy(r Record, prefix string) float64 {
	if v, ok := r[prefix+align.MetricRewardsAccuracy]; ok {
		return v
	}
	return r[prefix+KeyMeanTokenAccuracy]
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.w != nil && p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
