#!/usr/bin/env bash
# The README's main command: sets up (builds the project) and runs the main job on its embedded default.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/sparklora demo "$@"
