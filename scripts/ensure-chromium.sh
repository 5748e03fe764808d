#!/usr/bin/env bash
# Install Debian's headless Chromium for the browser tests, if it is not there yet.
# Playwright drives it with executable_path=/usr/bin/chromium (its own browser download
# does not work on these machines).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing: run 'sudo apt-get install -y chromium' (or set SIM_SKIP_BROWSER=1)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
