"""Aliases: add, edit, delete and the `get/alias` object (mailbox self-aliases stay hidden)."""
from __future__ import annotations

import sqlite3
from typing import Any

from .access import domain_access
from .domains import details as domain_details
from .php import (
    after_at,
    before_at,
    empty,
    htmlspecialchars,
    idn_to_ascii,
    intval,
    is_email,
    isset,
    listed,
    php_string,
    split_list,
)
from .report import Call, mailbox_log, masked
from .store import now

SPECIAL_GOTOS = (("goto_null", "null@localhost"), ("goto_spam", "spam@localhost"),
                 ("goto_ham", "ham@localhost"))
_SELECT = ("SELECT a.*, ad.target_domain FROM alias a"
           " LEFT JOIN alias_domain ad ON ad.alias_domain = a.domain")


def _item(row: sqlite3.Row) -> dict:
    return {
        "in_primary_domain": row["target_domain"] or "",
        "id": row["id"],
        "domain": row["domain"],
        "public_comment": row["public_comment"],
        "private_comment": row["private_comment"],
        "goto": row["goto"],
        "address": row["address"],
        "is_catch_all": 0 if is_email(row["address"]) else 1,
        "internal": row["internal"],
        "active": row["active"],
        "active_int": row["active"],
        "sogo_visible": row["sogo_visible"],
        "sogo_visible_int": row["sogo_visible"],
        "sender_allowed": row["sender_allowed"],
        "created": row["created"],
        "modified": row["modified"],
    }


def in_domains(call: Call, domains: list[str]) -> list[dict]:
    """get/alias/all[/d1,d2]: domain by domain as listed, each in id order."""
    out = []
    for domain in domains:
        if domain_access(call, domain):
            rows = call.conn.execute(f"{_SELECT} WHERE a.address != a.goto AND a.domain = ?"
                                     " ORDER BY a.id", (domain,))
            out.extend(_item(row) for row in rows)
    return out


def details(call: Call, key: Any) -> dict | None:
    """An alias by id or by address, as Mailcow's `id = :x OR address = :x` finds it."""
    row = call.conn.execute(f"{_SELECT} WHERE (a.id = ? OR a.address = ?) AND a.address != a.goto"
                            " ORDER BY a.id LIMIT 1", (intval(key), php_string(key))).fetchone()
    if row is None or not domain_access(call, row["domain"]):
        return None
    return _item(row)


def _taken(call: Call, address: str, local_part: str, domain: str) -> bool:
    """An alias already, or a mailbox reached through an alias domain."""
    return call.conn.execute(
        "SELECT 1 FROM alias WHERE address = ? UNION ALL SELECT 1 FROM mailbox m"
        " JOIN alias_domain ad ON m.username = ? || '@' || ad.target_domain"
        " WHERE ad.alias_domain = ?", (address, local_part, domain)).fetchone() is not None


def _domain_known(call: Call, domain: str) -> bool:
    return call.conn.execute(
        "SELECT 1 FROM domain WHERE domain = ? OR domain ="
        " (SELECT target_domain FROM alias_domain WHERE alias_domain = ?)",
        (domain, domain)).fetchone() is not None


def _special_goto(data: dict) -> str | None:
    for key, goto in SPECIAL_GOTOS:
        if intval(data.get(key)) == 1:
            return goto
    return None


