#!/usr/bin/env bash
# compare.sh: run the fast engine's Go benchmarks and the PyTorch baseline
# (shared/reference/torch/bench_torch.py) on the same shapes, one after the
# other, and print a table of Go/PyTorch ratios with the date, CPU and load.
#
#   bench/compare.sh                      # all three models, about 10 minutes
#   MODELS=pythia-70m bench/compare.sh    # one model
#   MEMORY=1 bench/compare.sh             # also peak RSS of DPO steps (full, bf16 reference, LoRA)
#   GEMM=1 bench/compare.sh               # also float32 and bfloat16 GEMM GFLOP/s: Go, then PyTorch bf16 torch.mm
#
# Environment: MODELS (comma list, default pythia-14m,pythia-70m,pythia-160m),
# BENCHTIME (go test -benchtime, default 3x), REPS (bench_torch.py --reps,
# default 3), PYTHON (default /usr/bin/python3), SHARED (default ../shared
# next to the repository), MEMORY (1: measure peak memory with /usr/bin/time -v),
# MEMORY_MODELS (comma list, default pythia-160m,pythia-410m,pythia-1b; the 1b
# runs need about 15 GB free).
# Shapes: batch 8 x 128 tokens for forward and train step; DPO 4 pairs of
# prompt 64 + response 64 tokens. The torch part is skipped, with a message,
# when torch is not installed. Measure on an idle machine: the load is printed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
MODELS=${MODELS:-pythia-14m,pythia-70m,pythia-160m}
BENCHTIME=${BENCHTIME:-3x}
REPS=${REPS:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
SHARED=${SHARED:-$(dirname "$root")/shared}
bench_torch=$SHARED/reference/torch/bench_torch.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
echo "# bench/compare.sh $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "# CPU: ${cpu:-unknown}, $(nproc) logical CPUs; Go $(go env GOVERSION), GOMAXPROCS default"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# Go benchmark names for the models: Forward/m, TrainStep/m, DPOStep/m(/adamw).
alt=$(echo "$MODELS" | sed 's/,/|/g')
echo "## go test ./pythia/fast -run '^\$' -bench '^Benchmark(Forward|TrainStep|DPOStep)\$/($alt)' -benchtime $BENCHTIME"
(cd "$root" && go test ./pythia/fast -run '^$' -bench "^Benchmark(Forward|TrainStep|DPOStep)\$/($alt)(/|\$)" \
	-benchtime "$BENCHTIME" -timeout 60m) | tee "$work/go.txt" | grep -E '^Benchmark' || true
echo "## go test ./pythia/fast -run '^\$' -bench '^Benchmark(TinyTrainStep|Generate)\$' -benchtime 300x   (Go only: no PyTorch counterpart)"
(cd "$root" && go test ./pythia/fast -run '^$' -bench '^Benchmark(TinyTrainStep|Generate)$' -benchtime 300x) |
	tee -a "$work/go.txt" | grep -E '^Benchmark' || true
echo "# load after Go: $(cut -d' ' -f1-3 /proc/loadavg)"

have_torch=0
if [ -x "$PYTHON" ] && "$PYTHON" -c 'import torch' 2>/dev/null && [ -f "$bench_torch" ]; then
	have_torch=1
	# This machine's environment forces OPENBLAS_CORETYPE=Haswell (and an L2
	# size), which halves OpenBLAS's speed on AVX-512: run PyTorch without them.
	echo "## env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $PYTHON $bench_torch --blas openblas --threads 2 --models $MODELS --skip gemm --reps $REPS"
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" "$bench_torch" --blas openblas --threads 2 --models "$MODELS" --skip gemm --reps "$REPS" \
		--json "$work/torch.json" | grep -E '^(  (fwd|fwd\+bwd|DPO)|WARNING|#)' || true
	echo "# load after PyTorch: $(cut -d' ' -f1-3 /proc/loadavg)"
else
	echo "## PyTorch part skipped: torch is not importable by $PYTHON or $bench_torch is missing"
	echo "##   (apt-get install -y python3-torch python3-numpy libopenblas0-openmp; see $SHARED/reference/torch/README.md)"
fi

# The table: Go figure, PyTorch figure and their ratio per model and measure.
if [ -x "$PYTHON" ]; then
	"$PYTHON" - "$work/go.txt" "$work/torch.json" "$MODELS" <<'PY'
import json, os, re, sys
go, torch_path, models = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
vals = {}
for line in open(go):
    m = re.match(r"^Benchmark(\S+?)(-\d+)?\s.*?([\d.e+]+) (tokens|pairs|steps)/s", line)
    if m:
        vals[m.group(1)] = float(m.group(3))
torch = json.load(open(torch_path))["models"] if os.path.exists(torch_path) else {}
fmt = lambda x: f"{x:.0f}" if x >= 100 else f"{x:.3g}"
rows = [("Forward", "", "fwd", "tok_s", "forward tok/s"), ("TrainStep", "", "fwdbwd", "tok_s", "train step tok/s"),
        ("DPOStep", "", "dpo", "pairs_s", "DPO step pairs/s"), ("DPOStep", "/adamw", "dpo_adamw", "pairs_s", "DPO+AdamW pairs/s")]
print()
print("| model | measure | Go | PyTorch | Go/PyTorch |")
print("|---|---|---|---|---|")
for model in models:
    for bench, suffix, key, unit, label in rows:
        g = vals.get(f"{bench}/{model}{suffix}")
        if g is None:
            continue
        t = torch.get(model, {}).get(key, {}).get(unit)
        ts, ratio = ("-", "-") if not t else (fmt(t), f"{g / t:.2f}")
        print(f"| {model} | {label} | {fmt(g)} | {ts} | {ratio} |")
for bench, label in [("TinyTrainStep", "tiny model (H32 L2, 64 x 24 tokens) train step steps/s"),
                     ("Generate", "tiny model Generate tokens/s (256 prompts x 16 new)")]:
    if bench in vals:
        print(f"| tiny | {label} | {fmt(vals[bench])} | - | - |")
PY
fi

if [ "${MEMORY:-0}" = 1 ]; then
	echo
	echo "## peak resident memory of a DPO step (4 pairs of prompt 64 + response 64), /usr/bin/time -v; seconds per step from bench/dpostep (2 steps, the second timed)"
	echo "# MEMORY_MODELS=${MEMORY_MODELS:-pythia-160m,pythia-410m,pythia-1b}; free before: $(free -g | awk '/Mem:/ {print $7 " GiB available"}')"
	(cd "$root" && go build -o "$work/dpostep" ./bench/dpostep)
	echo "| model | setup | Go peak RSS | Go s/step | PyTorch peak RSS |"
	echo "|---|---|---|---|---|"
	for m in $(echo "${MEMORY_MODELS:-pythia-160m,pythia-410m,pythia-1b}" | tr , ' '); do
		for setup in "full AdamW, float32 reference|-optimizer adamw -base f32" \
			"full AdamW, bf16 reference|-optimizer adamw -base bf16" \
			"full RMSProp, bf16 reference, checkpointed|-optimizer rmsprop -base bf16 -checkpoint-activations" \
			"LoRA r16 (4 projections) AdamW, bf16 base, checkpointed|-lora 16 -optimizer adamw -base bf16 -checkpoint-activations"; do
			label=${setup%%|*}
			case "$m:$label" in
			pythia-1b:full\ AdamW* | pythia-[26].*:full*) # 18-20 bytes per parameter: more than this 24 GB machine
				echo "| $m | $label | skipped (18-20 bytes per parameter) | - | - |"
				continue
				;;
			esac
			# shellcheck disable=SC2086
			/usr/bin/time -v "$work/dpostep" -model "$m" -steps 2 ${setup#*|} >"$work/go.out" 2>"$work/go.time" || true
			torch=-
			if [ "$have_torch" = 1 ] && [ "$label" = "full AdamW, float32 reference" ] && grep -q "\"$m\"" "$bench_torch"; then
				env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/time -v "$PYTHON" "$bench_torch" --blas openblas --threads 2 --models "$m" \
					--skip fwd,fwdbwd,dpo,gemm --reps 1 --warmup 1 >/dev/null 2>"$work/torch.time" &&
					torch=$(grep 'Maximum resident' "$work/torch.time" | awk '{printf "%.0f MB", $NF/1024}')
			fi
			echo "| $m | $label | $(grep 'Maximum resident' "$work/go.time" | awk '{printf "%.0f MB", $NF/1024}') | $(grep 'per step' "$work/go.out" | awk '{print $1}') | $torch |"
		done
	done
	echo "# PyTorch: bench_torch.py's DPO+AdamW step (float32 reference) for the presets it knows (up to pythia-160m); it has no LoRA (PEFT) or bf16-reference variant."
fi
if [ "${GEMM:-0}" = 1 ]; then
	echo
	echo "## go test ./tensor/kernel -run '^\$' -bench '^Benchmark(Sgemm|GemmBF16)\$/(1024x1024x1024|1024x512x2048)\$'   (load $(cut -d' ' -f1-3 /proc/loadavg))"
	(cd "$root" && go test ./tensor/kernel -run '^$' -bench '^Benchmark(Sgemm|GemmBF16)$/(1024x1024x1024|1024x512x2048)$') | grep -E '^Benchmark' || true
	if [ "$have_torch" = 1 ]; then
		echo "## $PYTHON $bench_torch --blas openblas --threads 2 --amp bf16 --skip fwd,fwdbwd,dpo,adamw   (load $(cut -d' ' -f1-3 /proc/loadavg))"
		env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PYTHON" "$bench_torch" --blas openblas --threads 2 --amp bf16 \
			--skip fwd,fwdbwd,dpo,adamw --reps "$REPS" | grep -E '^\| [0-9]+x' || true
	fi
fi
echo "# load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
