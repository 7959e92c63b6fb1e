"""App passwords (`app-passwd`): add, delete and get with the rules of Mailcow's
app_passwd() (recordings 40, 41, B4).

Each password belongs to one mailbox and says which protocols it may log in to. Reads
hand back the hash, never the password; the log of an add stars both password fields.
"""
from __future__ import annotations

import sqlite3
from typing import Any

from ..access import mailbox_access
from ..passwords import check, hashed
from ..php import as_array, empty, htmlspecialchars, intval, is_email, php_string, trim
from ..report import Call
from ..store import now

SCHEMA = """
CREATE TABLE IF NOT EXISTS app_passwd (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  mailbox TEXT NOT NULL COLLATE NOCASE,
  domain TEXT NOT NULL COLLATE NOCASE,
  password TEXT NOT NULL,
  created TEXT NOT NULL,
  modified TEXT,
  imap_access INTEGER NOT NULL DEFAULT 1,
  smtp_access INTEGER NOT NULL DEFAULT 1,
  dav_access INTEGER NOT NULL DEFAULT 1,
  eas_access INTEGER NOT NULL DEFAULT 1,
  pop3_access INTEGER NOT NULL DEFAULT 1,
  sieve_access INTEGER NOT NULL DEFAULT 1,
  active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS app_passwd_mailbox ON app_passwd (mailbox);
"""

# The protocol flags in the order Mailcow's table has them.
PROTOCOLS = ("imap_access", "smtp_access", "dav_access", "eas_access", "pop3_access",
             "sieve_access")


def _log(action: str, data: Any) -> list:
    logged = dict(data) if isinstance(data, dict) else data
    if isinstance(logged, dict):
        for key in ("app_passwd", "app_passwd2"):
            if logged.get(key) is not None:
                logged[key] = "*"
    return ["app_passwd", action, logged]


def _owner(call: Call, data: dict, action: str) -> str | None:
    """The mailbox named in the data, or None after an access_denied when it is out of
    reach; an API key never has a mailbox of its own to fall back on."""
    username = data.get("username")
    if isinstance(username, str) and is_email(username):
        if not mailbox_access(call, username):
            call.danger(_log(action, data), "access_denied")
            return None
        return username
    return ""


def add(call: Call, data: dict) -> bool:
    username = _owner(call, data, "add")
    if username is None:
        return False
    log = _log("add", data)
    row = call.conn.execute("SELECT username, domain FROM mailbox WHERE username = ?",
                            (username,)).fetchone() if username else None
    if row is None:
        call.danger(log, "access_denied")
        return False
    password, password2 = data.get("app_passwd"), data.get("app_passwd2")
    if not check(call, password, password2):
        return False
    name = htmlspecialchars(trim(data.get("app_name")))
    if empty(name):
        call.danger(log, "app_name_empty")
        return False
    chosen = [php_string(p) for p in as_array(data.get("protocols"))
              if not isinstance(p, (list, dict))]
    flags = [int(p in chosen) for p in PROTOCOLS]
    call.conn.execute(
        "INSERT INTO app_passwd (name, mailbox, domain, password, created, imap_access,"
        " smtp_access, dav_access, eas_access, pop3_access, sieve_access, active)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (name, row["username"], row["domain"], hashed(password), now(), *flags,
         intval(data.get("active"))))
    call.success(log, "app_passwd_added")
    return True


def details(call: Call, key: Any) -> dict | None:
    if isinstance(key, (list, dict)) or empty(key):
        return None
    row = call.conn.execute("SELECT * FROM app_passwd WHERE id = ?",
                            (intval(key),)).fetchone()
    if row is None or not mailbox_access(call, row["mailbox"]):
        return None
    item = {"id": row["id"], "name": row["name"].strip(), "mailbox": row["mailbox"],
            "domain": row["domain"], "password": row["password"], "created": row["created"],
            "modified": row["modified"]}
    item.update({p: row[p] for p in PROTOCOLS})
    item["active"] = row["active"]
    return item


