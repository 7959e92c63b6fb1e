"""Mailcow's password policy (default: at least 6 characters) and its password_check."""
from __future__ import annotations

import base64
import hashlib
import re
import secrets
import sqlite3
from typing import Any

from .php import empty, intval, isset, php_string
from .report import Call

POLICY_KEYS = ("length", "chars", "special_chars", "lowerupper", "numbers")


def policy(conn: sqlite3.Connection) -> dict[str, str]:
    """get/passwordpolicy: the values are strings, as Redis hands them back."""
    rows = dict(conn.execute("SELECT name, value FROM setting WHERE name LIKE 'password_%'")
                .fetchall())
    return {key: rows.get(f"password_{key}", "0") for key in POLICY_KEYS}


def check(call: Call, password: Any, password2: Any) -> bool:
    """password_check(): reports one danger entry and answers False when it fails."""
    log = ["password_check", None, None]
    if empty(password) or empty(password2):
        call.danger(log, "password_complexity")
        return False
    if password != password2:
        call.danger(log, "password_mismatch")
        return False
    text = php_string(password)
    rules = {key: int(value) for key, value in policy(call.conn).items()}
    given = {
        "special_chars": bool(re.search(r"[^a-zA-Z\d]", text)),
        "chars": bool(re.search(r"[a-zA-Z]", text)),
        "numbers": bool(re.search(r"\d", text)),
        "lowerupper": bool(re.search(r"[a-z]", text)) and bool(re.search(r"[A-Z]", text)),
    }
    if len(text.encode("utf-8")) < rules["length"] or any(
            rules[key] == 1 and not given[key] for key in given):
        call.danger(log, "password_complexity")
        return False
    return True


def hashed(password: Any) -> str:
    """A dovecot-style {SSHA256} hash; nothing in the sandbox verifies it."""
    salt = secrets.token_hex(8).encode("ascii")
    digest = hashlib.sha256(php_string(password).encode("utf-8") + salt).digest()
    return "{SSHA256}" + base64.b64encode(digest + salt).decode("ascii")


# Mailcow's English texts for the policy help line (lang.en-gb.json, admin section).
POLICY_TEXTS = {
    "length": "Minimum password length is %d",
    "chars": "Must contain at least one alphabetic character",
    "special_chars": "Must contain special characters",
    "lowerupper": "Must contain lowercase and uppercase characters",
    "numbers": "Must contain at least one number",
}


def policy_html(conn: sqlite3.Connection) -> str:
    texts = [POLICY_TEXTS[key].replace("%d", value) for key, value in policy(conn).items()
             if intval(value) != 0]
    return '<p class="help-block small">- ' + "<br>- ".join(texts) + "</p>"


def edit(call: Call, data: dict) -> bool:
    """edit/passwordpolicy: a length below 3 is ignored, as Mailcow ignores it."""
    log = ["password_complexity", "edit", data]
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    current = policy(call.conn)
    chosen = {key: str(intval(data[key])) if isset(data, key) else current[key]
              for key in POLICY_KEYS}
    if not isset(data, "length") or intval(data["length"]) < 3:
        chosen["length"] = current["length"]
    call.conn.executemany("UPDATE setting SET value = ? WHERE name = ?",
                          [(value, f"password_{key}") for key, value in chosen.items()])
    call.success(log, "password_policy_saved")
    return True
