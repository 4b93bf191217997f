#!/usr/bin/env bash
# PyTorch peer of the LoRA benchmark (issue #8): runs scripts/bench/peer_lora.py on Debian's python3-torch.
#   scripts/bench-peer.sh [--threads N] [--warmup W] [--runs R] [--workloads gpt2-train,bert-train] [--out FILE]
#   scripts/bench-peer.sh --selftest      tiny-shape correctness checks only
# Installs python3-torch with apt-get when Debian's python3 cannot import torch. PYTHON overrides the
# interpreter (default /usr/bin/python3: the one Debian's package installs torch for, not a pyenv shim).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"

usage() {
  sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Check the options here too, so a typo fails before a possibly long install.
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --threads|--warmup|--runs|--workloads|--out)
      [ $# -ge 2 ] || { echo "bench-peer: $1 needs a value" >&2; usage; }
      shift 2 ;;
    --selftest) shift ;;
    -h|--help) usage ;;
    *) echo "bench-peer: unknown option '$1'" >&2; usage ;;
  esac
done

has_torch() { [ -x "$PYTHON" ] && "$PYTHON" -c 'import torch' >/dev/null 2>&1; }

if ! has_torch; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "bench-peer: need root or sudo to apt-get install python3-torch" >&2; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "bench-peer: installing python3-torch" >&2
  $SUDO apt-get update -q >&2
  $SUDO apt-get install -y -q --no-install-recommends python3-torch >&2
  has_torch || { echo "bench-peer: $PYTHON still cannot import torch after installing python3-torch" >&2; exit 1; }
fi

pkg="$(dpkg-query -W -f='${Version}' python3-torch 2>/dev/null || echo 'not from dpkg')"
echo "torch $("$PYTHON" -c 'import torch; print(torch.__version__)') (python3-torch $pkg, $("$PYTHON" --version 2>&1))"
BENCH_COMMAND="$0${args[*]:+ ${args[*]}}" exec "$PYTHON" "$HERE/bench/peer_lora.py" "${args[@]}"
