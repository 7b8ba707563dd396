#!/usr/bin/env bash
# The scale bench (README "At scale"): builds forums of 10k and 1M questions on SQLite and
# PostgreSQL by bulk SQL and measures every page with wrk; the server runs in the bench process
# pinned to core 0, wrk on core 1. Prints a table and JSON (target/scale-bench.json).
#
#   tools/bench/scale.sh                                   # both sizes, both backends
#   AGORA_BENCH_SIZES=10000 AGORA_BENCH_BACKENDS=sqlite tools/bench/scale.sh
#   AGORA_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432 (server to create agora_bench_* on)
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v wrk >/dev/null; then
    echo "installing wrk (the load generator) from the Debian archive"
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi
fi
if ! command -v taskset >/dev/null; then
    echo "taskset (util-linux) is needed to pin the server and wrk to their cores" >&2
    exit 1
fi

cargo bench --bench scale --no-run
bench=$(cargo bench --bench scale --no-run --message-format=json 2>/dev/null \
    | sed -n 's/.*"executable":"\([^"]*scale-[^"]*\)".*/\1/p' | tail -1)
if [ -z "$bench" ]; then
    echo "cannot find the built scale bench" >&2
    exit 1
fi
export AGORA_BENCH_WRK="${AGORA_BENCH_WRK:-taskset -c 1 wrk}"
exec nice -n "${AGORA_BENCH_NICE:-0}" taskset -c 0 "$bench"
