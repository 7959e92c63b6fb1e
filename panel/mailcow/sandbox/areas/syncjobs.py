"""Sync jobs (imapsync): `add/syncjob`, `edit/syncjob`, `delete/syncjob`, `get/syncjobs`.

Modelled on mailbox('add'|'edit'|'delete', 'syncjob') and the `syncjobs` reads of
Mailcow's json_api.php (recordings more/14, 15, 97, A4). Mailcow checks in this order:
the owner (no_user_defined / access_denied), the custom imapsync parameters against its
allow-list, then port, interval, encryption and the exclude regex — all four refused as
plain `access_denied` — and finally one job per owner, remote user and host
(object_exists "host / user"). Out-of-range max age, timeouts and bandwidth are quietly
replaced by their defaults. Edit additionally requires the host to be a valid domain name.

The remote password is stored as sent (Mailcow keeps it in plain text) and only
`with_password` reads return it; add's `log` echoes it, as Mailcow's does (it masks
`password`, not `password1`). The sandbox runs no imapsync: `seed_demo_jobs` leaves
jobs with the output a real run leaves behind.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from panel.mailcow.syncjobs import custom_params_refusal  # Mailcow's allow-list, shared

from .. import map_rows
from ..access import mailbox_access
from ..php import (
    PhpFatal,
    empty,
    htmlspecialchars,
    intval,
    is_email,
    is_valid_domain_name,
    isset,
    listed,
    php_string,
    trim,
)
from ..report import Call, mailbox_log, masked
from ..store import now

SCHEMA = """
CREATE TABLE IF NOT EXISTS imapsync (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user2 TEXT NOT NULL,
  host1 TEXT NOT NULL,
  authmech1 TEXT NOT NULL DEFAULT 'PLAIN',
  regextrans2 TEXT NOT NULL DEFAULT '',
  authmd51 INTEGER NOT NULL DEFAULT 0,
  domain2 TEXT NOT NULL DEFAULT '',
  subfolder2 TEXT NOT NULL DEFAULT '',
  user1 TEXT NOT NULL,
  password1 TEXT NOT NULL,
  exclude TEXT NOT NULL DEFAULT '',
  maxage INTEGER NOT NULL DEFAULT 0,
  mins_interval INTEGER NOT NULL DEFAULT 0,
  maxbytespersecond TEXT NOT NULL DEFAULT '0',
  port1 INTEGER NOT NULL,
  enc1 TEXT NOT NULL DEFAULT 'TLS',
  delete2duplicates INTEGER NOT NULL DEFAULT 1,
  delete1 INTEGER NOT NULL DEFAULT 0,
  delete2 INTEGER NOT NULL DEFAULT 0,
  automap INTEGER NOT NULL DEFAULT 0,
  skipcrossduplicates INTEGER NOT NULL DEFAULT 0,
  custom_params TEXT NOT NULL DEFAULT '',
  timeout1 INTEGER NOT NULL DEFAULT 600,
  timeout2 INTEGER NOT NULL DEFAULT 600,
  subscribeall INTEGER NOT NULL DEFAULT 1,
  dry INTEGER NOT NULL DEFAULT 0,
  is_running INTEGER NOT NULL DEFAULT 0,
  returned_text TEXT,
  last_run TEXT,
  success INTEGER,
  exit_status TEXT,
  created TEXT NOT NULL,
  modified TEXT,
  active INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS imapsync_user2 ON imapsync (user2);
"""

ENCRYPTIONS = ("TLS", "SSL", "PLAIN")

# The columns syncjob_details selects, in its order (recording 15).
_COLUMNS = ("id", "user2", "host1", "authmech1", "regextrans2", "authmd51", "domain2",
            "subfolder2", "user1", "exclude", "maxage", "mins_interval", "maxbytespersecond",
            "port1", "enc1", "delete2duplicates", "delete1", "delete2", "automap",
            "skipcrossduplicates", "custom_params", "timeout1", "timeout2", "subscribeall",
            "dry", "is_running", "last_run", "success", "exit_status", "created", "modified",
            "active")

_INT = re.compile(r"[+-]?(?:0|[1-9][0-9]*)")


def int_in(value: Any, low: int, high: int) -> int | None:
    """filter_var($v, FILTER_VALIDATE_INT, min_range/max_range): the int, or None (false)."""
    if value is None or isinstance(value, (list, dict)):
        return None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = php_string(value).strip(" \t\n\r\v\0")
        if not _INT.fullmatch(text):
            return None
        number = int(text)
    return number if low <= number <= high else None


def _pcre_compiles(exclude: Any) -> bool:
    """@preg_match("/" . $exclude . "/", null) !== false.

    PHP ends the pattern at the first unescaped "/" and reads what follows as modifiers,
    which fails; PCRE lets inline flags like (?i) stand anywhere, Python only at the
    start, so they are lifted before compiling.
    """
    text = php_string(exclude)
    if "\0" in text:
        return False
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "/":
            return False
    if escaped:  # a trailing backslash escapes the closing delimiter
        return False
    lifted = re.sub(r"\(\?[imsx]+\)", "", text)
    try:
        re.compile(lifted)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def _row(conn: sqlite3.Connection, job_id: Any) -> sqlite3.Row | None:
    if isinstance(job_id, bool) or isinstance(job_id, (list, dict)):
        return None
    number = int_in(job_id, 1, 2 ** 63 - 1)
    if number is None:
        return None
    return conn.execute("SELECT * FROM imapsync WHERE id = ?", (number,)).fetchone()


def details(call: Call, job_id: Any, attributes: list[str] | tuple = ()) -> dict | None:
    """mailbox('get', 'syncjob_details', id, attributes): None when not visible."""
    row = _row(call.conn, job_id)
    if row is None or not mailbox_access(call, row["user2"]):
        return None
    item = {name: row[name] for name in _COLUMNS}
    if "with_password" in attributes:
        item["password1"] = row["password1"]
    item["log"] = "" if "no_log" in attributes else (row["returned_text"] or "")
    return item


def ids_of(call: Call, username: Any) -> list[int]:
    """mailbox('get', 'syncjobs', username)."""
    return map_rows.owned_ids(call, "imapsync", "user2", username)


def _owner(call: Call, log: list, data: dict) -> str | None:
    username = data.get("username")
    if isset(data, "username") and is_email(username):
        if not mailbox_access(call, username):
            call.danger(log, "access_denied")
            return None
        return username
    call.danger(log, "no_user_defined")
    return None


def _bounded(value: Any, high: int, default: str) -> Any:
    """Max age, timeouts, bandwidth: kept when 1..high, else Mailcow's default."""
    number = int_in(value, 1, high)
    return number if number is not None else default


def add(call: Call, data: dict) -> bool:
    log = mailbox_log("add", "syncjob", masked(data))
    username = _owner(call, log, data)
    if username is None:
        return False
    custom_params = "" if empty(trim(data.get("custom_params"))) else \
        trim(data.get("custom_params"))
    refusal = custom_params_refusal(custom_params)
    if refusal:
        call.danger(log, refusal)
        return False
    host1 = php_string(data.get("host1")).lower()
    user1 = data.get("user1")
    exclude = data.get("exclude")
    port1 = int_in(data.get("port1"), 1, 65535)
    mins_interval = int_in(data.get("mins_interval"), 1, 43800)
    if port1 is None or mins_interval is None or data.get("enc1") not in ENCRYPTIONS \
            or not _pcre_compiles(exclude):
        call.danger(log, "access_denied")
        return False
    conn = call.conn
    if conn.execute("SELECT 1 FROM imapsync WHERE user2 = ? AND user1 = ? AND host1 = ?",
                    (username, php_string(user1), host1)).fetchone():
        call.danger(log, ["object_exists", htmlspecialchars(f"{host1} / {php_string(user1)}")])
        return False
    subfolder2 = "" if empty(data.get("subfolder2")) else php_string(data.get("subfolder2"))
    if data.get("password1") is None or isinstance(data.get("password1"), (list, dict)):
        raise PhpFatal("Column 'password1' cannot be null")
    conn.execute(
        "INSERT INTO imapsync (user2, exclude, delete1, delete2, timeout1, timeout2, automap,"
        " skipcrossduplicates, maxbytespersecond, subscribeall, dry, maxage, subfolder2,"
        " host1, authmech1, user1, password1, mins_interval, port1, enc1, delete2duplicates,"
        " custom_params, active, created) VALUES"
        " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PLAIN', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (username, php_string(exclude), intval(data.get("delete1")),
         intval(data.get("delete2")), _bounded(data.get("timeout1"), 32000, "600"),
         _bounded(data.get("timeout2"), 32000, "600"), intval(data.get("automap")),
         intval(data.get("skipcrossduplicates")),
         str(_bounded(data.get("maxbytespersecond"), 125000000, "0")),
         intval(data.get("subscribeall")), intval(data.get("dry")),
         _bounded(data.get("maxage"), 32000, "0"), subfolder2, host1, php_string(user1),
         php_string(data.get("password1")), mins_interval, port1, data.get("enc1"),
         intval(data.get("delete2duplicates")), custom_params, intval(data.get("active")),
         now()))
    call.success(log, ["mailbox_modified", username])
    return True


