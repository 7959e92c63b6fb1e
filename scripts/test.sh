#!/usr/bin/env bash
# Installs what the tests need and runs the whole pytest suite:
#   - Debian's chromium (the browser tests drive /usr/bin/chromium; never `playwright install`)
#   - docker.io and debootstrap (the Docker tests start their own dockerd)
#   - Debian's nsd (a real authoritative DNS server for tests/integration/test_dns.py)
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
# A private Docker engine and a debootstrapped Postfix image (tests/infra/docker_engine.py).
if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
    apt_install docker.io debootstrap
fi
# NSD serves the zones the DNS diagnostics tests query on loopback.
if [ ! -x /usr/sbin/nsd ]; then
    apt_install nsd
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
