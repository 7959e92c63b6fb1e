"""Sieve filters: `add/filter`, `edit/filter`, `delete/filter`, `get/filters`, and the
global filters (`add/global-filter`, `get/global_filters`).

Modelled on mailbox('add'|'edit'|'delete', 'filter'|'global_filter') of Mailcow
(recordings more/16, 16b, 17, 83, A3). A user keeps any number of prefilter and
postfilter scripts, but saving one as active marks every other script of the same
user and type inactive. Scripts are parsed before they are stored; a parse error is
answered as ["sieve_error", "line N: ..."]. Mailcow uses a PHP sieve parser, the sandbox
uses the `sievelib` parser, with its messages brought into the same shape.

Global scripts are files in Dovecot's container; writing one restarts Dovecot through
Mailcow's dockerapi, which the sandbox does not have, so it answers as Mailcow does
without it: a `dovecot_restart_failed` warning, then `global_filter_written`.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from typing import Any

from sievelib import commands as sieve_commands
from sievelib.parser import Parser

from .. import map_rows
from ..access import mailbox_access
from ..php import empty, intval, is_email, isset, listed, php_string
from ..report import Call, mailbox_log, masked
from ..store import now

SCHEMA = """
CREATE TABLE IF NOT EXISTS sieve_filters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL,
  script_desc TEXT NOT NULL,
  script_name TEXT NOT NULL DEFAULT 'inactive',
  script_data TEXT NOT NULL,
  filter_type TEXT NOT NULL,
  created TEXT NOT NULL,
  modified TEXT
);
CREATE INDEX IF NOT EXISTS sieve_filters_username ON sieve_filters (username);
CREATE TABLE IF NOT EXISTS global_sieve (
  filter_type TEXT PRIMARY KEY,
  script_data TEXT NOT NULL
);
"""

FILTER_TYPES = ("prefilter", "postfilter")
# RFC 6131: requiring "vacation-seconds" implies "vacation" (Mailcow's own preset relies
# on it); sievelib only loads the names listed.
IMPLIED_EXTENSIONS = {"vacation-seconds": ("vacation",)}


class RequireCommand(sieve_commands.RequireCommand):
    """`require`, also loading the extensions a capability implies."""

    def complete_cb(self):
        super().complete_cb()
        loaded = sieve_commands.parser_state.loaded_extensions
        for ext in list(loaded):
            for implied in IMPLIED_EXTENSIONS.get(ext, ()):
                if implied not in loaded:
                    loaded.append(implied)


sieve_commands.add_commands(RequireCommand)

# sievelib keeps parse state in module globals: one parse at a time.
_parse_lock = threading.Lock()


def sieve_error(script: str) -> str | None:
    """None when the script parses, else the parser's message, e.g.
    "line 1: unknown command this" (sievelib quotes the token; Mailcow's parser does not)."""
    with _parse_lock:
        parser = Parser()
        try:
            ok = parser.parse(script)
        except Exception as exc:  # the parser raises on some malformed input
            return f"line 1: {exc}"
        if ok:
            return None
        message = str(parser.error or "parse error")
    return re.sub(r"'([^'\s]*)'", r"\1", message)


def details(call: Call, filter_id: Any) -> dict | None:
    """mailbox('get', 'filter_details', id): None when not visible."""
    if isinstance(filter_id, (list, dict, bool)) or filter_id is None:
        return None
    row = call.conn.execute("SELECT * FROM sieve_filters WHERE id = ?",
                            (intval(filter_id),)).fetchone()
    if row is None or not mailbox_access(call, row["username"]):
        return None
    return {"active": 1 if row["script_name"] == "active" else 0, "id": row["id"],
            "username": row["username"], "filter_type": row["filter_type"],
            "script_data": row["script_data"], "script_desc": row["script_desc"]}


def ids_of(call: Call, username: Any) -> list[int]:
    """mailbox('get', 'filters', username)."""
    return map_rows.owned_ids(call, "sieve_filters", "username", username)


def _deactivate_others(conn: sqlite3.Connection, username: str, filter_type: str) -> None:
    conn.execute("UPDATE sieve_filters SET script_name = 'inactive'"
                 " WHERE username = ? AND filter_type = ?", (username, filter_type))


def add(call: Call, data: dict) -> bool:
    log = mailbox_log("add", "filter", masked(data))
    username = data.get("username")
    if isset(data, "username") and is_email(username):
        if not mailbox_access(call, username):
            call.danger(log, "access_denied")
            return False
    else:
        call.danger(log, "no_user_defined")
        return False
    active = intval(data.get("active"))
    script_data, script_desc = data.get("script_data"), data.get("script_desc")
    filter_type = data.get("filter_type")
    if empty(script_data):
        call.danger(log, "script_empty")
        return False
    error = sieve_error(php_string(script_data))
    if error:
        call.danger(log, ["sieve_error", error])
        return False
    if empty(script_desc):
        call.danger(log, "value_missing")
        return False
    if filter_type not in FILTER_TYPES:
        call.danger(log, "filter_type")
        return False
    if active:
        _deactivate_others(call.conn, username, filter_type)
    call.conn.execute(
        "INSERT INTO sieve_filters (username, script_data, script_desc, script_name,"
        " filter_type, created) VALUES (?, ?, ?, ?, ?, ?)",
        (username, php_string(script_data), php_string(script_desc),
         "active" if active else "inactive", filter_type, now()))
    call.success(log, ["mailbox_modified", username])
    return True


def edit(call: Call, data: dict) -> bool:
    log = mailbox_log("edit", "filter", masked(data))
    for is_now in map_rows.found(call, log, listed(data.get("id")),
                                 lambda filter_id: details(call, filter_id)):
        username = is_now["username"]
        active = map_rows.kept(data, "active", is_now, convert=intval)
        script_desc = map_rows.kept(data, "script_desc", is_now, when="nonempty")
        script_data = map_rows.kept(data, "script_data", is_now, when="nonempty")
        filter_type = map_rows.kept(data, "filter_type", is_now, when="nonempty")
        error = sieve_error(php_string(script_data))
        if error:
            call.danger(log, ["sieve_error", error])
            continue
        if filter_type not in FILTER_TYPES:
            call.danger(log, "filter_type")
            continue
        if active == 1:
            _deactivate_others(call.conn, username, filter_type)
        call.conn.execute(
            "UPDATE sieve_filters SET script_desc = ?, script_data = ?, script_name = ?,"
            " filter_type = ?, modified = ? WHERE id = ?",
            (php_string(script_desc), php_string(script_data),
             "active" if active == 1 else "inactive", filter_type, now(), is_now["id"]))
        call.success(log, ["mailbox_modified", username])
    return True


def delete(call: Call, data: dict) -> bool:
    return map_rows.delete_owned(call, mailbox_log("delete", "filter", data), data,
                                 "sieve_filters", "username", "delete_filter")


def add_global(call: Call, data: dict) -> bool:
    log = mailbox_log("add", "global_filter", masked(data))
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    script = php_string(data.get("script_data")).replace("\r\n", "\n").replace("\r", "\n")
    error = sieve_error(script)
    if error:
        call.danger(log, ["sieve_error", error])
        return False
    filter_type = data.get("filter_type")
    if filter_type not in FILTER_TYPES:
        call.danger(log, "invalid_filter_type")
        return False
    call.conn.execute("INSERT INTO global_sieve (filter_type, script_data) VALUES (?, ?)"
                      " ON CONFLICT (filter_type) DO UPDATE SET script_data = excluded.script_data",
                      (filter_type, script))
    call.warning(log, "dovecot_restart_failed")
    call.success(log, "global_filter_written")
    return True


def global_scripts(conn: sqlite3.Connection) -> dict:
    """mailbox('get', 'global_filter_details'): each file's text, false when there is none."""
    rows = dict(conn.execute("SELECT filter_type, script_data FROM global_sieve").fetchall())
    return {"prefilter": rows.get("prefilter", False) or False,
            "postfilter": rows.get("postfilter", False) or False}


def drop_mailbox(conn: sqlite3.Connection, username: str) -> None:
    """sieve_filters.username references mailbox.username ON DELETE CASCADE in Mailcow."""
    conn.execute("DELETE FROM sieve_filters WHERE username = ?", (username,))


def _read(call: Call, obj, extra, args) -> tuple[Any, bool]:
    """get/filters/all walks domains and mailboxes; get/filters/{username}."""
    from .. import domains, mailboxes

    if obj == "all":
        owners = [u for d in domains.names(call) for u in mailboxes.usernames(call, d)]
    else:
        owners = [obj]
    found = [details(call, i) for owner in owners for i in ids_of(call, owner)]
    return [f for f in found if f], True


def _read_global(call: Call, obj, extra, args) -> tuple[Any, bool]:
    scripts = global_scripts(call.conn)
    if obj == "all":
        return scripts, True
    if obj in FILTER_TYPES:
        return scripts[obj] or None, True
    return None, True


ADD = {"filter": add, "global-filter": add_global}
EDIT = {"filter": ("id", edit)}
DELETE = {"filter": ("id", None, delete)}
GET = {"filters": _read, "global_filters": _read_global}


# -- demo data ---------------------------------------------------------------------------

DEMO_FILTERS = (
    ("alice.smith@example.org", "prefilter", "Newsletters to their folder", 1,
     'require ["fileinto", "mailbox"];\n'
     'if anyof (header :contains "List-Id" "newsletter",\n'
     '          header :contains "Precedence" "bulk") {\n'
     '  fileinto :create "Newsletters";\n'
     '  stop;\n'
     '}\n'),
    ("alice.smith@example.org", "prefilter", "Old rule: invoices (kept for reference)", 0,
     'require "fileinto";\n'
     'if header :contains "Subject" "Invoice" {\n'
     '  fileinto "Accounting";\n'
     '}\n'),
    ("bob.jones@example.org", "postfilter", "Holiday reply", 1,
     'require "vacation";\n'
     'vacation :days 1 :subject "Out of office"\n'
     '  "I am away until 4 January and read mail after that.";\n'),
)


def seed_demo_filters(conn: sqlite3.Connection) -> None:
    for username, filter_type, description, active, script in DEMO_FILTERS:
        conn.execute(
            "INSERT INTO sieve_filters (username, script_data, script_desc, script_name,"
            " filter_type, created) VALUES (?, ?, ?, ?, ?, ?)",
            (username, script, description, "active" if active else "inactive",
             filter_type, now()))
