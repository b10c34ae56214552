#!/usr/bin/env bash
# Runs the -quick grid through a real one-node Slurm cluster and checks the merged result:
#   examples/overoptimization/slurm-local.sh          (as root, from anywhere in the module)
#
# 1. Installs Debian's slurm-wlm and munge when slurmctld, slurmd, sbatch or munged is missing.
# 2. Starts munged, slurmctld and slurmd with their own key, socket, configuration, state and logs
#    in a temporary directory: nothing under /etc is read or changed (slurm tools follow SLURM_CONF).
# 3. Submits slurm-array.sh as a 2-task array job (SHARDS=2, -quick) and waits for it.
# 4. Merges the two shard directories and checks that points.csv is byte-identical to the one of
#    an unsharded -quick run.
# 5. Stops the daemons it started and removes the directory (KEEP=1 keeps it, for the logs).
# Environment: SLURM_PORT (default 16817; slurmd uses the next port), TIMEOUT seconds for the
# array job (default 1800). Exits non-zero when a step fails or the files differ.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
port=${SLURM_PORT:-16817}
timeout=${TIMEOUT:-1800}

# 1. Packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
	! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
	echo "slurm-local: installing slurm-wlm and munge"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 slurm-wlm munge
fi
[ "$(id -u)" = 0 ] || { echo "slurm-local: run as root (slurmd starts jobs as their user)" >&2; exit 1; }

dir=$(mktemp -d /tmp/slurm-local.XXXXXX)
pids=()
stop() {
	status=$?
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [ "${KEEP:-0}" = 1 ] || [ "$status" != 0 ]; then
		echo "slurm-local: logs and outputs kept in $dir"
	else
		rm -rf "$dir"
	fi
	exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM

# waitfor DESCRIPTION SECONDS COMMAND...: polls COMMAND every second until it succeeds.
waitfor() {
	local what=$1 secs=$2
	shift 2
	for ((s = 0; s < secs; s++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 1
	done
	echo "slurm-local: timed out after ${secs}s waiting for $what" >&2
	return 1
}

# 2a. munged with its own key, socket and files (its directories must not be group/world writable).
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/out"
chmod 0755 "$dir/munge" # munged's socket directory must be searchable; the key stays 0400
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$dir/munge/munge.key"
munged --foreground --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/socket" \
	--pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/seed" \
	--log-file="$dir/log/munged.log" >"$dir/log/munged.out" 2>&1 &
pids+=($!)
waitfor "munged" 30 bash -c "munge --socket='$dir/munge/socket' -n | unmunge --socket='$dir/munge/socket'"

# 2b. slurm.conf: this host as the controller and the only node, with every path in $dir.
host=$(hostname -s)
cpus=$(nproc)
mem=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 - 512)) # MB, leaving some for the daemons
cat >"$dir/slurm.conf" <<EOF
ClusterName=daalocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$dir/slurm.conf

# 2c. The daemons, in the foreground of their own background jobs so that stop() can end them.
slurmctld -D -c -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
pids+=($!)
waitfor "slurmctld" 60 scontrol ping
slurmd -D -f "$SLURM_CONF" >"$dir/log/slurmd.out" 2>&1 &
pids+=($!)
waitfor "node $host to be idle" 60 bash -c "sinfo -h -n '$host' -o %T | grep -qx idle"
sinfo

# The reference: the unsharded -quick run (built first so that the job steps only reuse the cache).
cd "$root"
go build -o /dev/null ./examples/overoptimization
echo "slurm-local: unsharded -quick run (${SECONDS}s)"
go run ./examples/overoptimization -quick -out "$dir/whole" >"$dir/log/whole.log" 2>&1 ||
	{ cat "$dir/log/whole.log" >&2; exit 1; }

# 3. The array job: two tasks of one core each, so that both run at once on a 2-core node.
echo "slurm-local: submitting slurm-array.sh as a 2-task array (${SECONDS}s)"
job=$(sbatch --parsable --wait --array=0-1 --cpus-per-task=1 --mem=1G \
	--time="$((timeout / 60))" --output="$dir/log/task-%a.log" \
	--export=ALL,SHARDS=2,OUT="$dir/out" \
	examples/overoptimization/slurm-array.sh -quick) || {
	echo "slurm-local: the array job failed" >&2
	tail -n 20 "$dir"/log/task-*.log >&2 || true
	exit 1
}
states=$(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z]*' | sort | uniq -c | tr -s ' ' || true)
echo "slurm-local: array job $job done after ${SECONDS}s; task states:${states:- (job already purged)}"

# 4. Merge and compare.
go run ./examples/overoptimization -quick -merge "$dir/out/shard-0" -merge "$dir/out/shard-1" \
	-out "$dir/merged" >"$dir/log/merge.log" 2>&1 || { cat "$dir/log/merge.log" >&2; exit 1; }
if cmp "$dir/whole/points.csv" "$dir/merged/points.csv"; then
	echo "slurm-local: PASS: merged points.csv ($(wc -l <"$dir/merged/points.csv") lines) is byte-identical to the unsharded run's (${SECONDS}s)"
else
	echo "slurm-local: FAIL: merged points.csv differs from the unsharded run's" >&2
	exit 1
fi
