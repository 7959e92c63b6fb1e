#!/usr/bin/env bash
# Installs MailApp into .venv (first run only) and starts it: `scripts/run.sh` serves the
# panel (on the built-in sandbox unless MAILCOW_URL is set); any arguments go to app.py,
# e.g. `scripts/run.sh create-admin alice`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/install.sh
. scripts/install.sh

ensure_venv ""
exec .venv/bin/python app.py "$@"
