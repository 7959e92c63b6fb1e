"""Fail2ban (`get/fail2ban`, `edit/fail2ban`) with the rules of Mailcow's fail2ban()
(recordings 60, 60b, 68, 69).

In Mailcow all of it lives in Redis (F2B_OPTIONS, F2B_REGEX, the F2B_WHITELIST,
F2B_BLACKLIST, F2B_ACTIVE_BANS, F2B_QUEUE_UNBAN and F2B_PERM_BANS hashes) and the
netfilter container acts on it. The sandbox keeps the same data in SQLite and plays
netfilter's part whenever it is read: expired bans go, and when the simulated netfilter
is up (`set_service(conn, "netfilter", True)`, as the demo seed does) a ban queued for
unban goes a few seconds later and denylisted networks are banned for good. A fresh
sandbox has it down, as the recordings were made: queued unbans stay queued.
"""
from __future__ import annotations

import ipaddress
import json
import re
import sqlite3
import time
import uuid
from typing import Any

from ..php import as_array, htmlspecialchars, intval, php_string
from ..report import Call
from .quarantine import service_up, set_service

SCHEMA = """
CREATE TABLE IF NOT EXISTS redis_key (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS f2b_list (
  kind TEXT NOT NULL,
  network TEXT NOT NULL,
  PRIMARY KEY (kind, network)
);
CREATE TABLE IF NOT EXISTS sandbox_service (
  name TEXT PRIMARY KEY,
  up INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS f2b_ban (
  network TEXT PRIMARY KEY,
  banned_until INTEGER NOT NULL,
  queued_at REAL
);
"""

# Seconds netfilter takes to act on a queued unban.
UNBAN_DELAY = 5.0
# What the netfilter container writes when it starts with no options in Redis.
DEFAULT_REGEX = {
    "1": r"mailcow UI: Invalid password for .+ by ([0-9a-f\.:]+)",
    "2": r"Rspamd UI: Invalid password by ([0-9a-f\.:]+)",
    "3": r"warning: .*\[([0-9a-f\.:]+)\]: SASL .+ authentication failed: "
         r"(?!.*Connection lost to authentication server).+",
    "4": r"warning: non-SMTP command from .*\[([0-9a-f\.:]+)]:.+",
    "5": r"NOQUEUE: reject: RCPT from \[([0-9a-f\.:]+)].+Protocol error.+",
    "6": r"\w+\([^,]+,([0-9a-f\.:]+),<[^>]+>\): Password mismatch "
         r"\(SHA1 of given password: [a-f0-9]+\)",
    "7": r"\w+\([^,]+,([0-9a-f\.:]+),<[^>]+>\): unknown user "
         r"\(SHA1 of given password: [a-f0-9]+\)",
    "8": r"SOGo.+ Login from '([0-9a-f\.:]+)' for user .+ might not have worked",
    "9": r"([0-9a-f\.:]+) \"GET \/SOGo\/.* HTTP.+\" 403 .+",
}
# Networks Mailcow never denylists (its own Docker networks are added in a real install).
NEVER_DENY = ("0.0.0.0", "0.0.0.0/0")


def _default_options() -> dict:
    return {"ban_time": 1800, "max_ban_time": 10000, "ban_time_increment": True,
            "max_attempts": 10, "retry_window": 600, "netban_ipv4": 32, "netban_ipv6": 128,
            "banlist_id": str(uuid.uuid4()), "manage_external": 0}


def _redis_get(conn: sqlite3.Connection, key: str) -> str:
    row = conn.execute("SELECT value FROM redis_key WHERE name = ?", (key,)).fetchone()
    return row["value"] if row else ""


