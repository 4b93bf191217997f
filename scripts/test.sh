#!/usr/bin/env bash
# Runs every test of the project: the README's test command, and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B -ntp verify "$@"
