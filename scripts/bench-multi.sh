#!/usr/bin/env bash
# Benchmark of issue #7: three GLUE adapters (SST-2, MRPC, STS-B) on BERT-base trained in ONE job
# (conf/glue3-bert-base.conf: one broadcast, one model per executor, the same steps) against the same
# three adapters trained one job after another, as a scheduler would without multi-adapter jobs.
#
#   scripts/bench-multi.sh [--steps N] [--batch B] [--out FILE]
#
# Each job is a fresh `scripts/sparklora train` process on local[2] (JVM and Spark start, model read,
# broadcast, data, N steps, final adapter); evaluation is off so only training is compared.
# Prints RESULT lines and appends JSON lines to --out (default work/bench/results.jsonl).
set -euo pipefail
cd "$(dirname "$0")/.."
steps=6 batch=16 out=work/bench/results.jsonl
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="${2:?--steps needs a number}"; shift 2;;
    --batch) batch="${2:?--batch needs a number}"; shift 2;;
    --out) out="${2:?--out needs a file}"; shift 2;;
    -h|--help) sed -n '2,10p' "$0"; exit 0;;
    *) echo "bench-multi.sh: unknown argument '$1'" >&2; exit 2;;
  esac
done
[[ "$steps" =~ ^[1-9][0-9]*$ && "$batch" =~ ^[1-9][0-9]*$ ]] || { echo "--steps and --batch must be positive integers" >&2; exit 2; }
mkdir -p "$(dirname "$out")" work/bench/logs
MODEL=work/models/bert-base-uncased
[ -f "$MODEL/model.safetensors" ] || scripts/sparklora import-bert --output "$MODEL" --force
PREPARED=work/bench/prepared-glue
for t in sst2:SST-2 mrpc:MRPC stsb:STS-B; do
  [ -d "$PREPARED/task=${t%%:*}" ] || scripts/sparklora prepare --task "${t%%:*}" --input "data/glue/${t#*:}" \
    --vocab "$MODEL/vocab.txt" --max-length 128 --output "$PREPARED" >/dev/null
done
export SPARKLORA_MASTER="${SPARKLORA_MASTER:-local[2]}"
common=(-c conf/glue3-bert-base.conf -D "data.prepared=\"$PREPARED\"" -D output=work/bench/output
        -D data.eval-split=none -D train.max-steps="$steps" -D train.batch-size="$batch" -D train.micro-batch-size="$batch"
        --overwrite)
now() { date +%s.%N; }

t0=$(now)
scripts/sparklora train "${common[@]}" --run-id bench-multi > work/bench/logs/multi.log 2>&1
one_job=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{print b-a}')

t0=$(now)
for t in sst2 mrpc stsb; do
  scripts/sparklora train "${common[@]}" -D 'tasks=[]' -D task=$t --run-id "bench-seq-$t" > "work/bench/logs/seq-$t.log" 2>&1
done
sequential=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{print b-a}')

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
for mode in one-job sequential; do
  secs=$([ $mode = one-job ] && echo "$one_job" || echo "$sequential")
  line="RESULT impl=sparklora workload=glue3-bert-base-adapters mode=$mode adapters=3 steps=$steps batch=$batch seconds=$(printf '%.1f' "$secs")"
  echo "$line"
  printf '{"impl":"sparklora","workload":"glue3-bert-base-adapters","mode":"%s","adapters":3,"steps":%s,"batch":%s,"seconds":%.1f,"master":"%s","date":"%s","host":"%s","cpu":"%s","command":"%s"}\n' \
    "$mode" "$steps" "$batch" "$secs" "$SPARKLORA_MASTER" "$(date -u +%FT%TZ)" "$(uname -n)" "$cpu" "scripts/bench-multi.sh --steps $steps --batch $batch" >> "$out"
done
awk -v s="$sequential" -v o="$one_job" 'BEGIN{printf "one job vs sequential jobs: %.2fx faster\n", s/o}'
