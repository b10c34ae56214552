package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Limits every case must meet.
const (
	maxRSSBytes = 256 << 20
	caseTimeout = 10 * time.Second
)

// probeCase is one hostile input. setup writes it into dir (in the parent
// process). Then either run is called in a child test process (a library
// reader) or the command cmd is run with args(dir). want are substrings the
// error (or, for a command, its standard error) must contain; with ok the
// case must instead succeed and its result contain want (a documented
// handling, such as "a tie" read as a tie).
type probeCase struct {
	name  string
	setup func(t *testing.T, dir string)
	run   func(dir string) (string, error)
	cmd   string // "inspect" or "scalinglaw"
	args  func(dir string) []string
	want  []string
	ok    bool
}

// childResult is what a child test process reports on standard output.
type childResult struct {
	Result string `json:"result"`
	Err    string `json:"err"`
	HasErr bool   `json:"has_err"`
	VmHWM  int64  `json:"vm_hwm"` // peak resident bytes, from /proc/self/status
}

// vmHWM returns the process's peak resident set size in bytes.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil {
				return kb << 10
			}
		}
	}
	return -1
}

// TestMain runs one case's reader when re-executed as a child
// (PROBE_CASE and PROBE_DIR set), under a soft memory limit.
func TestMain(m *testing.M) {
	if name := os.Getenv("PROBE_CASE"); name != "" {
		debug.SetMemoryLimit(maxRSSBytes / 2)
		for _, c := range cases() {
			if c.name == name {
				res, err := c.run(os.Getenv("PROBE_DIR"))
				out := childResult{Result: res, VmHWM: vmHWM()}
				if err != nil {
					out.Err, out.HasErr = err.Error(), true
				}
				json.NewEncoder(os.Stdout).Encode(out)
				os.Exit(0)
			}
		}
		fmt.Fprintf(os.Stderr, "probe: no case %q\n", name)
		os.Exit(2)
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// command returns the path of the built example command name, building
// examples/inspect and examples/scalinglaw once.
func command(t *testing.T, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "probe-bin-"); buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", binDir, "../../examples/inspect", "../../examples/scalinglaw")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return filepath.Join(binDir, name)
}

// TestHostileInputs runs every case in its own process and checks its
// error, peak RSS and time.
func TestHostileInputs(t *testing.T) {
	start := time.Now()
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if c.setup != nil {
				c.setup(t, dir)
			}
			var cmd *exec.Cmd
			ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
			defer cancel()
			if c.cmd != "" {
				cmd = exec.CommandContext(ctx, command(t, c.cmd), c.args(dir)...)
			} else {
				exe, err := os.Executable()
				require.NoError(t, err)
				cmd = exec.CommandContext(ctx, exe)
				cmd.Env = append(os.Environ(), "PROBE_CASE="+c.name, "PROBE_DIR="+dir)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			began := time.Now()
			runErr := cmd.Run()
			elapsed := time.Since(began)
			require.NoError(t, ctx.Err(), "hung: no result within %v", caseTimeout)
			// A command's peak RSS is its ru_maxrss, an upper bound: Linux
			// counts the forking test process's RSS before the exec too. A
			// child test process reports its own VmHWM.
			rss := int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10 // KiB on Linux
			var msg string
			var failed bool
			if c.cmd != "" {
				msg, failed = strings.TrimSpace(stderr.String()), runErr != nil
				if failed {
					assert.Equal(t, 1, cmd.ProcessState.ExitCode(), "exit status (want 1, an error, not a crash)\n%s", msg)
				}
				if !failed {
					msg = stdout.String()
				}
			} else {
				require.NoError(t, runErr, "child crashed:\n%s", stderr.String())
				var res childResult
				require.NoError(t, json.Unmarshal(stdout.Bytes(), &res), "child output %q", stdout.String())
				msg, failed = res.Err, res.HasErr
				if !failed {
					msg = res.Result
				}
				require.Positive(t, res.VmHWM, "VmHWM of the child")
				rss = res.VmHWM
			}
			assert.Less(t, rss, int64(maxRSSBytes), "peak RSS")
			t.Logf("%s (peak RSS %.1f MB, %v)", shorten(msg), float64(rss)/(1<<20), elapsed.Round(time.Millisecond))
			if c.ok {
				assert.False(t, failed, "want success, got error %s", shorten(msg))
			} else {
				assert.True(t, failed, "want an error, got success: %s", shorten(msg))
				assert.Less(t, len(msg), 2000, "error message length")
			}
			for _, w := range c.want {
				assert.Contains(t, msg, strings.ReplaceAll(w, "DIR", dir))
			}
		})
	}
	t.Cleanup(func() { t.Logf("%d cases in %v", len(cases()), time.Since(start).Round(time.Millisecond)) })
}

// shorten keeps a message readable in the log.
func shorten(s string) string {
	if len(s) > 400 {
		return s[:400] + "..."
	}
	return s
}
