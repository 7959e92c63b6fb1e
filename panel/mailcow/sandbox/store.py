"""The sandbox's SQLite file: schema (Mailcow's tables, trimmed) and connections."""
from __future__ import annotations

import functools
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

# Text keys compare case-insensitively as under MariaDB's utf8mb4_general_ci; Redis-held
# data (rate limits, DKIM) keeps exact keys.
SCHEMA = """
CREATE TABLE IF NOT EXISTS domain (
  domain TEXT PRIMARY KEY COLLATE NOCASE,
  description TEXT,
  aliases INTEGER NOT NULL DEFAULT 400,
  mailboxes INTEGER NOT NULL DEFAULT 10,
  defquota INTEGER NOT NULL DEFAULT 3072,
  maxquota INTEGER NOT NULL DEFAULT 10240,
  quota INTEGER NOT NULL DEFAULT 10240,
  relayhost TEXT NOT NULL DEFAULT '0',
  backupmx INTEGER NOT NULL DEFAULT 0,
  gal INTEGER NOT NULL DEFAULT 1,
  relay_all_recipients INTEGER NOT NULL DEFAULT 0,
  relay_unknown_only INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL,
  modified TEXT,
  active INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS tags_domain (
  domain TEXT NOT NULL COLLATE NOCASE,
  tag_name TEXT NOT NULL,
  PRIMARY KEY (domain, tag_name)
);
CREATE INDEX IF NOT EXISTS tags_domain_tag ON tags_domain (tag_name);
CREATE TABLE IF NOT EXISTS alias_domain (
  alias_domain TEXT PRIMARY KEY COLLATE NOCASE,
  target_domain TEXT NOT NULL COLLATE NOCASE,
  active INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL,
  modified TEXT
);
CREATE INDEX IF NOT EXISTS alias_domain_target ON alias_domain (target_domain);
CREATE TABLE IF NOT EXISTS mailbox (
  username TEXT PRIMARY KEY COLLATE NOCASE,
  password TEXT NOT NULL,
  name TEXT,
  local_part TEXT NOT NULL COLLATE NOCASE,
  domain TEXT NOT NULL COLLATE NOCASE,
  quota INTEGER NOT NULL DEFAULT 0,
  attributes TEXT NOT NULL,
  custom_attributes TEXT NOT NULL DEFAULT '{}',
  kind TEXT NOT NULL DEFAULT '',
  authsource TEXT NOT NULL DEFAULT 'mailcow',
  created TEXT NOT NULL,
  modified TEXT,
  active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS mailbox_kind ON mailbox (kind, username);
CREATE INDEX IF NOT EXISTS mailbox_by_domain ON mailbox (domain, kind, username);
CREATE INDEX IF NOT EXISTS mailbox_domain_quota ON mailbox (domain, kind, quota);
CREATE INDEX IF NOT EXISTS mailbox_by_quota ON mailbox (kind, quota, username);
CREATE INDEX IF NOT EXISTS mailbox_by_name ON mailbox (kind, name COLLATE NOCASE, username);
DROP INDEX IF EXISTS mailbox_domain;
DROP INDEX IF EXISTS mailbox_quota;
DROP INDEX IF EXISTS mailbox_name;
DROP INDEX IF EXISTS alias_by_goto;
CREATE TABLE IF NOT EXISTS quota2 (
  username TEXT PRIMARY KEY COLLATE NOCASE,
  bytes INTEGER NOT NULL DEFAULT 0,
  messages INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sasl_log (
  username TEXT NOT NULL COLLATE NOCASE,
  service TEXT NOT NULL,
  datetime INTEGER NOT NULL,
  PRIMARY KEY (username, service)
);
CREATE TABLE IF NOT EXISTS tags_mailbox (
  username TEXT NOT NULL COLLATE NOCASE,
  tag_name TEXT NOT NULL,
  PRIMARY KEY (username, tag_name)
);
CREATE INDEX IF NOT EXISTS tags_mailbox_tag ON tags_mailbox (tag_name);
CREATE TABLE IF NOT EXISTS alias (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  address TEXT NOT NULL UNIQUE COLLATE NOCASE,
  goto TEXT NOT NULL,
  domain TEXT NOT NULL COLLATE NOCASE,
  public_comment TEXT,
  private_comment TEXT,
  internal INTEGER NOT NULL DEFAULT 0,
  sogo_visible INTEGER NOT NULL DEFAULT 1,
  sender_allowed INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL,
  modified TEXT
);
CREATE INDEX IF NOT EXISTS alias_by_domain ON alias (domain, id);
CREATE TABLE IF NOT EXISTS sender_acl (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  logged_in_as TEXT NOT NULL COLLATE NOCASE,
  send_as TEXT NOT NULL COLLATE NOCASE,
  external INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sender_acl_user ON sender_acl (logged_in_as);
CREATE TABLE IF NOT EXISTS ratelimit (
  object TEXT PRIMARY KEY,
  value INTEGER NOT NULL,
  frame TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dkim (
  domain TEXT PRIMARY KEY,
  selector TEXT NOT NULL,
  pubkey TEXT NOT NULL,
  privkey TEXT NOT NULL
);
-- Mailcow's mailbox.multiple_bookings for resources (rows of mailbox with a kind), kept
-- apart so the schema stays re-runnable: -1 soft limit, 0 always free, n a hard limit.
CREATE TABLE IF NOT EXISTS resource_booking (
  username TEXT PRIMARY KEY COLLATE NOCASE,
  multiple_bookings INTEGER NOT NULL DEFAULT -1
);
CREATE TABLE IF NOT EXISTS setting (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT OR IGNORE INTO setting (name, value) VALUES
  ('password_length', '6'), ('password_chars', '0'), ('password_special_chars', '0'),
  ('password_lowerupper', '0'), ('password_numbers', '0');
"""

