"""Mailcow's hasDomainAccess / hasMailboxObjectAccess for the only role an API key has."""
from __future__ import annotations

import sqlite3
from typing import Any

from .php import is_valid_domain_name
from .report import Call


def domain_exists(conn: sqlite3.Connection, domain: str) -> bool:
    """A name in use as a domain or as an alias domain."""
    row = conn.execute("SELECT 1 FROM domain WHERE domain = ? UNION ALL "
                       "SELECT 1 FROM alias_domain WHERE alias_domain = ?", (domain, domain))
    return row.fetchone() is not None


def domain_access(call: Call, domain: Any) -> bool:
    """An admin may touch a domain that exists, as a domain or as an alias domain."""
    return call.admin and is_valid_domain_name(domain) and domain_exists(call.conn, domain)


def mailbox_access(call: Call, username: Any) -> bool:
    if not call.admin or not username or not isinstance(username, str):
        return False
    row = call.conn.execute("SELECT domain FROM mailbox WHERE username = ?",
                            (username,)).fetchone()
    return row is not None and domain_access(call, row["domain"])
