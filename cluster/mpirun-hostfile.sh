#!/usr/bin/env bash
# Trains with OpenMPI's mpirun on the hosts of a hostfile (no scheduler needed):
#
#   cluster/mpirun-hostfile.sh HOSTFILE CONFIG OUTPUT [hmtl train options...]
#
# HOSTFILE has one host per line, `node1 slots=4`; the world size is the sum of the slots (a
# host without slots= counts 1). OUTPUT must be a folder every host sees at the same path (a
# shared file system); --resume is always passed, so rerunning the same command continues a
# stopped or crashed run from its newest intact checkpoint and starts fresh otherwise.
#
# Environment:
#   HMTL              the hmtl binary, same path on every host (default: hmtl on PATH, else
#                     .build/release/hmtl of this repository)
#   THREADS_PER_RANK  OpenBLAS threads and cores per rank (default 1)
#   MPIRUN            the mpirun to use (default: mpirun on PATH); must belong to the OpenMPI hmtl links
#   MPIRUN_ARGS       extra mpirun arguments, split on spaces (e.g. "--mca btl_tcp_if_include eth0")
#   SIGKILL_GRACE     seconds between the SIGTERM and the SIGKILL mpirun sends the ranks when it is
#                     signalled itself or a rank fails (odls_base_sigkill_timeout; default 10): one
#                     step and a checkpoint must fit in it
#   HMTL_DRY_RUN=1    print the environment and the command instead of running it
#
# SIGTERM or SIGINT (Ctrl-C) to this script stops the run gracefully with a checkpoint; see
# "Preemption" in cluster/README.md.
set -euo pipefail

die() { echo "mpirun-hostfile.sh: $*" >&2; exit 2; }

[[ $# -ge 3 ]] || die "usage: $0 HOSTFILE CONFIG OUTPUT [hmtl train options...]"
hostfile=$1 config=$2 output=$3
shift 3
[[ -r $hostfile ]] || die "cannot read hostfile $hostfile"
[[ -r $config ]] || die "cannot read config $config"

# Sum of slots=N over the non-comment lines; a host listed twice adds up, as mpirun counts it.
ranks=$(awk '
    { sub(/#.*/, "") }
    NF == 0 { next }
    { n = 1; for (i = 2; i <= NF; i++) if ($i ~ /^slots=[0-9]+$/) n = substr($i, 7) + 0; total += n }
    END { print total + 0 }' "$hostfile")
[[ $ranks -gt 0 ]] || die "$hostfile lists no hosts"

threads=${THREADS_PER_RANK:-1}
[[ $threads =~ ^[1-9][0-9]*$ ]] || die "THREADS_PER_RANK must be a positive integer, got '$threads'"
grace=${SIGKILL_GRACE:-10}
[[ $grace =~ ^[1-9][0-9]*$ ]] || die "SIGKILL_GRACE must be a positive integer, got '$grace'"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
hmtl=${HMTL:-$(command -v hmtl || echo "$repo/.build/release/hmtl")}

export OPENBLAS_NUM_THREADS=$threads
# NFS and Lustre often refuse or hang on the flock HDF5 takes; only rank 0 writes, so no lock is needed.
export HDF5_USE_FILE_LOCKING=${HDF5_USE_FILE_LOCKING:-FALSE}

launcher=("${MPIRUN:-mpirun}")
[[ $(id -u) -eq 0 ]] && launcher+=(--allow-run-as-root)
# Fill each host's slots before the next (neighbouring ranks share a host); PE=threads gives
# every rank its own cores and binds it there.
launcher+=(--hostfile "$hostfile" -np "$ranks" --map-by "slot:PE=$threads" --bind-to core
           -x OPENBLAS_NUM_THREADS -x HDF5_USE_FILE_LOCKING --mca odls_base_sigkill_timeout "$grace")
if [[ -n ${MPIRUN_ARGS:-} ]]; then
    read -r -a extra <<< "$MPIRUN_ARGS"
    launcher+=("${extra[@]}")
fi
command=("${launcher[@]}" "$hmtl" train --config "$config" --output "$output" --resume --world-size "$ranks" "$@")

if [[ -f $output/latest ]]; then
    echo "mpirun-hostfile.sh: $output holds checkpoint $(cat "$output/latest"); continuing it"
fi
if [[ ${HMTL_DRY_RUN:-0} == 1 ]]; then
    echo "OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS HDF5_USE_FILE_LOCKING=$HDF5_USE_FILE_LOCKING"
    printf '%q ' "${command[@]}"
    echo
    exit 0
fi
# A signal to mpirun reaches the ranks only after SIGKILL_GRACE seconds, during which mpirun relays
# no output, and mpirun itself exits non-zero SIGKILL_GRACE seconds after that. So mpirun runs in a
# session of its own (a Ctrl-C or a kill of this job's process group reaches only this script), and
# this script passes the signal straight to the ranks mpirun started on this host: one signalled
# rank stops every rank after the current step, rank 0 checkpoints, all exit 0 and so does mpirun.
# With no rank on this host, mpirun gets the signal and passes it on after its grace. A second
# signal ends the ranks at once, as it would under srun.
setsid "${command[@]}" &
pid=$!
rank_name=$(basename "$hmtl" | cut -c1-15)
trap 'pkill -TERM -P "$pid" -x "$rank_name" || kill -TERM "$pid" 2> /dev/null || true' TERM INT
while :; do
    if wait "$pid"; then status=0; else status=$?; fi
    kill -0 "$pid" 2> /dev/null || break  # still running: wait was interrupted by the trap
done
exit "$status"
