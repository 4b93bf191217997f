#!/usr/bin/env bash
# Spark resource discovery script for GPUs (spark.executor.resource.gpu.discoveryScript,
# spark.worker.resource.gpu.discoveryScript): prints the GPUs this host (or container) sees as
#   {"name":"gpu","addresses":["0","1"]}
# from nvidia-smi; an empty address list when there is no nvidia-smi or no GPU.
# CUDA_VISIBLE_DEVICES, when set, limits the list to those indices (as YARN/K8s containers set it).
set -uo pipefail
indices=""
if command -v nvidia-smi >/dev/null 2>&1; then
  indices="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | tr -d ' \r' | grep -E '^[0-9]+$' || true)"
fi
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ] && [ -n "$indices" ]; then
  visible=",${CUDA_VISIBLE_DEVICES// /},"
  indices="$(printf '%s\n' $indices | while read -r i; do case "$visible" in *",$i,"*) echo "$i";; esac; done)"
fi
addresses=""
for i in $indices; do
  addresses="${addresses:+$addresses,}\"$i\""
done
printf '{"name":"gpu","addresses":[%s]}\n' "$addresses"
