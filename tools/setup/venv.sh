#!/usr/bin/env bash
# Create a Python virtual environment from a pinned requirements file, for the tools the tests run.
# Usage: bash tools/setup/venv.sh VENV REQUIREMENTS PROGRAM LABEL
#   VENV and REQUIREMENTS relative to the repository root; PROGRAM (in VENV/bin) must exist for the
#   venv to count as ready; LABEL names it in the one line printed when it is (re)built.
# Idempotent: a stamp of the requirements file skips the work when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/$1"
req="$root/$2"
program="$3"
label="$4"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/$program" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
echo "setup: $venv ready ($label)"
