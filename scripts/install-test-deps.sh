#!/usr/bin/env bash
# Installs what the test suite needs beyond Java and Maven: Debian's chromium, which the run-report test
# (io.sparklora.job.report.RunReportBrowserTest) drives headless. Without it that test is skipped.
# Called by .ci/run before the tests; safe to run again (does nothing when chromium is present).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  echo "install-test-deps: $(chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-test-deps: need root or sudo to apt-get install chromium" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
chromium --version
