#!/usr/bin/env bash
# Installs the npm packages (package-lock.json pins them) and copies the browser libraries the pages use
# into static/vendor/ (git-ignored; third-party code is never committed).
set -euo pipefail
cd "$(dirname "$0")/../.."
stamp=node_modules/.agora-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
mkdir -p static/vendor/mermaid
if [ -f node_modules/mermaid/dist/mermaid.min.js ]; then
  cp -u node_modules/mermaid/dist/mermaid.min.js static/vendor/mermaid/mermaid.min.js
fi
