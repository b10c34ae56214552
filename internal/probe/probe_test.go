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

// commandResult is what a child test process reports after running a
// command.
type commandResult struct {
	Exit   int    `json:"exit"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	MaxRSS int64  `json:"max_rss"` // the command's ru_maxrss in bytes
}

// runCommand runs path with args under the case deadline and reports the
// result on standard output. Linux counts in a process's ru_maxrss the RSS
// its parent had when it forked, so the command is started from this small
// fresh process rather than from the test process holding the inputs.
func runCommand(path string, args []string) {
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(2)
	}
	json.NewEncoder(os.Stdout).Encode(commandResult{Exit: cmd.ProcessState.ExitCode(), Stdout: stdout.String(), Stderr: stderr.String(),
		MaxRSS: int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) << 10}) // KiB on Linux
	os.Exit(0)
}

// TestMain runs one case's reader when re-executed as a child
// (PROBE_CASE and PROBE_DIR set), under a soft memory limit, or runs a
// command (PROBE_EXEC set, its arguments on the command line).
func TestMain(m *testing.M) {
	if path := os.Getenv("PROBE_EXEC"); path != "" {
		runCommand(path, os.Args[1:])
	}
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
			ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
			defer cancel()
			exe, err := os.Executable()
			require.NoError(t, err)
			var cmd *exec.Cmd
			if c.cmd != "" {
				cmd = exec.CommandContext(ctx, exe, c.args(dir)...)
				cmd.Env = append(os.Environ(), "PROBE_EXEC="+command(t, c.cmd))
			} else {
				cmd = exec.CommandContext(ctx, exe)
				cmd.Env = append(os.Environ(), "PROBE_CASE="+c.name, "PROBE_DIR="+dir)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			began := time.Now()
			runErr := cmd.Run()
			elapsed := time.Since(began)
			require.NoError(t, ctx.Err(), "hung: no result within %v", caseTimeout)
			require.NoError(t, runErr, "child crashed:\n%s", stderr.String())
			// A command's peak RSS is its ru_maxrss (which includes the
			// small child's RSS when it forked); a child test process
			// reports its own VmHWM.
			var rss int64
			var msg string
			var failed bool
			if c.cmd != "" {
				var res commandResult
				require.NoError(t, json.Unmarshal(stdout.Bytes(), &res), "child output %q", stdout.String())
				msg, failed, rss = strings.TrimSpace(res.Stderr), res.Exit != 0, res.MaxRSS
				if failed {
					assert.Equal(t, 1, res.Exit, "exit status (want 1, an error, not a crash)\n%s", msg)
				} else {
					msg = res.Stdout
				}
			} else {
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
