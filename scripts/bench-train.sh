#!/usr/bin/env bash
# The Java side of issue #8: runs `sparklora bench` for every setting and prints its RESULT lines.
#
#   scripts/bench-train.sh [--quick] [--out FILE] [--threads N] [--workloads gpt2-train,bert-train]
#                          [--warmup W] [--runs R] [--no-cluster]
#
# In order: single process (the training workloads), Spark local[2] (2 partitions), GPT-2 generation
# (beam 1 and 10), then a one-machine standalone cluster: 1 worker x 1 core (1 partition), then
# 2 workers x 1 core (2 partitions), each executor with 1 PyTorch thread, and
#   scaling_efficiency = tokens_per_s(2 executors) / (2 * tokens_per_s(1 executor))
# per training workload. RESULT records are appended as JSON lines to --out (default
# work/bench/results.jsonl). --quick = --warmup 0 --runs 1 (smoke test). The cluster is always stopped
# on exit. The project is built first when stale (scripts/sparklora, scripts/submit.sh do it).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
out="$ROOT/work/bench/results.jsonl" threads=2 workloads=gpt2-train,bert-train warmup=2 runs=5 cluster=true
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) warmup=0 runs=1; shift;;
    --out) out="${2:?--out needs a file}"; shift 2;;
    --threads) threads="${2:?--threads needs a number}"; shift 2;;
    --workloads) workloads="${2:?--workloads needs a list}"; shift 2;;
    --warmup) warmup="${2:?--warmup needs a number}"; shift 2;;
    --runs) runs="${2:?--runs needs a number}"; shift 2;;
    --no-cluster) cluster=false; shift;;
    -h|--help) usage 0;;
    *) echo "bench-train.sh: unknown argument '$1'" >&2; usage;;
  esac
done
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "bench-train.sh: --threads must be a positive integer" >&2; exit 2; }
case "$out" in /*) ;; *) out="$PWD/$out";; esac
mkdir -p "$(dirname "$out")"
log="$(mktemp "${TMPDIR:-/tmp}/bench-train.XXXXXX")"
common=(--warmup "$warmup" --runs "$runs" --out "$out")
note() { echo "== $(date +%H:%M:%S) $*" >&2; }

# Every JVM started here (driver, local executors) uses the requested thread count; the cluster's
# executors get theirs from spark.executorEnv.OMP_NUM_THREADS.
export OMP_NUM_THREADS="$threads"
export SPARKLORA_JAVA_OPTS="${SPARKLORA_JAVA_OPTS:--Xmx6g}"

note "single process: $workloads"
"$ROOT/scripts/sparklora" bench --mode single --threads "$threads" --workloads "$workloads" "${common[@]}" | tee -a "$log"
# Spark runs: one application per workload, so each JVM's peak RSS (VmHWM) belongs to one workload.
IFS=, read -r -a train_workloads <<< "$workloads"
for w in "${train_workloads[@]}"; do
  note "Spark local[2], 2 partitions: $w"
  "$ROOT/scripts/sparklora" bench --mode spark --master 'local[2]' --partitions 2 --threads "$threads" \
    --workloads "$w" "${common[@]}" | tee -a "$log"
done
note "generation: gpt2-gen-beam1, gpt2-gen-beam10"
"$ROOT/scripts/sparklora" bench --mode single --threads "$threads" --workloads gpt2-gen-beam1,gpt2-gen-beam10 \
  "${common[@]}" | tee -a "$log"

if $cluster; then
  started=false
  trap '$started && "$ROOT/scripts/cluster-stop.sh" >&2 || true' EXIT
  # Executors get a 1 GB heap whatever the model: the base arrives in 16 MB blocks that go to native
  # memory one at a time. The driver keeps the base, its broadcast pieces and a model for the initial
  # LoRA values (~3x GPT-2 small's 500 MB).
  export SPARKLORA_EXECUTOR_MEMORY=1g SPARKLORA_DRIVER_MEMORY=3g
  for n in 1 2; do
    note "standalone cluster: $n worker(s) x 1 core, $n partition(s): $workloads"
    "$ROOT/scripts/cluster-start.sh" --workers "$n" --cores 1 --memory 4g > /dev/null
    started=true
    for w in "${train_workloads[@]}"; do
      OMP_NUM_THREADS=1 "$ROOT/scripts/submit.sh" --driver-memory 3g --executor-memory 1g \
        --conf spark.executorEnv.OMP_NUM_THREADS=1 --conf spark.cores.max="$n" -- \
        bench --mode spark --partitions "$n" --threads 1 --workloads "$w" "${common[@]}" | tee -a "$log"
    done
    "$ROOT/scripts/cluster-stop.sh" >&2
    started=false
  done
  # tokens_per_s of the 1- and 2-executor runs of each workload -> scaling efficiency.
  awk '/^RESULT / {
         impl = ""; wl = ""; tps = "";
         for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "impl") impl = kv[2];
           else if (kv[1] == "workload") wl = kv[2]; else if (kv[1] == "tokens_per_s") tps = kv[2] }
         if (impl == "spark-standalone-1exec") one[wl] = tps; else if (impl == "spark-standalone-2exec") two[wl] = tps
       }
       END { for (wl in one) if ((wl in two) && one[wl] > 0)
               printf "scaling_efficiency workload=%s executors=2 value=%.4f tokens_per_s_1exec=%s tokens_per_s_2exec=%s\n",
                      wl, two[wl] / (2 * one[wl]), one[wl], two[wl] }' "$log"
fi
note "results appended to $out"
rm -f "$log"
