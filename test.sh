#!/usr/bin/env bash
# The project's test command (README): every package, every test. Arguments
# go to `go test` (./test.sh -count=1, ./test.sh -run TestDPO, ./test.sh -v).
# It prints go test's per-package ok/FAIL lines and the output of failed
# tests, and ends with one line counting tests and subtests:
#
#	tests: 812 passed, 0 failed, 14 skipped
#
# Tests that need the reference data skip without it; the line before the
# count then says how many and how to supply it (../shared next to the
# checkout, or DAA_SHARED=/path/to/shared). Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/testsummary" ./internal/cmd/testsummary
verbose=()
for a in "$@"; do
  case "$a" in -v | -v=true | -test.v | -test.v=true) verbose=(-v) ;; esac
done
go test -json ./... "$@" | "$bin/testsummary" "${verbose[@]}"