def edit(call: Call, data: dict) -> bool:
    log = mailbox_log("edit", "syncjob", masked(data))
    for is_now in map_rows.found(call, log, listed(data.get("id")),
                                 lambda job_id: details(call, job_id, ("with_password",))):
        username = is_now["user2"]
        flags = {k: map_rows.kept(data, k, is_now, convert=intval)
                 for k in ("active", "delete2duplicates", "subscribeall", "dry", "delete1",
                           "delete2", "automap", "skipcrossduplicates")}
        last_run = None if isset(data, "last_run") else is_now["last_run"]
        success = None if isset(data, "success") else is_now["success"]
        user1 = map_rows.kept(data, "user1", is_now, when="nonempty")
        port1 = map_rows.kept(data, "port1", is_now, when="nonempty")
        password1 = map_rows.kept(data, "password1", is_now, when="nonempty")
        host1 = map_rows.kept(data, "host1", is_now, when="nonempty")
        subfolder2 = map_rows.kept(data, "subfolder2", is_now)
        enc1 = map_rows.kept(data, "enc1", is_now, when="nonempty")
        mins_interval = map_rows.kept(data, "mins_interval", is_now, when="nonempty")
        exclude = map_rows.kept(data, "exclude", is_now)
        custom_params = php_string(map_rows.kept(data, "custom_params", is_now))
        numbers = {k: map_rows.kept(data, k, is_now, when="number", convert=intval)
                   for k in ("maxage", "maxbytespersecond", "timeout1", "timeout2")}
        refusal = custom_params_refusal(custom_params)
        if refusal:
            call.danger(log, refusal)
            return False
        subfolder2 = "" if empty(subfolder2) else php_string(subfolder2)
        port = int_in(port1, 1, 65535)
        interval = int_in(mins_interval, 1, 43800)
        if port is None or interval is None or not is_valid_domain_name(host1) \
                or enc1 not in ENCRYPTIONS or not _pcre_compiles(exclude):
            call.danger(log, "access_denied")
            continue
        call.conn.execute(
            "UPDATE imapsync SET delete1 = ?, delete2 = ?, automap = ?, skipcrossduplicates = ?,"
            " maxage = ?, maxbytespersecond = ?, subfolder2 = ?, exclude = ?, host1 = ?,"
            " last_run = ?, success = ?, user1 = ?, password1 = ?, mins_interval = ?,"
            " port1 = ?, enc1 = ?, delete2duplicates = ?, custom_params = ?, timeout1 = ?,"
            " timeout2 = ?, subscribeall = ?, dry = ?, active = ?, modified = ? WHERE id = ?",
            (flags["delete1"], flags["delete2"], flags["automap"], flags["skipcrossduplicates"],
             _bounded(numbers["maxage"], 32000, "0"),
             str(_bounded(numbers["maxbytespersecond"], 125000000, "0")), subfolder2,
             php_string(exclude), php_string(host1), last_run, success, php_string(user1),
             php_string(password1), interval, port, enc1, flags["delete2duplicates"],
             custom_params, _bounded(numbers["timeout1"], 32000, "600"),
             _bounded(numbers["timeout2"], 32000, "600"), flags["subscribeall"], flags["dry"],
             flags["active"], now(), is_now["id"]))
        call.success(log, ["mailbox_modified", username])
    return True


