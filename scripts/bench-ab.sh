#!/usr/bin/env bash
# Interleaved comparison rounds for issue #8: this machine's timings drift by about 10% over minutes, so
# the settings to compare run one after another, round after round, and each round is one pair.
#
#   scripts/bench-ab.sh [--rounds N] [--workloads gpt2-train,bert-train] [--threads T] [--warmup W]
#                       [--runs R] [--no-peer] [--out FILE]
#
# Per round and workload: `sparklora bench --mode single`, then `--mode spark --master local[2]
# --partitions 2`, then the PyTorch peer (scripts/bench-peer.sh) unless --no-peer. RESULT records go
# as JSON lines to --out (default work/bench/ab.jsonl); `python3 scripts/bench/tables.py FILE` or the
# summary printed at the end pairs them up.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
rounds=3 workloads=gpt2-train,bert-train threads=2 warmup=2 runs=5 peer=true out="$ROOT/work/bench/ab.jsonl"
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="${2:?--rounds needs a number}"; shift 2;;
    --workloads) workloads="${2:?--workloads needs a list}"; shift 2;;
    --threads) threads="${2:?--threads needs a number}"; shift 2;;
    --warmup) warmup="${2:?--warmup needs a number}"; shift 2;;
    --runs) runs="${2:?--runs needs a number}"; shift 2;;
    --no-peer) peer=false; shift;;
    --out) out="${2:?--out needs a file}"; shift 2;;
    -h|--help) usage 0;;
    *) echo "bench-ab.sh: unknown argument '$1'" >&2; usage;;
  esac
done
for n in "$rounds" "$threads" "$runs"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench-ab.sh: --rounds, --threads and --runs must be positive integers" >&2; exit 2; }
done
[[ "$warmup" =~ ^[0-9]+$ ]] || { echo "bench-ab.sh: --warmup must be a non-negative integer" >&2; exit 2; }
case "$out" in /*) ;; *) out="$PWD/$out";; esac
mkdir -p "$(dirname "$out")"
export OMP_NUM_THREADS="$threads"
export SPARKLORA_JAVA_OPTS="${SPARKLORA_JAVA_OPTS:--Xmx6g}"
common=(--threads "$threads" --warmup "$warmup" --runs "$runs" --out "$out")
IFS=, read -r -a ws <<< "$workloads"
for ((r = 1; r <= rounds; r++)); do
  for w in "${ws[@]}"; do
    echo "== $(date +%H:%M:%S) round $r/$rounds: $w" >&2
    "$ROOT/scripts/sparklora" bench --mode single --workloads "$w" "${common[@]}"
    "$ROOT/scripts/sparklora" bench --mode spark --master 'local[2]' --partitions 2 --workloads "$w" "${common[@]}"
    if $peer; then
      "$ROOT/scripts/bench-peer.sh" --workloads "$w" "${common[@]}"
    fi
  done
done | grep '^RESULT'
python3 - "$out" "$rounds" "${#ws[@]}" "$peer" <<'EOF'
import json, sys
path, rounds, nw, peer = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "true"
per_round = nw * (3 if peer else 2)
rows = [json.loads(l) for l in open(path)][-rounds * per_round:]
print("round workload single_s spark_s spark/single" + (" pytorch_s pytorch/single" if peer else ""))
for i in range(0, len(rows), 3 if peer else 2):
    single, spark = rows[i], rows[i + 1]
    line = f"{i // per_round + 1} {single['workload']} {single['median_s']:.2f} {spark['median_s']:.2f} " \
           f"{single['median_s'] / spark['median_s']:.1%}"
    if peer:
        line += f" {rows[i + 2]['median_s']:.2f} {rows[i + 2]['median_s'] / single['median_s']:.2f}x"
    print(line)
EOF
