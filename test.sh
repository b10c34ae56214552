#!/usr/bin/env bash
# The project's test command (README): every package, every test.
set -euo pipefail
cd "$(dirname "$0")"
go test ./... "$@"