# MariaDB's `modified ... ON UPDATE NOW()`: bumped only when a listed column changes.
_MODIFIED = {
    "domain": ("domain", ["description", "aliases", "mailboxes", "defquota", "maxquota",
                          "quota", "relayhost", "backupmx", "gal", "relay_all_recipients",
                          "relay_unknown_only", "active"]),
    "alias_domain": ("alias_domain", ["target_domain", "active"]),
    "mailbox": ("username", ["password", "name", "quota", "attributes", "custom_attributes",
                             "active"]),
    "alias": ("id", ["address", "goto", "domain", "public_comment", "private_comment",
                     "internal", "sogo_visible", "sender_allowed", "active"]),
}


def _modified_triggers() -> str:
    out = []
    for table, (key, columns) in _MODIFIED.items():
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        out.append(
            f"CREATE TRIGGER IF NOT EXISTS {table}_modified AFTER UPDATE OF {', '.join(columns)}"
            f" ON {table} WHEN {changed} BEGIN UPDATE {table} SET modified ="
            f" strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime') WHERE {key} = NEW.{key}; END;")
    return "\n".join(out)


def now() -> str:
    """MariaDB NOW() in the server's local time, as Mailcow prints `created`."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime())


_schema_lock = threading.Lock()


@functools.cache
def _script() -> tuple[str, int]:
    """The whole schema (this module's and each area module's) and its version: a
    checksum of the text, so any change to a table or index re-runs it, idempotently."""
    from . import areas

    parts = [SCHEMA] + [getattr(m, "SCHEMA", "") for m in areas.modules()]
    text = "\n".join(parts) + _modified_triggers()
    return text, zlib.crc32(text.encode()) & 0x7FFFFFFF


def connect(db_path: str) -> sqlite3.Connection:
    """A connection in autocommit mode; callers open transactions with `transaction()`."""
    conn = sqlite3.connect(db_path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA synchronous = NORMAL")
    script, version = _script()
    if conn.execute("PRAGMA user_version").fetchone()[0] != version:
        with _schema_lock:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(f"{script}\nPRAGMA user_version = {version};")
    return conn


@contextmanager
def opened(db_path: str) -> Iterator[sqlite3.Connection]:
    conn = connect(db_path)
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection, write: bool = True) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE for writes, so check-then-insert runs alone among waitress threads."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def chunks(values: Iterable, size: int = 900) -> Iterator[list]:
    """Slices small enough for SQLite's bound-parameter limit."""
    batch: list = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def marks(values: list) -> str:
    return ",".join("?" * len(values))
