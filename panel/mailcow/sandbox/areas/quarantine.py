"""Quarantine (`get/quarantine`, `edit/qitem`, `delete/qitem`, `edit/quarantine`) with the
rules of Mailcow's quarantine() (recordings 59, 63-67b).

Rspamd writes the items; the API only reads, releases, learns and deletes them. Release
is an SMTP hand-off to Postfix and learning a call to Rspamd: the sandbox has neither,
so it keeps a switch per service (`set_service`). A fresh sandbox has both down, as
the recordings were made; the demo seed brings them up so releasing works.

The settings live in Redis keys (Q_*) that Mailcow's API can write but never read back.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import Any

from ..php import as_array, intval, is_email, listed, php_string
from ..report import Call

SCHEMA = """
CREATE TABLE IF NOT EXISTS quarantine (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  qid TEXT NOT NULL,
  subject TEXT,
  score REAL,
  ip TEXT,
  action TEXT,
  symbols TEXT,
  fuzzy_hashes TEXT,
  sender TEXT NOT NULL DEFAULT 'unknown',
  rcpt TEXT,
  msg TEXT,
  domain TEXT,
  notified INTEGER NOT NULL DEFAULT 0,
  created TEXT NOT NULL,
  user TEXT NOT NULL DEFAULT 'unknown',
  qhash TEXT
);
CREATE INDEX IF NOT EXISTS quarantine_rcpt ON quarantine (rcpt);
CREATE TABLE IF NOT EXISTS redis_key (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sandbox_service (
  name TEXT PRIMARY KEY,
  up INTEGER NOT NULL DEFAULT 0
);
"""

CURL_DOWN = "Curl: Couldn't connect to server"
SETTINGS_KEYS = ("Q_RETENTION_SIZE", "Q_MAX_SIZE", "Q_MAX_SCORE", "Q_MAX_AGE",
                 "Q_EXCLUDE_DOMAINS", "Q_RELEASE_FORMAT", "Q_SENDER", "Q_SUBJECT", "Q_BCC",
                 "Q_REDIRECT", "Q_HTML")


# -- the services behind the API ---------------------------------------------------------

def set_service(conn: sqlite3.Connection, name: str, up: bool) -> None:
    """Bring the simulated `postfix` or `rspamd` up or down."""
    conn.execute("INSERT INTO sandbox_service (name, up) VALUES (?, ?) "
                 "ON CONFLICT (name) DO UPDATE SET up = excluded.up", (name, int(up)))


def service_up(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT up FROM sandbox_service WHERE name = ?", (name,)).fetchone()
    return bool(row and row["up"])


def _redis_get(conn: sqlite3.Connection, key: str) -> str:
    row = conn.execute("SELECT value FROM redis_key WHERE name = ?", (key,)).fetchone()
    return row["value"] if row else ""


def _redis_set(conn: sqlite3.Connection, values: dict[str, str]) -> None:
    conn.executemany("INSERT INTO redis_key (name, value) VALUES (?, ?) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                     list(values.items()))


def stored_settings(conn: sqlite3.Connection) -> dict[str, str]:
    """The Q_* keys, "" where never set; for tests (the API cannot read them)."""
    return {key: _redis_get(conn, key) for key in SETTINGS_KEYS}


# -- reads -------------------------------------------------------------------------------

def drop_mailbox(conn: sqlite3.Connection, username: str) -> None:
    """Mailbox deletion takes the mail quarantined for it along."""
    conn.execute("DELETE FROM quarantine WHERE rcpt = ?", (username,))


def _numeric(value: Any) -> bool:
    """PHP is_numeric() for the ids the API passes around."""
    if isinstance(value, bool) or isinstance(value, (list, dict)) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    text = str(value).strip(" \t\n\r\v\f")
    try:
        float(text)
    except ValueError:
        return False
    return bool(text) and text.lower() not in ("nan", "inf", "-inf", "+inf", "infinity")


def _virus_flag(symbols: str | None) -> int:
    """LOCATE("VIRUS_FOUND", symbols): a 1-based position, 0 when absent."""
    return (symbols or "").find("VIRUS_FOUND") + 1


def _summary(row: sqlite3.Row) -> dict:
    return {"id": row["id"], "qid": row["qid"], "subject": row["subject"],
            "virus_flag": _virus_flag(row["symbols"]), "score": row["score"],
            "rcpt": row["rcpt"], "sender": row["sender"], "action": row["action"],
            "created": int(time.mktime(time.strptime(row["created"], "%Y-%m-%d %H:%M:%S"))),
            "notified": row["notified"]}


def details(conn: sqlite3.Connection, item: Any) -> dict | None:
    """quarantine('details'): the whole row, or nothing for a bad or unknown id."""
    if not _numeric(item) or not float(php_string(item)):
        return None
    row = conn.execute("SELECT * FROM quarantine WHERE id = ?",
                       (int(float(php_string(item))),)).fetchone()
    return dict(row) if row else None


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    if obj == "all":
        rows = call.conn.execute("SELECT * FROM quarantine ORDER BY id").fetchall()
        return [_summary(r) for r in rows], False
    return details(call.conn, obj), True


# -- writes ------------------------------------------------------------------------------

def _log(action: str, data: Any) -> list:
    return ["quarantine", action, data]


def _recipient_is_mailbox(conn: sqlite3.Connection, rcpt: str | None) -> bool:
    """hasMailboxObjectAccess() for an API key: the recipient must be a mailbox."""
    if not rcpt:
        return False
    return conn.execute("SELECT 1 FROM mailbox WHERE username = ?", (rcpt,)).fetchone() \
        is not None


def _row(conn: sqlite3.Connection, item: Any) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM quarantine WHERE id = ?",
                        (int(float(php_string(item))),)).fetchone()


def delete(call: Call, data: dict) -> bool | None:
    log = _log("delete", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    for item in listed(data.get("id")):
        if not _numeric(item):
            call.danger(log, "access_denied")
            continue
        # An admin passes the access check even for an id that is not there.
        call.conn.execute("DELETE FROM quarantine WHERE id = ?", (int(float(php_string(item))),))
        call.success(log, ["item_deleted", php_string(item)])
    return None


def _named(call: Call, data: dict, log: list,
           usable: Callable[[sqlite3.Row], bool] = lambda row: True
           ) -> Iterator[tuple[Any, sqlite3.Row]]:
    """Each (id as sent, row) an action's ids name. A non-numeric id: `access_denied`; an
    item that is not there or not `usable`: `access_denied` without a log entry."""
    for item in listed(data.get("id")):
        if not _numeric(item):
            call.danger(log, "access_denied")
            continue
        row = _row(call.conn, item)
        if row is None or not usable(row):
            call.messages.append({"type": "danger", "msg": "access_denied"})
            continue
        yield item, row


def _release(call: Call, data: dict, log: list) -> bool:
    fmt = _redis_get(call.conn, "Q_RELEASE_FORMAT") or "raw"
    for item, row in _named(call, data, log,
                            lambda row: _recipient_is_mailbox(call.conn, row["rcpt"])):
        if not service_up(call.conn, "postfix"):
            if fmt == "attachment":
                call.warning(log, ["release_send_failed",
                                   "SMTP Error: Could not connect to SMTP host."])
                continue
            # The raw hand-off gives up on the whole request at the first failure.
            call.warning(log, "Cannot connect to Postfix")
            return False
        call.conn.execute("DELETE FROM quarantine WHERE id = ?", (row["id"],))
        call.success(log, ["item_released", php_string(item)])
    return True


def _learn(call: Call, data: dict, log: list, kind: str) -> bool:
    for item, row in _named(call, data, log):
        if not service_up(call.conn, "rspamd"):
            call.danger(log, [f"{kind}_learn_error", CURL_DOWN])
            continue
        if kind == "spam":
            # Learned as spam (Bayes and fuzzy hashes), then removed from quarantine.
            call.conn.execute("DELETE FROM quarantine WHERE id = ?", (row["id"],))
            call.success(log, ["qlearn_spam", php_string(item)])
        else:
            call.success(log, ["item_learned", php_string(item)])
    return True


def _text(value: Any) -> str:
    return "" if isinstance(value, (list, dict)) else php_string(value)


def _settings(call: Call, data: dict, log: list) -> bool:
    fmt = _text(data.get("release_format"))
    max_age = _intval(data.get("max_age"))
    values = {
        "Q_RETENTION_SIZE": str(_intval(data.get("retention_size"))),
        "Q_MAX_SIZE": str(_intval(data.get("max_size"))),
        "Q_MAX_SCORE": _text(data.get("max_score")),
        "Q_MAX_AGE": str(max_age if max_age > 0 else 365),
        "Q_EXCLUDE_DOMAINS": json.dumps(as_array(data.get("exclude_domains"))),
        "Q_RELEASE_FORMAT": fmt if fmt in ("raw", "attachment") else "raw",
        # Addresses that are not valid are stored as empty, silently.
        "Q_SENDER": _text(data.get("sender")) if is_email(data.get("sender")) else "",
        "Q_BCC": _text(data.get("bcc")) if is_email(data.get("bcc")) else "",
        "Q_REDIRECT": _text(data.get("redirect")) if is_email(data.get("redirect")) else "",
        "Q_SUBJECT": _text(data.get("subject")),
        "Q_HTML": _text(data.get("html_tmpl")),
    }
    _redis_set(call.conn, values)
    call.success(log, "saved_settings")
    return True


def _intval(value: Any) -> int:
    return intval(value) if not isinstance(value, (list, dict)) else 1 if value else 0


def edit(call: Call, data: dict) -> bool:
    log = _log("edit", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    action = data.get("action")
    if action == "settings":
        return _settings(call, data, log)
    if action == "release":
        return _release(call, data, log)
    if action in ("learnspam", "learnham"):
        return _learn(call, data, log, "spam" if action == "learnspam" else "ham")
    return True


# -- data --------------------------------------------------------------------------------

def quarantine_mail(conn: sqlite3.Connection, rcpt: str, sender: str, subject: str,
                    score: float, action: str = "reject", symbols: list | None = None,
                    body: str = "", attachments: tuple[str, ...] = (), ip: str = "192.0.2.55",
                    notified: int = 0, age_seconds: int = 0) -> int:
    """What Rspamd's quarantine hook writes for one held message; returns its id."""
    qid = hashlib.sha1(f"{rcpt}{subject}{time.time_ns()}".encode()).hexdigest()[:10].upper()
    msg = _message(sender, rcpt, subject, body or "Hello,\n\nplease see below.\n", attachments)
    created = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() - age_seconds))
    cur = conn.execute(
        "INSERT INTO quarantine (qid, subject, score, ip, action, symbols, fuzzy_hashes, "
        "sender, rcpt, msg, domain, notified, created, user, qhash) "
        "VALUES (?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?)",
        (qid, subject, score, ip, action, json.dumps(symbols or []), sender, rcpt, msg,
         rcpt.rpartition("@")[2], notified, created, rcpt,
         hashlib.sha256(f"{qid}{rcpt}".encode()).hexdigest()))
    return int(cur.lastrowid)


