package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// event is one line of `go test -json` (cmd/test2json's TestEvent, plus
// the build events of `go test -json`).
type event struct {
	Action     string // start, run, output, pass, fail, skip, build-output, build-fail, ...
	Package    string
	ImportPath string // build events
	Test       string // "" for package-level events
	Output     string
}

// testOutput is the output of one running test: its own lines and the
// rendered blocks of its failed subtests, in the order they came.
type testOutput struct {
	chunks  []string
	failure string // its "--- FAIL: ..." line
}

// summary counts test results and writes what go test would print.
type summary struct {
	w       io.Writer
	verbose bool

	passed, failed, skipped int
	skippedNoData           int      // skipped tests whose output names DAA_SHARED
	failedPackages          []string // packages that failed with no failed test

	running    map[string]*testOutput // by package + "\x00" + test name
	testFailed map[string]bool        // packages with a failed test
}

func newSummary(w io.Writer, verbose bool) *summary {
	return &summary{w: w, verbose: verbose, running: map[string]*testOutput{}, testFailed: map[string]bool{}}
}

// read consumes a go test -json stream. Lines that are not JSON (output of
// the go command itself) are printed as they are.
func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(s.w, "%s\n", line)
			continue
		}
		s.handle(e)
	}
	return sc.Err()
}

// handle processes one event.
func (s *summary) handle(e event) {
	switch {
	case e.Action == "build-output":
		fmt.Fprint(s.w, e.Output)
	case e.Test == "":
		s.packageEvent(e)
	default:
		s.testEvent(e)
	}
}

// packageEvent prints a package's ok/FAIL line and notes a package that
// failed without a failed test.
func (s *summary) packageEvent(e event) {
	switch e.Action {
	case "output":
		switch out := e.Output; {
		case out == "PASS\n" || out == "FAIL\n" || strings.HasPrefix(out, "=== ") ||
			strings.HasPrefix(out, "testing: warning: no tests to run"):
		default:
			fmt.Fprint(s.w, out)
		}
	case "fail":
		// A test that never ended (a panic, a timeout) is printed now.
		prefix := e.Package + "\x00"
		var keys []string
		for key := range s.running {
			if strings.HasPrefix(key, prefix) {
				keys = append(keys, key)
			}
		}
		sort.Strings(keys)
		for _, key := range keys {
			fmt.Fprint(s.w, strings.Join(s.running[key].chunks, ""))
			delete(s.running, key)
		}
		if !s.testFailed[e.Package] {
			s.failedPackages = append(s.failedPackages, e.Package)
		}
	}
}

// testEvent collects a test's output and counts its result.
func (s *summary) testEvent(e event) {
	key := e.Package + "\x00" + e.Test
	t := s.running[key]
	if t == nil {
		t = &testOutput{}
		s.running[key] = t
	}
	depth := strings.Count(e.Test, "/")
	indent := strings.Repeat("    ", depth)
	switch e.Action {
	case "output":
		out := e.Output
		switch {
		case isBenchmark(e.Test):
			// Results as go test -bench prints them, as they come.
			if !strings.HasPrefix(out, "=== ") && out != e.Test+"\n" {
				fmt.Fprint(s.w, indent+out)
			}
		case s.verbose:
			fmt.Fprint(s.w, indent+out)
		case strings.HasPrefix(out, "=== "):
		case strings.HasPrefix(out, "--- FAIL"):
			t.failure = indent + out
		default:
			t.chunks = append(t.chunks, indent+out)
		}
	case "pass":
		s.passed++
		delete(s.running, key)
	case "skip":
		s.skipped++
		if strings.Contains(strings.Join(t.chunks, ""), "DAA_SHARED") {
			s.skippedNoData++
		}
		delete(s.running, key)
	case "fail":
		s.failed++
		s.testFailed[e.Package] = true
		delete(s.running, key)
		block := t.failure + strings.Join(t.chunks, "")
		if depth == 0 {
			fmt.Fprint(s.w, block)
			return
		}
		parent := key[:strings.LastIndex(key, "/")]
		if p := s.running[parent]; p != nil {
			p.chunks = append(p.chunks, block)
		} else {
			fmt.Fprint(s.w, block)
		}
	}
}

// isBenchmark reports whether a test name is a benchmark's (or one of its
// sub-benchmarks): its output is the measurement, printed as it comes.
func isBenchmark(name string) bool { return strings.HasPrefix(name, "Benchmark") }
