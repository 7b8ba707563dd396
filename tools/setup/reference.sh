#!/usr/bin/env bash
# Create .venv-ref with onnxruntime-python, in which the engine's greedy test runs the Python reference
# loop (tools/fixtures/greedy_reference.py) on this machine: the int8 kernels differ by CPU, so the
# reference that counts is the one computed where the test runs.
# Idempotent: a stamp of the requirements file skips the work when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv-ref"
req="$root/tools/fixtures/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
echo "setup: $venv ready (onnxruntime-python reference)"
