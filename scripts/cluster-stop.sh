#!/usr/bin/env bash
# Stops the cluster started by scripts/cluster-start.sh: its workers (which end their executors), then the
# master. Only the PIDs recorded under work/cluster/ are signalled. Logs and worker dirs stay;
# --clean removes them too (the generated spark-home is kept).
set -euo pipefail
source "$(dirname "$0")/cluster-env.sh"
clean=false
case "${1:-}" in
  --clean) clean=true;;
  "") ;;
  *) echo "usage: scripts/cluster-stop.sh [--clean]" >&2; exit 2;;
esac

stop_pidfile() {
  local pidfile="$1" name pid
  name="$(basename "$pidfile" .pid)"
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      sl_log "$name (pid $pid) did not stop in 10s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sl_log "stopped $name (pid $pid)"
  fi
  rm -f "$pidfile"
}

found=false
for pidfile in "$SL_CLUSTER"/worker-*.pid "$SL_CLUSTER"/master.pid; do
  [ -f "$pidfile" ] || continue
  found=true
  stop_pidfile "$pidfile"
done
$found || sl_log "no cluster running (no PID files in $SL_CLUSTER)"
rm -f "$SL_CLUSTER/cluster.env"
if $clean; then
  rm -rf "$SL_CLUSTER"/logs "$SL_CLUSTER"/worker-*
fi
