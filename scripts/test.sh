#!/usr/bin/env bash
# Installs what the tests need and runs the whole pytest suite:
#   - Debian's chromium (the browser tests drive /usr/bin/chromium; never `playwright install`)
#   - .venv with `pip install -e '.[test]'`
#   - a PostgreSQL server for tests/integration/test_postgres.py (see scripts/postgres.sh)
# Arguments go to pytest (e.g. `scripts/test.sh tests/unit -x`); pytest's exit code is ours.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/install.sh
. scripts/install.sh
# shellcheck source=scripts/postgres.sh
. scripts/postgres.sh

if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
fi
ensure_venv "[test]"

trap postgres_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
postgres_for_tests

echo "==> pytest $*"
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
exit "$status"
