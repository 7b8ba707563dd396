#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 for the test suite (starts or installs one),
# then drops test databases left behind by earlier runs.
set -euo pipefail
URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! ready; then
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "setup: installing PostgreSQL from Debian packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  echo "setup: starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
ready || { echo "setup: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }

# Trust auth on loopback is the machine's default; make sure the database named in the URL exists.
db="${URL##*/}"; db="${db%%\?*}"
if ! psql "$URL" -Atc 'select 1' >/dev/null 2>&1; then
  psql "${URL%/*}/postgres" -qc "CREATE DATABASE \"$db\"" >/dev/null
fi
psql "$URL" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'agora_t_%'" |
  xargs -r -P 4 -I{} psql "$URL" -qc 'DROP DATABASE IF EXISTS "{}"' >/dev/null 2>&1 || true
echo "setup: PostgreSQL ready at $URL"
