"""Alias domains: another name for a domain, with its own aliases, rate limit and DKIM key."""
from __future__ import annotations

from typing import Any

from . import dkim, ratelimits
from .access import domain_access
from .domains import details as domain_details
from .php import (
    empty,
    htmlspecialchars,
    idn_to_ascii,
    intval,
    is_valid_domain_name,
    isset,
    listed,
    php_string,
    split_list,
    trim,
)
from .report import Call, mailbox_log, masked
from .store import now


def names(call: Call) -> list[str]:
    if not call.admin:
        return []
    rows = call.conn.execute("SELECT alias_domain FROM alias_domain ORDER BY alias_domain")
    return [row["alias_domain"] for row in rows]


def details(call: Call, name: Any) -> dict | None:
    row = call.conn.execute(
        "SELECT a.*, d.backupmx FROM alias_domain a LEFT JOIN domain d"
        " ON d.domain = a.target_domain WHERE a.alias_domain = ?", (php_string(name),)).fetchone()
    if row is None or not domain_access(call, row["target_domain"]):
        return None
    return {
        "alias_domain": row["alias_domain"],
        "parent_is_backupmx": row["backupmx"],
        "target_domain": row["target_domain"],
        "active": row["active"],
        "active_int": row["active"],
        "rl": ratelimits.get(call, "domain", name),
        "created": row["created"],
        "modified": row["modified"],
    }


def add(call: Call, data: dict) -> bool:
    log = mailbox_log("add", "alias_domain", masked(data))
    active = intval(data.get("active"))
    wanted = [name for name in split_list(data.get("alias_domain")) if not empty(name)]
    target = idn_to_ascii(trim(data.get("target_domain")))
    if not call.admin:  # the alias_domains ACL, which every API key has
        call.danger(log, "access_denied")
        return False
    if not is_valid_domain_name(target):
        call.danger(log, "target_domain_invalid")
        return False
    if not domain_access(call, target):
        call.danger(log, "access_denied")
        return False
    for given in wanted:
        alias_domain = idn_to_ascii(trim(given))
        if not is_valid_domain_name(alias_domain):
            call.danger(log, ["alias_domain_invalid", htmlspecialchars(alias_domain)])
            continue
        if alias_domain == target:
            call.danger(log, ["aliasd_targetd_identical", htmlspecialchars(target)])
            continue
        target_row = call.conn.execute("SELECT backupmx FROM domain WHERE domain = ?",
                                       (target,)).fetchone()
        if target_row is None:
            call.danger(log, ["targetd_not_found", htmlspecialchars(target)])
            continue
        if target_row["backupmx"] == 1:
            call.danger(log, ["targetd_relay_domain", htmlspecialchars(target)])
            continue
        taken = call.conn.execute(
            "SELECT 1 FROM alias_domain WHERE alias_domain = ? UNION ALL "
            "SELECT 1 FROM domain WHERE domain = ?", (alias_domain, alias_domain)).fetchone()
        if taken:
            call.danger(log, ["alias_domain_invalid", alias_domain])
            continue
        call.conn.execute(
            "INSERT INTO alias_domain (alias_domain, target_domain, active, created)"
            " VALUES (?, ?, ?, ?)", (alias_domain, target, active, now()))
        if not empty(intval(data.get("rl_value"))):
            ratelimits.edit(call, "domain", {"rl_value": data.get("rl_value"),
                                             "rl_frame": data.get("rl_frame"),
                                             "object": alias_domain})
        if not empty(data.get("key_size")) and not empty(data.get("dkim_selector")):
            if dkim.exists(call, alias_domain):
                call.success(log, "domain_add_dkim_available")
            else:
                dkim.add(call, {"key_size": data["key_size"],
                                "dkim_selector": data["dkim_selector"], "domains": alias_domain})
        call.success(log, ["aliasd_added", htmlspecialchars(alias_domain)])
    return True


def edit(call: Call, data: dict) -> bool:
    log = mailbox_log("edit", "alias_domain", masked(data))
    for given in listed(data.get("alias_domain")):
        alias_domain = idn_to_ascii(trim(given))
        is_now = details(call, alias_domain)
        if not is_now:
            call.danger(log, ["alias_domain_invalid", htmlspecialchars(alias_domain)])
            continue
        active = intval(data["active"]) if isset(data, "active") else is_now["active"]
        target = (idn_to_ascii(trim(data["target_domain"])) if not empty(data.get("target_domain"))
                  else is_now["target_domain"])
        if not is_valid_domain_name(target):
            call.danger(log, ["target_domain_invalid", htmlspecialchars(target)])
            continue
        if not domain_access(call, target):
            call.danger(log, "access_denied")
            continue
        if not domain_details(call, target) or details(call, target):
            call.danger(log, ["target_domain_invalid", htmlspecialchars(target)])
            continue
        call.conn.execute(
            "UPDATE alias_domain SET target_domain = ?, active = ? WHERE alias_domain = ?",
            (target, active, alias_domain))
        call.success(log, ["aliasd_modified", htmlspecialchars(alias_domain)])
    return True


def delete(call: Call, data: dict) -> bool:
    log = mailbox_log("delete", "alias_domain", data)
    for alias_domain in listed(data.get("alias_domain")):
        if not is_valid_domain_name(alias_domain):
            call.danger(log, "domain_invalid")
            continue
        row = call.conn.execute("SELECT target_domain FROM alias_domain WHERE alias_domain = ?",
                                (alias_domain,)).fetchone()
        if row is None or not domain_access(call, row["target_domain"]):
            call.danger(log, "access_denied")
            continue
        call.conn.execute("DELETE FROM alias_domain WHERE alias_domain = ?", (alias_domain,))
        call.conn.execute("DELETE FROM alias WHERE domain = ?", (alias_domain,))
        call.success(log, ["alias_domain_removed", htmlspecialchars(alias_domain)])
    return True