def delete(call: Call, data: dict) -> bool:
    return map_rows.delete_owned(call, mailbox_log("delete", "syncjob", data), data,
                                 "imapsync", "user2", "deleted_syncjob")


def drop_mailbox(conn: sqlite3.Connection, username: str) -> None:
    """Mailbox deletion takes the mailbox's sync jobs along."""
    conn.execute("DELETE FROM imapsync WHERE user2 = ?", (username,))


def _read(call: Call, obj, extra, args) -> tuple[Any, bool]:
    """get/syncjobs/all[/attrs] walks domains and mailboxes; get/syncjobs/{user}[/attrs]."""
    from .. import domains, mailboxes

    attributes = extra.split(",") if extra else ()
    if obj == "all":
        owners = [u for d in domains.names(call) for u in mailboxes.usernames(call, d)]
    else:
        owners = [obj]
    found = [details(call, job_id, attributes) for owner in owners
             for job_id in ids_of(call, owner)]
    return [job for job in found if job], True


ADD = {"syncjob": add}
EDIT = {"syncjob": ("id", edit)}
DELETE = {"syncjob": ("id", None, delete)}
GET = {"syncjobs": _read}


# -- demo data ---------------------------------------------------------------------------

def _run_log(host: str, user1: str, user2: str, started: str, lines: list[str],
             code: int, status: str, note: str) -> str:
    """What imapsync prints for one run (abridged the way its own log is)."""
    head = [
        "Here is imapsync 2.264 on host dovecot-mailcow, a linux system with 3.1/7.7 free GiB"
        " of RAM",
        "with Perl 5.36.0 and Mail::IMAPClient 3.43",
        f"Transfer started at {started}",
        "PID is 4182 my PPID is 4180",
        "Log file is /tmp/imapsync.log",
        f"Host1: IMAP server [{host}] port [993] user [{user1}]",
        f"Host2: IMAP server [127.0.0.1] port [143] user [{user2}]",
    ]
    return "\n".join(head + lines + [f"Exiting with return value {code} ({status}: {note})",
                                     ""])


