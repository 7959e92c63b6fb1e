# shellcheck shell=bash
# Shell functions giving the test run a PostgreSQL server; sourced by test.sh.
#
# postgres_for_tests exports MAILAPP_TEST_POSTGRES_URL for a server that accepts it, in
# this order: the URL already set, or postgresql://postgres@127.0.0.1:5432/test; the same
# after starting the local Debian clusters that are down; a throwaway trust-auth cluster in
# a temp dir (installing Debian's postgresql package first if it is missing). When nothing
# works the postgres tests skip and say why. postgres_stop stops only what we started.

PG_DEFAULT_URL="postgresql://postgres@127.0.0.1:5432/test"
_pg_started_clusters=()
_pg_private_dir=""
_pg_as=()

_pg_usable() {
    .venv/bin/python - "$1" <<'PY' >/dev/null 2>&1
import re, sys, psycopg
url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", sys.argv[1])  # libpq's spelling
with psycopg.connect(url, connect_timeout=3) as conn:
    conn.execute("select 1")
PY
}

_pg_wait_usable() {  # URL SECONDS
    local i
    for ((i = 0; i < $2 * 2; i++)); do
        _pg_usable "$1" && return 0
        sleep 0.5
    done
    return 1
}

# Start the local Debian clusters that are down, with pg_ctlcluster outside systemd;
# remember them so postgres_stop can stop them again. Fails when none was started.
_pg_start_system_clusters() {
    command -v pg_ctlcluster >/dev/null 2>&1 || return 1
    local conf version name started=1
    for conf in /etc/postgresql/*/*/postgresql.conf; do
        [ -f "$conf" ] || continue
        name="$(basename "$(dirname "$conf")")"
        version="$(basename "$(dirname "$(dirname "$conf")")")"
        pg_ctlcluster "$version" "$name" status >/dev/null 2>&1 && continue
        echo "==> starting PostgreSQL cluster $version/$name"
        if as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start; then
            _pg_started_clusters+=("$version $name")
            started=0
        fi
    done
    return $started
}

_pg_stop_system_clusters() {
    local cluster
    for cluster in "${_pg_started_clusters[@]}"; do
        echo "==> stopping PostgreSQL cluster ${cluster/ //} (started for the tests)"
        # shellcheck disable=SC2086
        as_root pg_ctlcluster --skip-systemctl-redirect $cluster stop || true
    done
    _pg_started_clusters=()
}

_pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && echo "$dir"
    done | sort -V | tail -n 1
}

# A private cluster: initdb in a temp dir, trust auth, loopback only, a free port.
_pg_start_private() {
    local bindir port
    bindir="$(_pg_bindir)"
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
        apt_install postgresql || return 1
        bindir="$(_pg_bindir)"
        [ -n "$bindir" ] || return 1
    fi
    _pg_private_dir="$(mktemp -d /tmp/mailapp-test-pg.XXXXXX)"
    if [ "$(id -u)" -eq 0 ]; then
        # initdb refuses to run as root; the package's postgres account owns the cluster.
        id postgres >/dev/null 2>&1 || return 1
        chown postgres: "$_pg_private_dir"
        _pg_as=(runuser -u postgres --)
    fi
    port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')" &&
        [ -n "$port" ] || return 1
    echo "==> starting a throwaway PostgreSQL ($bindir) on 127.0.0.1:$port in $_pg_private_dir"
    "${_pg_as[@]}" "$bindir/initdb" -D "$_pg_private_dir/data" -U postgres --auth=trust \
        -E UTF8 --locale=C.UTF-8 --no-sync >"$_pg_private_dir/initdb.log" 2>&1 || {
        cat "$_pg_private_dir/initdb.log" >&2; return 1; }
    "${_pg_as[@]}" "$bindir/pg_ctl" -D "$_pg_private_dir/data" -l "$_pg_private_dir/server.log" \
        -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k $_pg_private_dir -c fsync=off -c full_page_writes=off" \
        start >/dev/null || { cat "$_pg_private_dir/server.log" >&2; return 1; }
    "${_pg_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres test || return 1
    export MAILAPP_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/test"
}

_pg_stop_private() {
    [ -n "$_pg_private_dir" ] || return 0
    if [ -f "$_pg_private_dir/data/postmaster.pid" ]; then
        echo "==> stopping the throwaway PostgreSQL"
        "${_pg_as[@]}" "$(_pg_bindir)/pg_ctl" -D "$_pg_private_dir/data" -m fast -w stop \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$_pg_private_dir"
    _pg_private_dir=""
}

postgres_for_tests() {
    local url="${MAILAPP_TEST_POSTGRES_URL:-$PG_DEFAULT_URL}"
    if _pg_usable "$url"; then
        echo "==> PostgreSQL for tests: $url"
        export MAILAPP_TEST_POSTGRES_URL="$url"
        return 0
    fi
    if _pg_start_system_clusters && _pg_wait_usable "$url" 20; then
        echo "==> PostgreSQL for tests: $url"
        export MAILAPP_TEST_POSTGRES_URL="$url"
        return 0
    fi
    # Started but unusable (password auth, no "test" database): not ours to reconfigure.
    _pg_stop_system_clusters
    if [ -n "${MAILAPP_TEST_POSTGRES_URL:-}" ]; then
        echo "==> PostgreSQL at MAILAPP_TEST_POSTGRES_URL is not usable; its tests will skip" >&2
        return 0
    fi
    if _pg_start_private; then
        echo "==> PostgreSQL for tests: $MAILAPP_TEST_POSTGRES_URL"
        return 0
    fi
    _pg_stop_private
    unset MAILAPP_TEST_POSTGRES_URL
    echo "==> no usable PostgreSQL could be found or started; its tests will skip" >&2
}

postgres_stop() {
    _pg_stop_private
    _pg_stop_system_clusters
}