def _message(sender: str, rcpt: str, subject: str, body: str,
             attachments: tuple[str, ...]) -> str:
    head = (f"Return-Path: <{sender}>\nReceived: from mx.bad.test (mx.bad.test [192.0.2.55])\n"
            f"From: {sender}\nTo: {rcpt}\nSubject: {subject}\n"
            "Date: Sat, 21 Nov 2026 23:49:11 +0000\nMessage-ID: <"
            f"{hashlib.md5(subject.encode()).hexdigest()}@bad.test>\nMIME-Version: 1.0\n")
    if not attachments:
        return head + "Content-Type: text/plain; charset=utf-8\n\n" + body
    parts = [head + 'Content-Type: multipart/mixed; boundary="qbound"\n\n--qbound\n'
             "Content-Type: text/plain; charset=utf-8\n\n" + body]
    for name in attachments:
        parts.append(f"--qbound\nContent-Type: application/octet-stream; name=\"{name}\"\n"
                     f"Content-Disposition: attachment; filename=\"{name}\"\n"
                     "Content-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA//8AALgAAAAA\n")
    return "\n".join(parts) + "--qbound--\n"


def _symbol(name: str, score: float, description: str = "", options: tuple = ()) -> dict:
    return {"name": name, "score": score, "metric_score": score, "description": description,
            "options": list(options)}


