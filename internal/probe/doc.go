// Package probe holds the hostile-input suite of issue 16 as tests: a table
// of generated bad inputs (oversized and corrupt config.json files,
// decompression bombs and deep pickles in pytorch_model.bin, named pipes in
// place of checkpoint and data files, NaN and infinite weights, unclear
// judge verdicts, and bad CSV, JSONL and Parquet files), each fed to the
// reader or command that a user would run on it.
//
// Every case runs in a child process (the test binary re-executed, which
// calls the reader under a soft memory limit, debug.SetMemoryLimit, or
// starts the built examples/inspect or examples/scalinglaw command) with a
// 10 s deadline, and must end with an error that names the culprit (file,
// key, field or line) or with the documented result, within 256 MB of peak
// resident memory: the reader's own VmHWM, or the command's ru_maxrss
// (started from the small child, since Linux counts the forking process's
// RSS in it). Run it with
//
//	go test ./internal/probe -v
//
// which prints each case's error, peak RSS and time.
package probe
