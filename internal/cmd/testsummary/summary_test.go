package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stream is `go test -json` output written by hand after a real run (Go
// 1.26): package tj/b fails to build; in package tj, TestP passes, TestF
// fails through its subtest bad (ok passes), TestS skips naming DAA_SHARED,
// TestQ skips for another reason. Tests and subtests: 3 passed (TestP,
// TestF/ok, TestE), 2 failed (TestF/bad, TestF), 2 skipped.
const stream = `{"ImportPath":"tj/b [tj/b.test]","Action":"build-output","Output":"# tj/b [tj/b.test]\n"}
{"ImportPath":"tj/b [tj/b.test]","Action":"build-output","Output":"b/b.go:2:12: undefined: undefined\n"}
{"ImportPath":"tj/b [tj/b.test]","Action":"build-fail"}
{"Action":"start","Package":"tj"}
{"Action":"start","Package":"tj/b"}
{"Action":"output","Package":"tj/b","Output":"FAIL\ttj/b [build failed]\n"}
{"Action":"fail","Package":"tj/b","Elapsed":0,"FailedBuild":"tj/b [tj/b.test]"}
{"Action":"run","Package":"tj","Test":"TestP"}
{"Action":"output","Package":"tj","Test":"TestP","Output":"=== RUN   TestP\n"}
{"Action":"output","Package":"tj","Test":"TestP","Output":"    a_test.go:3: hello\n"}
{"Action":"output","Package":"tj","Test":"TestP","Output":"--- PASS: TestP (0.00s)\n"}
{"Action":"pass","Package":"tj","Test":"TestP","Elapsed":0}
{"Action":"run","Package":"tj","Test":"TestF"}
{"Action":"output","Package":"tj","Test":"TestF","Output":"=== RUN   TestF\n"}
{"Action":"run","Package":"tj","Test":"TestF/ok"}
{"Action":"output","Package":"tj","Test":"TestF/ok","Output":"=== RUN   TestF/ok\n"}
{"Action":"output","Package":"tj","Test":"TestF/ok","Output":"--- PASS: TestF/ok (0.00s)\n"}
{"Action":"pass","Package":"tj","Test":"TestF/ok","Elapsed":0}
{"Action":"run","Package":"tj","Test":"TestF/bad"}
{"Action":"output","Package":"tj","Test":"TestF/bad","Output":"=== RUN   TestF/bad\n"}
{"Action":"output","Package":"tj","Test":"TestF/bad","Output":"    a_test.go:4: boom\n"}
{"Action":"output","Package":"tj","Test":"TestF/bad","Output":"--- FAIL: TestF/bad (0.00s)\n"}
{"Action":"fail","Package":"tj","Test":"TestF/bad","Elapsed":0}
{"Action":"output","Package":"tj","Test":"TestF","Output":"    a_test.go:4: parent log\n"}
{"Action":"output","Package":"tj","Test":"TestF","Output":"--- FAIL: TestF (0.00s)\n"}
{"Action":"fail","Package":"tj","Test":"TestF","Elapsed":0}
{"Action":"run","Package":"tj","Test":"TestS"}
{"Action":"output","Package":"tj","Test":"TestS","Output":"    a_test.go:5: reference data folder ../shared not found; set DAA_SHARED=/path\n"}
{"Action":"output","Package":"tj","Test":"TestS","Output":"--- SKIP: TestS (0.00s)\n"}
{"Action":"skip","Package":"tj","Test":"TestS","Elapsed":0}
{"Action":"run","Package":"tj","Test":"TestQ"}
{"Action":"output","Package":"tj","Test":"TestQ","Output":"    a_test.go:6: skipped in -short mode\n"}
{"Action":"skip","Package":"tj","Test":"TestQ","Elapsed":0}
{"Action":"run","Package":"tj","Test":"ExampleE"}
{"Action":"pass","Package":"tj","Test":"ExampleE","Elapsed":0}
{"Action":"output","Package":"tj","Output":"FAIL\n"}
{"Action":"output","Package":"tj","Output":"FAIL\ttj\t0.003s\n"}
{"Action":"fail","Package":"tj","Elapsed":0.003}
go: a line that is not JSON
`

// want is what go test prints for that run (without -json), then the notes
// and the summary line.
const want = `# tj/b [tj/b.test]
b/b.go:2:12: undefined: undefined
FAIL	tj/b [build failed]
--- FAIL: TestF (0.00s)
    --- FAIL: TestF/bad (0.00s)
        a_test.go:4: boom
    a_test.go:4: parent log
FAIL	tj	0.003s
go: a line that is not JSON
1 skipped for missing reference data: ` + hint + `
failed outside any test (build error, panic in init, TestMain): tj/b
tests: 3 passed, 2 failed, 2 skipped
`

func TestSummary(t *testing.T) {
	var out strings.Builder
	s := newSummary(&out, false)
	require.NoError(t, s.read(strings.NewReader(stream)))
	s.finish()
	assert.Equal(t, want, out.String())
	assert.Equal(t, 3, s.passed)
	assert.Equal(t, 2, s.failed)
	assert.Equal(t, 2, s.skipped)
	assert.Equal(t, 1, s.skippedNoData)
	assert.Equal(t, []string{"tj/b"}, s.failedPackages)
}

// TestSummaryAllPass checks the plain form of the last line and that no
// note is printed when nothing failed or lacked data.
func TestSummaryAllPass(t *testing.T) {
	var out strings.Builder
	s := newSummary(&out, false)
	require.NoError(t, s.read(strings.NewReader(`{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- PASS: TestA (0.00s)\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Output":"PASS\n"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.01s\n"}
{"Action":"pass","Package":"p"}
{"Action":"output","Package":"q","Output":"?   \tq\t[no test files]\n"}
{"Action":"skip","Package":"q"}
`)))
	s.finish()
	assert.Equal(t, "ok  \tp\t0.01s\n?   \tq\t[no test files]\ntests: 1 passed, 0 failed, 0 skipped\n", out.String())
}

// TestSummaryBenchmark: benchmark results are printed as go test -bench
// prints them (the events are from a real run, Go 1.26), not counted.
func TestSummaryBenchmark(t *testing.T) {
	var out strings.Builder
	s := newSummary(&out, false)
	require.NoError(t, s.read(strings.NewReader(`{"Action":"output","Package":"tj","Output":"goos: linux\n"}
{"Action":"run","Package":"tj","Test":"BenchmarkX"}
{"Action":"output","Package":"tj","Test":"BenchmarkX","Output":"=== RUN   BenchmarkX\n"}
{"Action":"output","Package":"tj","Test":"BenchmarkX","Output":"BenchmarkX\n"}
{"Action":"output","Package":"tj","Test":"BenchmarkX","Output":"BenchmarkX-2   \t      10\t        56.90 ns/op\t        42.00 widgets/op\n"}
{"Action":"output","Package":"tj","Output":"PASS\n"}
{"Action":"output","Package":"tj","Output":"ok  \ttj\t0.013s\n"}
{"Action":"pass","Package":"tj"}
`)))
	s.finish()
	assert.Equal(t, "goos: linux\nBenchmarkX-2   \t      10\t        56.90 ns/op\t        42.00 widgets/op\nok  \ttj\t0.013s\ntests: 0 passed, 0 failed, 0 skipped\n", out.String())
}
