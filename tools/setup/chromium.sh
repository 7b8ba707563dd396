#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests if it is missing (playwright's own browser download
# is not used: the tests drive the system browser through playwright-core).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
sudo_cmd=""
if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
echo "setup: installing chromium from Debian packages"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
