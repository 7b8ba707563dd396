#!/usr/bin/env bash
# Create .venv-s3 with moto's server, the real S3-compatible server the upload tests store images in
# (`moto_server -p PORT`, started by tests/api/helpers/s3.rs on a free port).
# Idempotent: a stamp of the requirements file skips the work when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv-s3"
req="$root/tools/s3/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/moto_server" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
echo "setup: $venv ready (moto server)"
