# shellcheck shell=bash
# Shell functions that install MailApp's prerequisites; sourced by run.sh and test.sh.
# Every function is safe to call again: it does nothing when the work is already done.

# Run a command as root: directly when we are root, else through sudo (non-interactive
# when there is no terminal, so CI fails fast instead of waiting for a password).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif [ -t 0 ]; then
        sudo "$@"
    else
        sudo -n "$@"
    fi
}

_apt_updated=""

# apt_install PACKAGE...: install Debian packages, refreshing the index once per run.
apt_install() {
    if [ -z "$_apt_updated" ]; then
        echo "==> apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        _apt_updated=1
    fi
    echo "==> apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "$@"
}

# The first Python 3.11 or newer on PATH.
find_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "MailApp needs Python 3.11 or newer (python3.11 or python3 on PATH)." >&2
    return 1
}

# ensure_venv EXTRAS: a .venv with MailApp installed in editable mode, e.g. ensure_venv ""
# or ensure_venv "[test]". pip runs only when pyproject.toml or the extras changed.
ensure_venv() {
    local extras="$1" python stamp=".venv/.mailapp-installed" wanted
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
        python="$(find_python)" || return 1
        # Debian's python3 lacks venv/ensurepip until python3-venv is installed.
        if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            apt_install python3-venv
        fi
        rm -rf .venv
        echo "==> creating .venv with $python"
        "$python" -m venv .venv
    fi
    wanted="$(sha256sum pyproject.toml | cut -c1-16) $extras"
    # An install with extras also satisfies a request for none.
    if [ -f "$stamp" ] && { grep -qxF -- "$wanted" "$stamp" ||
                            { [ -z "$extras" ] && grep -q "^${wanted}" "$stamp"; }; }; then
        return 0
    fi
    echo "==> pip install -e '.$extras'"
    .venv/bin/python -m pip install --disable-pip-version-check -q -e ".$extras"
    echo "$wanted" >> "$stamp"
}
