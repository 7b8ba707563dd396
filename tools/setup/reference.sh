#!/usr/bin/env bash
# Create .venv-ref with onnxruntime-python, in which the engine's greedy test runs the Python reference
# loop (tools/fixtures/greedy_reference.py) on this machine: the int8 kernels differ by CPU, so the
# reference that counts is the one computed where the test runs.
exec bash "$(dirname "$0")/venv.sh" .venv-ref tools/fixtures/requirements.txt python \
  "onnxruntime-python reference"
