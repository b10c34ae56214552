package study

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/daalab/daa/internal/term"
)

// progress counts units of work (optimizer steps) across parallel runs. On a
// terminal it redraws one bar with the share done and an ETA; otherwise it
// prints only the lines given to Logf (one per finished run).
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	total    int
	done     int
	start    time.Time
	last     time.Time
	label    string
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, terminal: term.IsTerminal(w), total: total, start: time.Now()}
}

// Add records n finished units.
func (p *progress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.terminal && time.Since(p.last) > 200*time.Millisecond {
		p.last = time.Now()
		p.draw()
	}
}

// SetLabel names the current phase on the bar.
func (p *progress) SetLabel(s string) {
	p.mu.Lock()
	p.label = s
	p.mu.Unlock()
}

// Logf prints a line (above the bar on a terminal).
func (p *progress) Logf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
	if p.terminal {
		p.draw()
	}
}

// Finish clears the bar.
func (p *progress) Finish() {
	if p.terminal {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func (p *progress) draw() {
	frac := float64(p.done) / float64(max(p.total, 1))
	const width = 30
	filled := int(frac * width)
	eta := "?"
	if p.done > 0 {
		left := time.Duration(float64(time.Since(p.start)) * (1 - frac) / frac)
		eta = left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\033[K[%s%s] %3.0f%% ETA %s %s", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), 100*frac, eta, p.label)
}
