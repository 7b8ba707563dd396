#!/usr/bin/env bash
# Install the ONNX Runtime shared library (from the onnxruntime PyPI wheel) into .ort/lib/ and print its path.
# Idempotent: does nothing when .ort/VERSION already names the wanted version and the library is there.
# Usage: bash tools/ort/install.sh            (ORT_VERSION=1.31.1 bash tools/ort/install.sh to override)
set -euo pipefail

version="${ORT_VERSION:-1.32.0}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="$root/.ort"
lib="$dest/lib/libonnxruntime.so"

if [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$version" ] && [ -e "$lib" ]; then
  echo "$lib"
  exit 0
fi

command -v python3 >/dev/null || { echo "install.sh: python3 is needed to fetch onnxruntime" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

python3 -m pip download "onnxruntime==$version" --no-deps --only-binary=:all: \
  --disable-pip-version-check --quiet -d "$tmp" >&2
wheel="$(ls "$tmp"/onnxruntime-"$version"-*.whl)"
python3 - "$wheel" "$tmp/x" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as whl:
    for name in whl.namelist():
        if name.startswith("onnxruntime/capi/libonnxruntime.so"):
            whl.extract(name, sys.argv[2])
PY

rm -rf "$dest/lib"
mkdir -p "$dest/lib"
real=""
for f in "$tmp"/x/onnxruntime/capi/libonnxruntime.so*; do
  cp "$f" "$dest/lib/"
  real="$(basename "$f")"
done
[ -n "$real" ] || { echo "install.sh: no libonnxruntime.so in $wheel" >&2; exit 1; }
if [ "$real" != "libonnxruntime.so" ]; then
  ln -sf "$real" "$lib"
fi
echo "$version" > "$dest/VERSION"
echo "$lib"
