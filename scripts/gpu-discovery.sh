#!/usr/bin/env bash
# Spark resource discovery script for GPUs (spark.executor.resource.gpu.discoveryScript,
# spark.worker.resource.gpu.discoveryScript): prints the GPUs this host (or container) can use as
#   {"name":"gpu","addresses":["0","1"]}
# from `nvidia-smi --query-gpu=index --format=csv,noheader`; an empty address list when there is no
# nvidia-smi or no GPU. The addresses are CUDA device ordinals (what a task passes to DJL's Device.gpu):
# when CUDA_VISIBLE_DEVICES restricts the process to k of the GPUs, nvidia-smi still lists all of them
# with their physical indices, but CUDA numbers the visible ones 0..k-1, so those are printed instead.
set -uo pipefail
indices=""
if command -v nvidia-smi >/dev/null 2>&1; then
  indices="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | tr -d ' \r' | grep -E '^[0-9]+$' || true)"
fi
if [ -n "${CUDA_VISIBLE_DEVICES+set}" ] && [ -n "$indices" ]; then
  visible="${CUDA_VISIBLE_DEVICES// /}"
  case "$visible" in
    ""|-1*|NoDevFiles) indices="";;
    *)
      k="$(tr ',' '\n' <<<"$visible" | grep -c .)"
      n="$(grep -c . <<<"$indices")"
      [ "$k" -le "$n" ] || k="$n"
      indices="$(seq 0 $((k - 1)))";;
  esac
fi
addresses=""
for i in $indices; do
  addresses="${addresses:+$addresses,}\"$i\""
done
printf '{"name":"gpu","addresses":[%s]}\n' "$addresses"
