#!/usr/bin/env bash
# Kills one executor JVM (CoarseGrainedExecutorBackend) of the local cluster, for fault-tolerance tests.
# Only executors started by this cluster's workers are candidates (their working directory lies under
# work/cluster/worker-N/). The worker reports the loss, the driver reruns the lost tasks and the master
# starts a replacement executor.
#
#   scripts/cluster-kill-executor.sh [--executor-id ID] [--app APP-ID] [--signal KILL] [--list]
#
# Without --executor-id the executor with the lowest PID is killed. Prints "APP-ID EXECUTOR-ID PID" of
# the killed executor on stdout (with --list: one line per running executor, nothing killed).
set -euo pipefail
source "$(dirname "$0")/cluster-env.sh"

executor_id="" app="" signal=KILL list=false
while [ $# -gt 0 ]; do
  case "$1" in
    --executor-id) executor_id="${2:?--executor-id needs an id}"; shift 2;;
    --app) app="${2:?--app needs an application id}"; shift 2;;
    --signal) signal="${2:?--signal needs a name such as KILL or TERM}"; shift 2;;
    --list) list=true; shift;;
    -h|--help) sl_usage; exit 0;;
    *) echo "cluster-kill-executor.sh: unknown argument '$1'" >&2; exit 2;;
  esac
done

# One line per executor of this cluster: "APP-ID EXECUTOR-ID PID", from the process table and /proc.
executors() {
  local pid args cwd eid aid
  while read -r pid args; do
    case "$args" in *org.apache.spark.executor.CoarseGrainedExecutorBackend*) ;; *) continue;; esac
    cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || continue
    case "$cwd" in "$SL_CLUSTER"/worker-*) ;; *) continue;; esac
    eid="$(sed -E 's/.*--executor-id ([^ ]+).*/\1/' <<<"$args")"
    aid="$(sed -E 's/.*--app-id ([^ ]+).*/\1/' <<<"$args")"
    echo "$aid $eid $pid"
  done < <(ps -eo pid=,args=) | sort -k3n
}

candidates="$(executors | awk -v a="$app" -v e="$executor_id" '(a == "" || $1 == a) && (e == "" || $2 == e)')"
if $list; then
  [ -n "$candidates" ] && echo "$candidates"
  exit 0
fi
[ -n "$candidates" ] || sl_die "no running executor of the local cluster${app:+ in $app}${executor_id:+ with id $executor_id}"
read -r aid eid pid <<<"$(head -n 1 <<<"$candidates")"
kill -s "$signal" "$pid"
sl_log "sent SIG$signal to executor $eid of $aid (pid $pid)"
echo "$aid $eid $pid"