def edit(call: Call, data: dict) -> bool | None:
    """Name, password, protocols and active of each id, each kept when not sent.

    Mailcow also rewrites the owner to the `username` given (or the caller's own
    account); MailApp always names the mailbox, and the sandbox keeps the owner."""
    log = _log("edit", data)
    ids = as_array(data.get("id"))
    for key in ids:
        is_now = details(call, key)
        if not is_now:
            call.danger(log, ["app_passwd_id_invalid", key])
            continue
        name = data["app_name"] if not empty(data.get("app_name")) else is_now["name"]
        password = data.get("password") if not empty(data.get("password")) else None
        password2 = data.get("password2") if not empty(data.get("password2")) else None
        if data.get("protocols") is not None:
            chosen = [php_string(p) for p in as_array(data.get("protocols"))
                      if not isinstance(p, (list, dict))]
            flags = {p: int(p in chosen) for p in PROTOCOLS}
        else:
            flags = {p: is_now[p] for p in PROTOCOLS}
        active = intval(data["active"]) if data.get("active") is not None else is_now["active"]
        if password is not None and password2 is not None:
            if not check(call, password, password2):
                continue
            call.conn.execute("UPDATE app_passwd SET password = ? WHERE id = ?",
                              (hashed(password), is_now["id"]))
        call.conn.execute(
            "UPDATE app_passwd SET name = ?, active = ?, modified = ?, "
            + ", ".join(f"{p} = ?" for p in PROTOCOLS) + " WHERE id = ?",
            (htmlspecialchars(trim(name)), active, now(), *flags.values(), is_now["id"]))
        call.success(log, ["object_modified", htmlspecialchars(
            ", ".join(php_string(i) for i in ids))])
    return None


def delete(call: Call, data: dict) -> bool | None:
    """Stops at the first id that does not exist or is out of reach, as Mailcow does."""
    log = _log("delete", data)
    for key in as_array(data.get("id")):
        text = php_string(key) if not isinstance(key, (list, dict)) else ""
        row = call.conn.execute("SELECT mailbox FROM app_passwd WHERE id = ?",
                                (intval(text),)).fetchone() if text.strip() else None
        if row is None:
            call.danger(log, "app_passwd_id_invalid")
            return False
        if not mailbox_access(call, row["mailbox"]):
            call.danger(log, "access_denied")
            return False
        call.conn.execute("DELETE FROM app_passwd WHERE id = ?", (intval(text),))
        call.success(log, ["app_passwd_removed", htmlspecialchars(text)])
    return None


def of_mailbox(call: Call, username: Any) -> list[dict]:
    if not isinstance(username, str) or not mailbox_access(call, username):
        return []
    ids = [r["id"] for r in call.conn.execute(
        "SELECT id FROM app_passwd WHERE mailbox = ? ORDER BY id", (username,))]
    return [d for d in (details(call, i) for i in ids) if d]


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    """get/app-passwd/all/{mailbox}; `{}` when there are none. Without a mailbox Mailcow
    reads the caller's own, which an API key does not have."""
    if obj == "all":
        return (of_mailbox(call, extra) if extra else []), True
    return None, True


def drop_mailbox(conn: sqlite3.Connection, username: str) -> None:
    """Mailbox deletion takes its app passwords along."""
    conn.execute("DELETE FROM app_passwd WHERE mailbox = ?", (username,))


ADD = {"app-passwd": add}
EDIT = {"app-passwd": ("id", edit)}
DELETE = {"app-passwd": ("id", None, delete)}
GET = {"app-passwd": _get}


def seed_demo(call: Call) -> None:
    """Demo data: a mail app's password for one demo mailbox."""
    add(call, {"username": "alice.smith@example.org", "app_name": "Thunderbird (laptop)",
               "app_passwd": "Demo-AppPassw0rd!", "app_passwd2": "Demo-AppPassw0rd!",
               "active": "1", "protocols": ["imap_access", "smtp_access", "dav_access"]})
