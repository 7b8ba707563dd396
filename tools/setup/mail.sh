#!/usr/bin/env bash
# Create .venv-mail with aiosmtpd, the real SMTP server the tests deliver to (tools/mail/smtp_sink.py).
exec bash "$(dirname "$0")/venv.sh" .venv-mail tools/mail/requirements.txt python aiosmtpd
