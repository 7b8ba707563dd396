#!/usr/bin/env bash
# Create .venv-mail with aiosmtpd, the real SMTP server the tests deliver to (tools/mail/smtp_sink.py).
# Idempotent: a stamp of the requirements file skips the work when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/.venv-mail"
req="$root/tools/mail/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$venv/bin/python" ]; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" > "$stamp"
echo "setup: $venv ready (aiosmtpd)"
