#!/usr/bin/env bash
# One shard of the over-optimization grid per array task:
#   sbatch --array=0-7 examples/overoptimization/slurm-array.sh
# then, when all tasks are done:
#   go run ./examples/overoptimization $(for i in $(seq 0 7); do echo -merge out/shard-$i; done) -out out/all
# SHARDS (default 8) must match the array's size; task i writes $OUT/shard-i (OUT default out,
# relative to the submit directory). Arguments after the script go to the study (e.g. -quick).
# slurm-local.sh runs it on a one-node cluster of its own.
#SBATCH --job-name=daa-overopt
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=01:00:00
set -euo pipefail
shards=${SHARDS:-8}
out=${OUT:-out}
cd "${SLURM_SUBMIT_DIR:-.}"
go run ./examples/overoptimization -shard "${SLURM_ARRAY_TASK_ID}/${shards}" -workers "${SLURM_CPUS_PER_TASK:-2}" -out "${out}/shard-${SLURM_ARRAY_TASK_ID}" "$@"
