"""OAuth2 clients (`oauth2-client`): add, edit (revoke tokens, renew secret, redirect URI),
delete and get, with the rules of Mailcow's oauth2() (recordings 34, 35, B3).

Mailcow draws the client id (6 random bytes) and secret (12 random bytes) as hex itself,
always grants the `profile` scope, and never checks the redirect URI. Reads return the
secret in clear; MailApp's adapter drops it.
"""
from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from ..php import PhpFatal, as_array, empty, htmlspecialchars, php_string
from ..report import Call

SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_clients (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id TEXT NOT NULL UNIQUE,
  client_secret TEXT,
  redirect_uri TEXT,
  grant_types TEXT,
  scope TEXT,
  user_id TEXT
);
CREATE TABLE IF NOT EXISTS oauth_access_tokens (
  access_token TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  user_id TEXT,
  expires TEXT NOT NULL,
  scope TEXT
);
CREATE TABLE IF NOT EXISTS oauth_refresh_tokens (
  refresh_token TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  user_id TEXT,
  expires TEXT NOT NULL,
  scope TEXT
);
"""

REDIRECT_URI_MAX = 2000  # VARCHAR(2000): MariaDB in strict mode refuses longer values


def _log(action: str, data: Any) -> list:
    return ["oauth2", action, "client", data]


def _denied(call: Call, action: str, data: Any) -> bool:
    if call.admin:
        return False
    call.danger(_log(action, data), "access_denied")
    return True


def _store_uri(value: Any) -> str | None:
    if value is None:
        return None
    text = php_string(value)
    if len(text) > REDIRECT_URI_MAX:
        raise PhpFatal("Data too long for column 'redirect_uri'")
    return text


def add(call: Call, data: dict) -> bool:
    log = _log("add", data)
    if _denied(call, "add", data):
        return False
    client_id = secrets.token_hex(6)
    if call.conn.execute("SELECT 1 FROM oauth_clients WHERE client_id = ?",
                         (client_id,)).fetchone():
        call.danger(log, "Client ID exists")
        return False
    call.conn.execute(
        "INSERT INTO oauth_clients (client_id, client_secret, redirect_uri, scope) "
        "VALUES (?, ?, ?, 'profile')",
        (client_id, secrets.token_hex(12), _store_uri(data.get("redirect_uri"))))
    call.success(log, "Added client access")
    return True


def details(conn: sqlite3.Connection, client: Any) -> dict | None:
    if isinstance(client, (list, dict)):
        return None
    row = conn.execute("SELECT * FROM oauth_clients WHERE id = ?",
                       (php_string(client),)).fetchone()
    if row is None:
        return None
    return {"id": row["id"], "client_id": row["client_id"],
            "client_secret": row["client_secret"], "redirect_uri": row["redirect_uri"],
            "grant_types": row["grant_types"], "scope": row["scope"],
            "user_id": row["user_id"]}


def edit(call: Call, data: dict) -> bool | None:
    """Per id: revoke_tokens, else renew_secret, else a new redirect URI."""
    if _denied(call, "edit", data):
        return False
    for client in as_array(data.get("id")):
        now = details(call.conn, client)
        if now is None:
            call.danger(_log("edit", data), "access_denied")
            return False
        modified = ["object_modified", htmlspecialchars(client)]
        if data.get("revoke_tokens") is not None:
            for table in ("oauth_access_tokens", "oauth_refresh_tokens"):
                call.conn.execute(f"DELETE FROM {table} WHERE client_id = ?",
                                  (now["client_id"],))
            call.success(_log("edit", data), modified)
            continue
        if data.get("renew_secret") is not None:
            call.conn.execute("UPDATE oauth_clients SET client_secret = ? WHERE id = ?",
                              (secrets.token_hex(12), now["id"]))
            call.success(_log("edit", data), modified)
            continue
        redirect_uri = data.get("redirect_uri") if not empty(data.get("redirect_uri")) \
            else now["redirect_uri"]
        if empty(redirect_uri):
            call.danger(_log("edit", data), "Redirect/Callback URL cannot be empty")
            continue
        call.conn.execute("UPDATE oauth_clients SET redirect_uri = ? WHERE id = ?",
                          (_store_uri(redirect_uri), now["id"]))
        call.success(_log("edit", data), modified)
    return None


def delete(call: Call, data: dict) -> bool | None:
    """Every numeric id is deleted; one success names the last id, as Mailcow's does."""
    if _denied(call, "delete", data):
        return False
    ids = as_array(data.get("id"))
    last: Any = None
    for client in ids:
        last = client
        text = php_string(client) if not isinstance(client, (list, dict)) else ""
        if not text.strip().lstrip("+-").replace(".", "", 1).isdigit():
            call.danger(_log("delete", data), "access_denied")
            continue
        # Only the client row goes; Mailcow leaves its tokens in their tables.
        call.conn.execute("DELETE FROM oauth_clients WHERE id = ?", (int(float(text)),))
    call.success(_log("delete", data), ["items_deleted", htmlspecialchars(last)])
    return None


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    if obj == "all":
        ids = [r["id"] for r in call.conn.execute("SELECT id FROM oauth_clients ORDER BY id")]
        return [d for d in (details(call.conn, i) for i in ids) if d], True
    return details(call.conn, obj), True


def issue_tokens(conn: sqlite3.Connection, client_id: str, user: str, count: int = 1) -> None:
    """Demo and test data: tokens a mailbox user holds for a client (Mailcow's OAuth2
    server issues these; the API only ever deletes them)."""
    for _ in range(count):
        conn.execute("INSERT INTO oauth_access_tokens (access_token, client_id, user_id, "
                     "expires, scope) VALUES (?, ?, ?, datetime('now', '+1 hour'), 'profile')",
                     (secrets.token_hex(20), client_id, user))
        conn.execute("INSERT INTO oauth_refresh_tokens (refresh_token, client_id, user_id, "
                     "expires, scope) VALUES (?, ?, ?, datetime('now', '+14 days'), 'profile')",
                     (secrets.token_hex(20), client_id, user))


def token_count(conn: sqlite3.Connection, client_id: str) -> int:
    return sum(conn.execute(f"SELECT COUNT(*) FROM {t} WHERE client_id = ?",
                            (client_id,)).fetchone()[0]
               for t in ("oauth_access_tokens", "oauth_refresh_tokens"))


def seed_demo(conn: sqlite3.Connection) -> None:
    """Two registered clients, one with live tokens."""
    if conn.execute("SELECT 1 FROM oauth_clients").fetchone():
        return
    for uri in ("https://nextcloud.example.org/apps/user_oidc/code",
                "https://wiki.example.org/oauth/callback"):
        conn.execute("INSERT INTO oauth_clients (client_id, client_secret, redirect_uri, scope)"
                     " VALUES (?, ?, ?, 'profile')",
                     (secrets.token_hex(6), secrets.token_hex(12), uri))
    first = conn.execute("SELECT client_id FROM oauth_clients ORDER BY id").fetchone()
    issue_tokens(conn, first["client_id"], "demo@example.org", 2)


ADD = {"oauth2-client": add}
EDIT = {"oauth2-client": ("id", edit)}
DELETE = {"oauth2-client": ("id", None, delete)}
GET = {"oauth2-client": _get}