def add(call: Call, data: dict) -> bool:
    log = mailbox_log("add", "alias", masked(data))
    addresses = split_list(data.get("address"))
    gotos = split_list(data.get("goto"))
    private_comment, public_comment = data.get("private_comment"), data.get("public_comment")
    if (len(php_string(private_comment).encode()) > 160
            or len(php_string(public_comment).encode()) > 160):
        call.danger(log, "comment_too_long")
        return False
    if empty(addresses[0]):
        call.danger(log, "alias_empty")
        return False
    special = _special_goto(data)
    if empty(gotos[0]) and special is None:
        call.danger(log, "goto_empty")
        return False
    if special is None:
        kept: list[str] = []
        for goto in gotos:
            if empty(goto):
                continue
            goto = f"{before_at(goto)}@{idn_to_ascii(after_at(goto))}"
            if not is_email(goto):
                call.danger(log, ["goto_invalid", htmlspecialchars(goto)])
                continue
            if goto not in kept:
                kept.append(goto)
        if not kept:
            return False
        gotos, goto_value = kept, ",".join(kept)
    else:
        goto_value = special
    for address in addresses:
        if empty(address) or address in gotos:
            continue
        domain = idn_to_ascii(after_at(address))
        local_part = before_at(address)
        address = f"{local_part}@{domain}"
        domain_data = domain_details(call, domain)
        if domain_data and domain_data["aliases_left"] == 0:
            call.danger(log, "max_alias_exceeded")
            return False
        if _taken(call, address, local_part, domain):
            call.danger(log, ["is_alias_or_mailbox", htmlspecialchars(address)])
            continue
        if not _domain_known(call, domain):
            call.danger(log, ["domain_not_found", htmlspecialchars(domain)])
            continue
        if not is_email(address) and not empty(local_part):
            call.danger(log, ["alias_invalid", address])
            continue
        if not domain_access(call, domain):
            call.danger(log, "access_denied")
            continue
        cursor = call.conn.execute(
            "INSERT INTO alias (address, public_comment, private_comment, goto, domain,"
            " sogo_visible, internal, sender_allowed, active, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (address if is_email(address) else "@" + domain, public_comment, private_comment,
             goto_value, domain, intval(data.get("sogo_visible")), intval(data.get("internal")),
             intval(data.get("sender_allowed")), intval(data.get("active")), now()))
        call.success(log, ["alias_added", address, str(cursor.lastrowid)])
    return True


def edit(call: Call, data: dict) -> bool:
    log = mailbox_log("edit", "alias", masked(data))
    address = None  # PHP reuses the previous item's $address in the not-found message
    for key in listed(data.get("id")):
        is_now = details(call, key)
        if not is_now:
            call.danger(log, ["alias_invalid", address])
            continue
        active, sogo_visible, internal = (
            intval(data[name]) if isset(data, name) else is_now[name]
            for name in ("active", "sogo_visible", "internal"))
        public_comment = (data["public_comment"] if isset(data, "public_comment")
                          else is_now["public_comment"])
        private_comment = (data["private_comment"] if isset(data, "private_comment")
                           else is_now["private_comment"])
        goto = data["goto"] if not empty(data.get("goto")) else is_now["goto"]
        address = (php_string(data["address"]) if not empty(data.get("address"))
                   else is_now["address"])
        domain = idn_to_ascii(after_at(address))
        if is_now["address"] != address:
            local_part = before_at(address)
            address = f"{local_part}@{domain}"
            if not domain_access(call, domain):
                call.danger(log, "access_denied")
                continue
            if not is_email(address) and not empty(local_part):
                call.danger(log, ["alias_invalid", address])
                continue
            if (is_now["address"].lower() != address.lower()
                    and _taken(call, address, local_part, domain)):
                call.danger(log, ["is_alias_or_mailbox", htmlspecialchars(address)])
                continue
            if not _domain_known(call, domain):
                call.danger(log, ["domain_not_found", htmlspecialchars(domain)])
                continue
        special = _special_goto(data)
        if special is None:
            kept: list[str] = []
            for target in split_list(goto):
                if empty(target):
                    continue
                if not is_email(target):
                    call.danger(log, ["goto_invalid", target])
                    continue
                if target == address:
                    call.danger(log, "alias_goto_identical")
                    continue
                call.conn.execute("DELETE FROM sender_acl WHERE logged_in_as = ? AND send_as = ?",
                                  (target, address))
                if target not in kept:
                    kept.append(target)
            goto = ",".join(kept)
        else:
            goto = special
        if not empty(goto):
            call.conn.execute(
                "UPDATE alias SET address = ?, public_comment = ?, private_comment = ?, domain = ?,"
                " goto = ?, sogo_visible = ?, internal = ?, active = ? WHERE id = ?",
                (address, public_comment, private_comment, domain, goto, sogo_visible, internal,
                 active, is_now["id"]))
        call.success(log, ["alias_modified", htmlspecialchars(address)])
    return True


def delete(call: Call, data: dict) -> bool:
    log = mailbox_log("delete", "alias", data)
    for key in listed(data.get("id")):
        alias = details(call, key)
        if not alias:
            call.danger(log, "access_denied")
            continue
        call.conn.execute("DELETE FROM alias WHERE id = ?", (alias["id"],))
        call.conn.execute("DELETE FROM sender_acl WHERE send_as = ?", (alias["address"],))
        call.success(log, ["alias_removed", htmlspecialchars(alias["address"])])
    return True
