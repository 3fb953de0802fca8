#!/usr/bin/env bash
# Installs the system packages the build and tests need. Safe to run repeatedly.
set -euo pipefail
need=()
[ -d /usr/share/libonnx-testdata/data/node ] || need+=(libonnx-testdata)
[ -f /usr/include/onnx/onnx.proto ] || need+=(libonnx-dev)
command -v mvn >/dev/null || need+=(maven)
# verity-settlement compiles its contracts with npm solc and tests against the npm Anvil binary.
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
# The explorer is tested in a real headless browser (verity-explorer-tests).
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
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
