#!/usr/bin/env bash
# Installs the system packages the build and tests need. Safe to run repeatedly.
set -euo pipefail
# Usage: install-prerequisites.sh [build|test]   (default: test, which includes build)
mode="${1:-test}"
need=()
command -v mvn >/dev/null || need+=(maven)
# verity-settlement compiles its contracts with npm solc and runs the npm Anvil binary.
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if [ "$mode" = test ]; then
  [ -d /usr/share/libonnx-testdata/data/node ] || need+=(libonnx-testdata)
  [ -f /usr/include/onnx/onnx.proto ] || need+=(libonnx-dev)
  # The explorer is tested in a real headless browser (verity-explorer-tests).
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-prerequisites: please install: ${need[*]} (apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "install-prerequisites: apt-get install ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