def _redis_set(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO redis_key (name, value) VALUES (?, ?) "
                 "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (key, value))


def _ensure_started(conn: sqlite3.Connection) -> None:
    """Netfilter writes its defaults on start when Redis has none."""
    if not _redis_get(conn, "F2B_OPTIONS"):
        _redis_set(conn, "F2B_OPTIONS", json.dumps(_default_options()))
    if not _redis_get(conn, "F2B_REGEX"):
        _redis_set(conn, "F2B_REGEX", json.dumps(DEFAULT_REGEX))


def _netfilter(conn: sqlite3.Connection, now: float) -> None:
    """What the netfilter container would have done by `now` (bans expire in any case)."""
    conn.execute("DELETE FROM f2b_ban WHERE banned_until <= ?", (int(now),))
    if service_up(conn, "netfilter"):
        conn.execute("DELETE FROM f2b_ban WHERE queued_at IS NOT NULL AND queued_at <= ?",
                     (now - UNBAN_DELAY,))


# -- validation (valid_network / valid_hostname in Mailcow's functions.inc.php) ------------

_HOST_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def _ip(text: str, version: int) -> bool:
    try:
        return ipaddress.ip_address(text).version == version
    except ValueError:
        return False


def valid_network(value: Any) -> bool:
    if isinstance(value, (list, dict)):
        return False
    address, slash, prefix = php_string(value).partition("/")
    if slash and not re.fullmatch(r"\s*[+-]?\d+(\.\d+)?\s*", prefix):
        # PHP compares a non-numeric string with 0 as a string: "abc" >= 0 is true.
        bits = None
    else:
        bits = float(prefix) if slash else None
    if _ip(address, 4):
        return bits is None and not slash or (bits is not None and 0 <= bits <= 32)
    if _ip(address, 6):
        return bits is None and not slash or (bits is not None and 0 <= bits <= 128)
    return False


def valid_hostname(value: Any) -> bool:
    """FILTER_VALIDATE_DOMAIN with FILTER_FLAG_HOSTNAME."""
    if isinstance(value, (list, dict)):
        return False
    text = php_string(value)
    if not text or len(text) > 253:
        return False
    labels = text[:-1].split(".") if text.endswith(".") else text.split(".")
    return all(_HOST_LABEL.match(label) for label in labels)


def _natural_key(text: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


# -- reads -------------------------------------------------------------------------------

def _remaining(seconds: int) -> str:
    """sprintf('%02dh %02dm %02ds', d/3600, d/60%60, d%60)."""
    return f"{int(seconds / 3600):02d}h {int(seconds / 60) % 60:02d}m {seconds % 60:02d}s"


def read(conn: sqlite3.Connection, now: float | None = None) -> dict:
    now = time.time() if now is None else now
    _ensure_started(conn)
    _netfilter(conn, now)
    options = json.loads(_redis_get(conn, "F2B_OPTIONS"))
    options["regex"] = json.loads(_redis_get(conn, "F2B_REGEX"))
    for kind in ("whitelist", "blacklist"):
        entries = [r["network"] for r in conn.execute(
            "SELECT network FROM f2b_list WHERE kind = ?", (kind,))]
        options[kind] = "\n".join(sorted(entries, key=_natural_key))
    denied = [r["network"] for r in conn.execute(
        "SELECT network FROM f2b_list WHERE kind = 'blacklist' ORDER BY rowid")]
    # Netfilter bans denylisted networks for good and lists them as permanent bans.
    perm = [n for n in denied if valid_network(n)] if service_up(conn, "netfilter") else []
    if perm:
        options["perm_bans"] = [{"network": n, "ip": n.split("/")[0]} for n in perm]
    bans = conn.execute("SELECT * FROM f2b_ban ORDER BY rowid").fetchall()
    if bans:
        options["active_bans"] = [
            {"queued_for_unban": 1 if b["queued_at"] is not None else 0,
             "network": b["network"], "ip": b["network"].split("/")[0],
             "banned_until": _remaining(int(b["banned_until"] - int(now)))}
            for b in bans]
    return options


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    return read(call.conn), True


# -- writes ------------------------------------------------------------------------------

def _log(data: Any) -> list:
    return ["fail2ban", "edit", data]


def _store_list(conn: sqlite3.Connection, kind: str, text: Any) -> None:
    conn.execute("DELETE FROM f2b_list WHERE kind = ?", (kind,))
    if isinstance(text, (list, dict)) or not php_string(text):
        return
    for entry in re.split(r"[ ,;\n]", php_string(text)):
        entry = entry.strip(" \t\n\r\0\x0b")
        if not entry:
            continue
        if kind == "blacklist" and entry in NEVER_DENY:
            continue
        if valid_network(entry) or valid_hostname(entry):
            conn.execute("INSERT OR IGNORE INTO f2b_list (kind, network) VALUES (?, ?)",
                         (kind, entry))


def _edit_options(call: Call, data: dict) -> bool:
    now = read(call.conn)

    def number(key: str, fallback: Any) -> int:
        return intval(data[key]) if data.get(key) is not None else intval(fallback)

    ban_time = number("ban_time", now["ban_time"])
    increment = data.get("ban_time_increment")
    max_ban_time = number("max_ban_time", now["max_ban_time"])
    max_attempts = number("max_attempts", now["max_attempts"])
    retry_window = number("retry_window", now["retry_window"])
    netban_ipv4 = number("netban_ipv4", now["netban_ipv4"])
    netban_ipv6 = number("netban_ipv6", now["netban_ipv6"])
    manage_external = intval(data.get("manage_external")) if data.get("manage_external") \
        is not None else 0
    banlist_id = data.get("banlist_id") or now["banlist_id"]
    options = {
        "ban_time": 60 if ban_time < 60 else ban_time,
        "ban_time_increment": increment is not None and php_string(increment) == "1",
        "max_ban_time": 60 if max_ban_time < 60 else max_ban_time,
        # Mailcow clamps both ends but the upper clamp overwrites the lower one.
        "netban_ipv4": 32 if netban_ipv4 > 32 else netban_ipv4,
        "netban_ipv6": 128 if netban_ipv6 > 128 else netban_ipv6,
        "max_attempts": 1 if max_attempts < 1 else max_attempts,
        "retry_window": 1 if retry_window < 1 else retry_window,
        "banlist_id": banlist_id,
        "manage_external": 1 if manage_external > 0 else 0,
    }
    _redis_set(call.conn, "F2B_OPTIONS", json.dumps(options))
    _store_list(call.conn, "whitelist", data["whitelist"] if data.get("whitelist") is not None
                else now["whitelist"])
    _store_list(call.conn, "blacklist", data["blacklist"] if data.get("blacklist") is not None
                else now["blacklist"])
    call.success(_log(data), "f2b_modified")
    return True


def _queue_unban(conn: sqlite3.Connection, network: str) -> None:
    conn.execute("UPDATE f2b_ban SET queued_at = ? WHERE network = ? AND queued_at IS NULL",
                 (time.time(), network))


def edit(call: Call, data: dict) -> bool | None:
    log = _log(data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    action = data.get("action")
    if action is None:
        return _edit_options(call, data)
    networks = as_array(data.get("network"))
    if action == "reset-regex":
        call.conn.execute("DELETE FROM redis_key WHERE name = 'F2B_REGEX'")
        _ensure_started(call.conn)  # netfilter restarts and writes its defaults again
    elif action == "edit-regex":
        regex = [r for r in as_array(data.get("regex")) if not isinstance(r, (list, dict))]
        if regex:
            _redis_set(call.conn, "F2B_REGEX", json.dumps(
                {str(n): php_string(r) for n, r in enumerate(regex, start=1)}))
        call.success(log, ["object_modified", ""])
        return True
    for network in networks:
        text = "" if isinstance(network, (list, dict)) else php_string(network)
        if action == "unban":
            if valid_network(text):
                _queue_unban(call.conn, text)
        elif action in ("whitelist", "blacklist"):
            if not text:
                continue
            if not valid_network(text) or (action == "blacklist" and text in NEVER_DENY):
                call.danger(log, ["network_host_invalid", htmlspecialchars(text)])
                continue
            other = "blacklist" if action == "whitelist" else "whitelist"
            call.conn.execute("INSERT OR IGNORE INTO f2b_list (kind, network) VALUES (?, ?)",
                              (action, text))
            call.conn.execute("DELETE FROM f2b_list WHERE kind = ? AND network = ?",
                              (other, text))
            if action == "whitelist":
                _queue_unban(call.conn, text)
        call.success(log, ["object_modified", htmlspecialchars(text)])
    return True


# -- data --------------------------------------------------------------------------------

def ban(conn: sqlite3.Connection, network: str, seconds: int) -> None:
    """What netfilter records when an address crosses max_attempts (demo and tests)."""
    _ensure_started(conn)
    conn.execute("INSERT INTO f2b_ban (network, banned_until, queued_at) VALUES (?, ?, NULL) "
                 "ON CONFLICT (network) DO UPDATE SET banned_until = excluded.banned_until, "
                 "queued_at = NULL", (network, int(time.time()) + seconds))


def seed_demo(conn: sqlite3.Connection) -> None:
    """Netfilter running, with a few active bans and one denylisted network."""
    set_service(conn, "netfilter", True)
    _ensure_started(conn)
    if conn.execute("SELECT 1 FROM f2b_ban").fetchone():
        return
    for network, seconds in (("203.0.113.7/32", 1800), ("198.51.100.23/32", 540),
                             ("2001:db8:bad::/64", 7200), ("192.0.2.0/24", 86000)):
        ban(conn, network, seconds)
    conn.execute("INSERT OR IGNORE INTO f2b_list (kind, network) VALUES "
                 "('blacklist', '203.0.113.99/32'), ('whitelist', '10.0.0.0/8')")


EDIT = {"fail2ban": ("network", edit)}
GET = {"fail2ban": _get}