def seed_demo_jobs(conn: sqlite3.Connection) -> None:
    """Three jobs with the output their last run left: a success, a refused login
    (Mailcow then deactivates the job) and one never run yet."""
    ok_log = _run_log(
        "imap.oldhost.example", "alice@oldhost.example", "alice.smith@example.org",
        "Sat Nov 21 22:40:02 2026 local time (Europe/Berlin)",
        ["Host1: connecting and login on host1 [imap.oldhost.example] port [993] with user "
         "[alice@oldhost.example]",
         "Host1: success login on [imap.oldhost.example] with user [alice@oldhost.example] "
         "auth [LOGIN]",
         "Host2: success login on [127.0.0.1] with user [alice.smith@example.org] auth [LOGIN]",
         "Host1: found 14 folders.",
         "Host2: found 16 folders.",
         "Folders sizes before the synchronization.",
         "Host1 folder    1/14 [INBOX]        Size:  412733184 Messages:  9211 Biggest:  18311050",
         "Host2 folder    1/14 [INBOX]        Size:  412198400 Messages:  9205 Biggest:  18311050",
         "++++ Listing folders",
         "msg INBOX/12871 {48211}         copied to INBOX/18422      0.42 msgs/s  1.883 KiB/s",
         "msg INBOX/12872 {9904}          copied to INBOX/18423      0.43 msgs/s  1.901 KiB/s",
         "msg Sent/3341 {22190}           copied to Sent/3120        0.44 msgs/s  1.950 KiB/s",
         "++++ Statistics",
         "Transfer started on               : Saturday 21 November 2026-11-21 22:40:02 +0100 CET",
         "Transfer ended on                 : Saturday 21 November 2026-11-21 22:40:17 +0100 CET",
         "Transfer time                     : 15.2 sec",
         "Folders synced                    : 14/14 synced",
         "Messages transferred              : 6",
         "Messages skipped                  : 12402",
         "Messages found duplicate on host1 : 0",
         "Messages found duplicate on host2 : 0",
         "Messages deleted on host2         : 0",
         "Total bytes transferred           : 201388 (196.668 KiB)",
         "Detected 0 errors"],
        0, "EX_OK", "successful termination")
    auth_log = _run_log(
        "mail.legacy-provider.example", "frank@legacy-provider.example",
        "frank.wilson@example.net", "Sat Nov 21 23:10:01 2026 local time (Europe/Berlin)",
        ["Host1: connecting and login on host1 [mail.legacy-provider.example] port [993] with "
         "user [frank@legacy-provider.example]",
         "Host1 failure: Error login on [mail.legacy-provider.example] with user "
         "[frank@legacy-provider.example] auth [LOGIN]: 2 NO [AUTHENTICATIONFAILED] "
         "Authentication failed.",
         "Err 1/1: Host1 failure: Error login on [mail.legacy-provider.example] with user "
         "[frank@legacy-provider.example] auth [LOGIN]: 2 NO [AUTHENTICATIONFAILED] "
         "Authentication failed.",
         "Detected 1 errors"],
        161, "EXIT_AUTHENTICATION_FAILURE_USER1", "error login on host1")
    jobs = (
        # owner, host, user, password, enc, interval, exclude, subfolder, delete2dups,
        # active, last_run, success, exit_status, log
        ("alice.smith@example.org", "imap.oldhost.example", "alice@oldhost.example",
         "Demo-Remote-1", "SSL", 20, "(?i)spam|(?i)junk", "/Imported", 1, 1,
         "2026-11-21 22:40:02", 1, "EX_OK", ok_log),
        ("frank.wilson@example.net", "mail.legacy-provider.example",
         "frank@legacy-provider.example", "Demo-Remote-2", "SSL", 60, "", "", 1, 0,
         "2026-11-21 23:10:01", 0, "EXIT_AUTHENTICATION_FAILURE_USER1", auth_log),
        ("carol.garcia@example.org", "imap.partner.example", "carol.g@partner.example",
         "Demo-Remote-3", "TLS", 30, "(?i)trash", "", 0, 1, None, None, None, None),
    )
    for (owner, host, user, password, enc, interval, exclude, subfolder, dups, active,
         last_run, success, status, text) in jobs:
        port = 993 if enc == "SSL" else 143
        conn.execute(
            "INSERT INTO imapsync (user2, host1, user1, password1, enc1, port1, mins_interval,"
            " exclude, subfolder2, delete2duplicates, active, last_run, success, exit_status,"
            " returned_text, automap, subscribeall, created) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?)",
            (owner, host, user, password, enc, port, interval, exclude, subfolder, dups,
             active, last_run, success, status, text, now()))
