"""What a mailbox user may do themselves (`user-acl`) and how tagged mail is handled
(`delimiter_action`), with the rules of Mailcow's acl('edit', 'user') and
mailbox('edit', 'delimiter_action') (recording 76; Mailcow's source for the rest).

Mailcow's API can set both but read neither. The ACL is a row of `user_acl` per
mailbox (made from the Default template's values); the tagged-mail choice lives in two
Redis hashes, RCPT_WANTS_SUBJECT_TAG and RCPT_WANTS_SUBFOLDER_TAG, modelled here as a
table of hash fields.
"""
from __future__ import annotations

import sqlite3

from ..access import mailbox_access
from ..php import as_array, is_email, php_string
from ..report import Call, mailbox_log

# Column order and Default-template values of Mailcow's user_acl table (recording 86).
ACL_DEFAULTS = (("spam_alias", 1), ("tls_policy", 1), ("spam_score", 1), ("spam_policy", 1),
                ("delimiter_action", 1), ("syncjobs", 0), ("eas_reset", 1),
                ("sogo_profile_reset", 0), ("pushover", 1), ("quarantine", 1),
                ("quarantine_attachments", 1), ("quarantine_notification", 1),
                ("quarantine_category", 1), ("app_passwds", 1))

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS user_acl (\n  username TEXT PRIMARY KEY COLLATE NOCASE,\n"
    + ",\n".join(f"  {name} INTEGER NOT NULL DEFAULT {value}" for name, value in ACL_DEFAULTS)
    + "\n);\n"
    "CREATE TABLE IF NOT EXISTS redis_hash (\n  name TEXT NOT NULL,\n  field TEXT NOT NULL,\n"
    "  value TEXT NOT NULL,\n  PRIMARY KEY (name, field)\n);\n")

SUBJECT_TAG = "RCPT_WANTS_SUBJECT_TAG"
SUBFOLDER_TAG = "RCPT_WANTS_SUBFOLDER_TAG"


def acl(conn: sqlite3.Connection, username: str) -> dict[str, int] | None:
    """acl('get', 'user'): the mailbox's row. Mailcow gives every mailbox one (at creation
    and on upgrades); a mailbox the sandbox made without one gets the defaults now."""
    if conn.execute("SELECT 1 FROM mailbox WHERE username = ? AND kind = ''",
                    (username,)).fetchone() is None:
        return None
    conn.execute("INSERT OR IGNORE INTO user_acl (username) VALUES (?)", (username,))
    row = conn.execute("SELECT * FROM user_acl WHERE username = ?", (username,)).fetchone()
    return {name: row[name] for name, _ in ACL_DEFAULTS}


def edit_acl(call: Call, data: dict) -> bool | None:
    """Every flag not listed is switched off; unknown names are ignored."""
    log = ["acl", "edit", "user", data]
    wanted = {php_string(a) for a in as_array(data.get("user_acl"))
              if not isinstance(a, (list, dict))}
    for username in as_array(data.get("username")):
        if not mailbox_access(call, username):
            call.danger(log, "access_denied")
            continue
        current = acl(call.conn, username)
        if not current:
            call.danger(log, "Cannot determine current ACL")
            continue
        values = {name: int(name in wanted) for name in current}
        call.conn.execute(
            f"UPDATE user_acl SET {', '.join(f'{n} = ?' for n in values)} WHERE username = ?",
            (*values.values(), username))
        call.success(log, ["acl_saved", username])
    return None


def _hset(conn: sqlite3.Connection, name: str, field: str) -> None:
    conn.execute("INSERT OR REPLACE INTO redis_hash (name, field, value) VALUES (?, ?, '1')",
                 (name, field))


def _hdel(conn: sqlite3.Connection, name: str, field: str) -> None:
    conn.execute("DELETE FROM redis_hash WHERE name = ? AND field = ?", (name, field))


def edit_delimiter_action(call: Call, data: dict) -> bool | None:
    """tagged_mail_handler "subject" or "subfolder" sets one hash field and clears the
    other; anything else (Mailcow's "none") clears both."""
    log = mailbox_log("edit", "delimiter_action", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    handler = data.get("tagged_mail_handler")
    for username in as_array(data.get("username")):
        if not (isinstance(username, str) and is_email(username)) or \
                not mailbox_access(call, username):
            call.danger(log, "access_denied")
            continue
        if handler == "subject":
            _hset(call.conn, SUBJECT_TAG, username)
            _hdel(call.conn, SUBFOLDER_TAG, username)
        elif handler == "subfolder":
            _hset(call.conn, SUBFOLDER_TAG, username)
            _hdel(call.conn, SUBJECT_TAG, username)
        else:
            _hdel(call.conn, SUBJECT_TAG, username)
            _hdel(call.conn, SUBFOLDER_TAG, username)
        call.success(log, ["mailbox_modified", username])
    return None


def delimiter_action(conn: sqlite3.Connection, username: str) -> str:
    """mailbox('get', 'delimiter_action'): what Mailcow's own UI reads from Redis."""
    names = {r["name"] for r in conn.execute(
        "SELECT name FROM redis_hash WHERE field = ? AND name IN (?, ?)",
        (username, SUBJECT_TAG, SUBFOLDER_TAG))}
    return "subject" if SUBJECT_TAG in names else "subfolder" if SUBFOLDER_TAG in names \
        else "none"


def drop_mailbox(conn: sqlite3.Connection, username: str) -> None:
    conn.execute("DELETE FROM user_acl WHERE username = ?", (username,))
    conn.execute("DELETE FROM redis_hash WHERE field = ? AND name IN (?, ?)",
                 (username, SUBJECT_TAG, SUBFOLDER_TAG))


EDIT = {"user-acl": ("username", edit_acl),
        "delimiter_action": ("username", edit_delimiter_action)}