DEMO_ITEMS = (
    ("alice.smith@example.org", "offers@cheap-meds.test", "Your order is ready", 18.7,
     "reject", [_symbol("BAYES_SPAM", 5.1, "Message probably spam, probability: 99.9%"),
                _symbol("RBL_SPAMHAUS_XBL", 4.0, "From address is listed in Spamhaus XBL"),
                _symbol("MISSING_MID", 2.5, "Message-ID header is missing")], (), 0),
    ("alice.smith@example.org", "invoice@billing-secure.test", "Invoice 2026-11 overdue", 25.0,
     "reject", [_symbol("CLAM_VIRUS", 20.0, "ClamAV found a virus", ("Win.Trojan.Agent-1",)),
                _symbol("VIRUS_FOUND", 0.0)], ("invoice.pdf.exe",), 1),
    ("bob.jones@example.org", "newsletter@deals.test", "Last chance: 80% off", 9.3,
     "add_header", [_symbol("BAYES_SPAM", 3.9, "Message probably spam"),
                    _symbol("FORGED_SENDER", 0.3, "Sender is forged")], (), 0),
    ("carol.garcia@example.org", "hr@partner.example", "Updated contract", 7.2,
     "add_header", [_symbol("FUZZY_DENIED", 3.0, "Fuzzy hash matched"),
                    _symbol("R_SPF_SOFTFAIL", 0.0, "SPF soft fail")], ("contract.docx",), 1),
    ("frank.wilson@example.net", "ceo@examp1e.net", "Urgent wire transfer", 15.5,
     "reject", [_symbol("PHISHING", 6.0, "Phished URL"),
                _symbol("FROM_NEQ_ENVFROM", 0.5, "From differs from envelope sender")], (), 0),
    ("grace.moore@example.net", "noreply@parcel-track.test", "Delivery attempt failed", 12.0,
     "reject", [_symbol("VIRUS_FOUND", 0.0), _symbol("CLAM_VIRUS", 10.0, "ClamAV found a virus",
                                                      ("Doc.Dropper.Agent",))],
     ("label.zip",), 0),
    ("ivan.clark@demo.test", "promo@lottery.test", "You have won!", 11.4,
     "reject", [_symbol("BAYES_SPAM", 5.1, "Message probably spam")], (), 1),
)


def seed_demo(conn: sqlite3.Connection) -> None:
    """A few held messages across the demo domains; Postfix and Rspamd up."""
    set_service(conn, "postfix", True)
    set_service(conn, "rspamd", True)
    if conn.execute("SELECT 1 FROM quarantine").fetchone():
        return
    for n, (rcpt, sender, subject, score, action, symbols, files, notified) in \
            enumerate(DEMO_ITEMS):
        quarantine_mail(conn, rcpt, sender, subject, score, action, symbols,
                        attachments=files, notified=notified, age_seconds=3600 * (n * 5 + 1))


ADD: dict = {}
EDIT = {"qitem": ("id", edit), "quarantine": (None, edit)}
DELETE = {"qitem": ("id", None, delete)}
GET = {"quarantine": _get}
