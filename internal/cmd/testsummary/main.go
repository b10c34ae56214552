// Command testsummary reads the output of `go test -json` on stdin and
// prints what `go test` prints (the per-package ok/FAIL lines, build errors,
// and the output of each failed test), then a last line counting the tests
// and subtests:
//
//	tests: 812 passed, 0 failed, 14 skipped
//
// Before that line it says how many tests skipped for want of the reference
// data (their skip message names DAA_SHARED, as internal/shareddata's does)
// and how to supply it, and which packages failed outside any test (a build
// error, a panic in init). It exits 1 if any test or package failed. With
// -v it prints every test's output, as go test -v does. ./test.sh runs it.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	verbose := flag.Bool("v", false, "print the output of every test, not only of failed ones")
	flag.Parse()
	s := newSummary(os.Stdout, *verbose)
	if err := s.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(2)
	}
	s.finish()
	if s.failed > 0 || len(s.failedPackages) > 0 {
		os.Exit(1)
	}
}

// hint says how to supply the reference data (internal/shareddata.Hint).
const hint = "put the shared folder at ../shared next to the checkout or set DAA_SHARED=/path/to/shared"

// finish prints the notes and the summary line.
func (s *summary) finish() {
	if s.skippedNoData > 0 {
		fmt.Fprintf(s.w, "%d skipped for missing reference data: %s\n", s.skippedNoData, hint)
	}
	if len(s.failedPackages) > 0 {
		fmt.Fprintf(s.w, "failed outside any test (build error, panic in init, TestMain): %s\n", strings.Join(s.failedPackages, " "))
	}
	fmt.Fprintln(s.w, s.line())
}

// line is the summary line.
func (s *summary) line() string {
	return fmt.Sprintf("tests: %d passed, %d failed, %d skipped", s.passed, s.failed, s.skipped)
}
