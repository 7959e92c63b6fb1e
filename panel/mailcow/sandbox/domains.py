"""Domains: add, edit, delete, tags, and the details object `get/domain` answers."""
from __future__ import annotations

import sqlite3
from typing import Any

from . import dkim, ratelimits
from .access import domain_access, domain_exists
from .php import (
    MIB,
    as_array,
    empty,
    htmlspecialchars,
    idn_to_ascii,
    intval,
    is_valid_domain_name,
    isset,
    isset_has_content,
    listed,
    php_round,
    trim,
)
from .report import Call, mailbox_log, masked
from .store import chunks, marks, now

TAGGING_LIMIT = 25
# The Default domain template of a fresh Mailcow.
DEFAULTS = {"aliases": 400, "mailboxes": 10, "defquota": 3072, "maxquota": 10240,
            "quota": 10240, "active": 1, "gal": 1, "backupmx": 0,
            "relay_all_recipients": 0, "relay_unknown_only": 0, "rl_value": "", "rl_frame": "s",
            "key_size": 2048, "dkim_selector": "dkim"}


def names(call: Call, tags: list[str] | None = None) -> list[str]:
    """mailbox('get', 'domains'): every domain, or those with a tag LIKE one given."""
    if not call.admin:
        return []
    if tags:
        union = " UNION ".join(["SELECT domain FROM tags_domain WHERE tag_name LIKE ?"] * len(tags))
        rows = call.conn.execute(f"SELECT domain FROM ({union}) ORDER BY domain",
                                 [f"%{t}%" for t in tags])
    else:
        rows = call.conn.execute("SELECT domain FROM domain ORDER BY domain")
    return [row["domain"] for row in rows]


def _human(domain: str) -> str:
    try:
        return domain.encode("ascii").decode("idna")
    except UnicodeError:
        return domain


def details_many(conn: sqlite3.Connection, domains: list[str]) -> list[dict]:
    """domain_details for existing domains, in the order given, computed in a few queries."""
    rows: dict[str, sqlite3.Row] = {}
    boxes: dict[str, tuple[int, int]] = {}
    usage: dict[str, tuple[int, int]] = {}
    alias_counts: dict[str, int] = {}
    tags: dict[str, list[str]] = {}
    for batch in chunks(domains, 400):
        q = marks(batch)
        for r in conn.execute(f"SELECT * FROM domain WHERE domain IN ({q})", batch):
            rows[r["domain"].lower()] = r
        for r in conn.execute(
                f"SELECT domain, COUNT(*) AS n, COALESCE(SUM(quota), 0) AS q FROM mailbox"
                f" WHERE kind = '' AND domain IN ({q}) GROUP BY domain", batch):
            boxes[r["domain"].lower()] = (r["n"], r["q"])
        for r in conn.execute(
                f"SELECT m.domain, SUM(q.bytes) AS b, SUM(q.messages) AS n FROM mailbox m"
                f" JOIN quota2 q ON q.username = m.username WHERE m.domain IN ({q})"
                f" GROUP BY m.domain", batch):
            usage[r["domain"].lower()] = (r["b"], r["n"])
        # Aliases of the domain and of its alias domains, without mailbox self-aliases.
        for r in conn.execute(
                f"SELECT COALESCE(ad.target_domain, a.domain) AS d, COUNT(*) AS n FROM alias a"
                f" LEFT JOIN alias_domain ad ON ad.alias_domain = a.domain"
                f" WHERE a.address != a.goto AND (a.domain IN ({q}) OR ad.target_domain IN ({q}))"
                f" GROUP BY 1", batch + batch):
            alias_counts[r["d"].lower()] = alias_counts.get(r["d"].lower(), 0) + r["n"]
        for r in conn.execute(
                f"SELECT domain, tag_name FROM tags_domain WHERE domain IN ({q})"
                f" ORDER BY tag_name", batch):
            tags.setdefault(r["domain"].lower(), []).append(r["tag_name"])
    limits = ratelimits.values(conn, [r["domain"] for r in rows.values()])
    out = []
    for wanted in domains:
        row = rows.get(wanted.lower())
        if row is None:
            continue
        key = wanted.lower()
        count, in_use = boxes.get(key, (0, 0))
        stored, messages = usage.get(key, (None, None))
        aliases = alias_counts.get(key, 0)
        max_new = min(row["quota"] * MIB - in_use, row["maxquota"] * MIB)
        item = {
            "max_new_mailbox_quota": max_new,
            "def_new_mailbox_quota": min(max_new, row["defquota"] * MIB),
            # SUM() comes back from MariaDB as a DECIMAL, which PDO hands over as a string.
            "quota_used_in_domain": str(in_use),
            "bytes_total": str(stored) if stored else 0,
            "msgs_total": str(messages) if messages else 0,
            "mboxes_in_domain": count,
            "mboxes_left": row["mailboxes"] - count,
            "domain_name": row["domain"],
            "domain_h_name": _human(row["domain"]),
            "description": row["description"],
            "max_num_aliases_for_domain": row["aliases"],
            "max_num_mboxes_for_domain": row["mailboxes"],
            "def_quota_for_mbox": row["defquota"] * MIB,
            "max_quota_for_mbox": row["maxquota"] * MIB,
            "max_quota_for_domain": row["quota"] * MIB,
            "relayhost": row["relayhost"],
            "backupmx": row["backupmx"],
            "backupmx_int": row["backupmx"],
            "gal": row["gal"],
            "gal_int": row["gal"],
            "rl": limits.get(row["domain"], False),
            "active": row["active"],
            "active_int": row["active"],
            "relay_all_recipients": row["relay_all_recipients"],
            "relay_all_recipients_int": row["relay_all_recipients"],
            "relay_unknown_only": row["relay_unknown_only"],
            "relay_unknown_only_int": row["relay_unknown_only"],
            "created": row["created"],
            "modified": row["modified"],
            "aliases_in_domain": aliases,
            "aliases_left": row["aliases"] - aliases,
            "domain_admins": "-",
        }
        if key in tags:
            item["tags"] = tags[key]
        out.append(item)
    return out


def details(call: Call, name: Any) -> dict | None:
    """get/domain/{name}: an alias domain answers with its target domain's details."""
    domain = idn_to_ascii(trim(name))
    if not domain_access(call, domain):
        return None
    target = call.conn.execute("SELECT target_domain FROM alias_domain WHERE alias_domain = ?",
                               (domain,)).fetchone()
    found = details_many(call.conn, [target["target_domain"] if target else domain])
    return found[0] if found else None


def _save_tags(call: Call, log: list, domain: str, tags: list) -> None:
    for index, tag in enumerate(tags):
        if empty(tag):
            continue
        if index > TAGGING_LIMIT:
            call.warning(log, ["tag_limit_exceeded", f"limit {TAGGING_LIMIT}"])
            break
        call.conn.execute("INSERT OR IGNORE INTO tags_domain (domain, tag_name) VALUES (?, ?)",
                          (domain, str(tag)))


def _int_or(data: dict, key: str, fallback: Any) -> Any:
    return intval(data[key]) if isset(data, key) else fallback


def _setting(data: dict, key: str) -> int:
    return _int_or(data, key, DEFAULTS[key])


def add(call: Call, data: dict) -> bool:
    log = mailbox_log("add", "domain", masked(data))
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    domain = idn_to_ascii(trim(data.get("domain")))
    description = data.get("description")
    if empty(description):
        description = domain
    tags = as_array(data["tags"]) if isset(data, "tags") else []
    aliases, mailboxes = _setting(data, "aliases"), _setting(data, "mailboxes")
    defquota, maxquota, quota = (_setting(data, "defquota"), _setting(data, "maxquota"),
                                 _setting(data, "quota"))
    for failed, msg in ((defquota > maxquota, "mailbox_defquota_exceeds_mailbox_maxquota"),
                        (maxquota > quota, "mailbox_quota_exceeds_domain_quota"),
                        (defquota == 0, "defquota_empty"),
                        (maxquota == 0, "maxquota_empty")):
        if failed:
            call.danger(log, msg)
            return False
    flags = {k: _setting(data, k) for k in ("active", "relay_all_recipients",
                                             "relay_unknown_only", "backupmx", "gal")}
    if flags["relay_all_recipients"] == 1:
        flags["backupmx"] = 1
    if flags["relay_unknown_only"] == 1:
        flags["backupmx"] = flags["relay_all_recipients"] = 1
    if not is_valid_domain_name(domain):
        call.danger(log, "domain_invalid")
        return False
    if domain_exists(call.conn, domain):
        call.danger(log, ["domain_exists", htmlspecialchars(domain)])
        return False
    call.conn.execute(
        "INSERT INTO domain (domain, description, aliases, mailboxes, defquota, maxquota, quota,"
        " backupmx, gal, active, relay_unknown_only, relay_all_recipients, created)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (domain, description, aliases, mailboxes, defquota, maxquota, quota, flags["backupmx"],
         flags["gal"], flags["active"], flags["relay_unknown_only"],
         flags["relay_all_recipients"], now()))
    _save_tags(call, log, domain, tags)
    rl_value = intval(data["rl_value"]) if isset(data, "rl_value") else DEFAULTS["rl_value"]
    rl_frame = data["rl_frame"] if isset(data, "rl_frame") else DEFAULTS["rl_frame"]
    if not empty(rl_value) and not empty(rl_frame):
        ratelimits.edit(call, "domain", {"rl_value": rl_value, "rl_frame": rl_frame,
                                         "object": domain})
    key_size = _setting(data, "key_size")
    selector = data["dkim_selector"] if isset(data, "dkim_selector") else DEFAULTS["dkim_selector"]
    if not empty(key_size) and not empty(selector):
        if dkim.exists(call, domain):
            call.success(log, "domain_add_dkim_available")
        else:
            dkim.add(call, {"key_size": key_size, "dkim_selector": selector, "domains": domain})
    call.success(log, ["domain_added", htmlspecialchars(domain)])
    return True


def _in_use(call: Call, domain: str) -> tuple[int, str, str, int]:
    """(mailboxes, biggest mailbox MiB, MiB assigned, aliases) as domain edit checks them."""
    row = call.conn.execute(
        "SELECT COUNT(*) AS n, MAX(quota) AS biggest, COALESCE(SUM(quota), 0) AS total"
        " FROM mailbox WHERE kind = '' AND domain = ?", (domain,)).fetchone()
    aliases = call.conn.execute(
        "SELECT COUNT(*) FROM alias WHERE domain = ? AND address != goto", (domain,)).fetchone()[0]
    # ROUND() over DECIMALs: strings again.
    biggest = str(php_round(row["biggest"] / MIB)) if row["biggest"] is not None else None
    return row["n"], biggest, str(php_round(row["total"] / MIB)), aliases


def edit(call: Call, data: dict) -> bool:
    log = mailbox_log("edit", "domain", masked(data))
    for given in listed(data.get("domain")):
        domain = idn_to_ascii(given)
        if not is_valid_domain_name(domain):
            call.danger(log, "domain_invalid")
            continue
        if not call.admin:
            continue
        is_now = details(call, domain)
        if not is_now:
            call.danger(log, "domain_invalid")
            continue
        active = _int_or(data, "active", is_now["active"])
        backupmx = _int_or(data, "backupmx", is_now["backupmx"])
        gal = _int_or(data, "gal", is_now["gal"])
        relay_all = _int_or(data, "relay_all_recipients", is_now["relay_all_recipients"])
        relay_unknown = _int_or(data, "relay_unknown_only", is_now["relay_unknown_only"])
        relayhost = _int_or(data, "relayhost", is_now["relayhost"])
        aliases = (intval(data["aliases"]) if not empty(data.get("aliases"))
                   else is_now["max_num_aliases_for_domain"])
        mailboxes = (intval(data["mailboxes"]) if isset_has_content(data.get("mailboxes"))
                     else is_now["max_num_mboxes_for_domain"])
        defquota = (intval(data["defquota"]) if isset_has_content(data.get("defquota"))
                    else is_now["def_quota_for_mbox"] // MIB)
        maxquota = (intval(data["maxquota"]) if not empty(data.get("maxquota"))
                    else is_now["max_quota_for_mbox"] // MIB)
        quota = (intval(data["quota"]) if not empty(data.get("quota"))
                 else is_now["max_quota_for_domain"] // MIB)
        description = (data["description"] if not empty(data.get("description"))
                       else is_now["description"])
        tags = data["tags"] if isinstance(data.get("tags"), list) else []
        if relay_all == 1:
            backupmx = 1
        if relay_unknown == 1:
            backupmx = relay_all = 1
        count, biggest, assigned, alias_count = _in_use(call, domain)
        failure = None
        if defquota > maxquota:
            failure = "mailbox_defquota_exceeds_mailbox_maxquota"
        elif defquota == 0:
            failure = "defquota_empty"
        elif maxquota > quota:
            failure = "mailbox_quota_exceeds_domain_quota"
        elif maxquota == 0:
            failure = "maxquota_empty"
        elif biggest is not None and int(biggest) > maxquota:
            failure = ["max_quota_in_use", biggest]
        elif int(assigned) > quota:
            failure = ["domain_quota_m_in_use", assigned]
        elif count > mailboxes:
            failure = ["mailboxes_in_use", count]
        elif alias_count > aliases:
            failure = ["aliases_in_use", alias_count]
        if failure:
            call.danger(log, failure)
            continue
        call.conn.execute(
            "UPDATE domain SET relay_all_recipients = ?, relay_unknown_only = ?, backupmx = ?,"
            " gal = ?, active = ?, quota = ?, defquota = ?, maxquota = ?, relayhost = ?,"
            " mailboxes = ?, aliases = ?, description = ? WHERE domain = ?",
            (relay_all, relay_unknown, backupmx, gal, active, quota, defquota, maxquota,
             str(relayhost), mailboxes, aliases, description, domain))
        _save_tags(call, log, domain, tags)
        call.success(log, ["domain_modified", htmlspecialchars(domain)])
    return True


def delete(call: Call, data: dict) -> bool:
    log = mailbox_log("delete", "domain", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    for given in listed(data.get("domain")):
        if not is_valid_domain_name(given):
            call.danger(log, "domain_invalid")
            continue
        domain = idn_to_ascii(trim(given))
        if call.conn.execute("SELECT 1 FROM mailbox WHERE domain = ?", (domain,)).fetchone():
            call.danger(log, ["domain_not_empty", domain])
            continue
        # No dovecot container behind the recorded Mailcow: its garbage collector call fails.
        call.warning(log, "Could not move mail storage to garbage collector: ")
        like = "%@" + domain
        for sql, args in (("DELETE FROM domain WHERE domain = ?", (domain,)),
                          ("DELETE FROM tags_domain WHERE domain = ?", (domain,)),
                          ("DELETE FROM alias WHERE domain = ?", (domain,)),
                          ("DELETE FROM alias_domain WHERE target_domain = ?", (domain,)),
                          ("DELETE FROM sender_acl WHERE logged_in_as LIKE ?", (like,)),
                          ("DELETE FROM quota2 WHERE username LIKE ?", (like,))):
            call.conn.execute(sql, args)
        ratelimits.drop(call.conn, domain)
        call.success(log, ["domain_removed", htmlspecialchars(domain)])
    return True


def delete_tags(call: Call, data: dict) -> bool:
    """delete/domain/tag/{domain} with the tags as items."""
    log = mailbox_log("delete", "tags_domain", data)
    tags = data.get("tags") if isinstance(data.get("tags"), list) else []
    modified, domain = False, None
    for domain in listed(data.get("domain")):
        if not is_valid_domain_name(domain):
            call.danger(log, "domain_invalid")
            continue
        if not domain_access(call, domain):
            call.danger(log, "access_denied")
            return False
        for tag in tags:
            modified = True
            call.conn.execute("DELETE FROM tags_domain WHERE domain = ? AND tag_name = ?",
                              (domain, tag))
    if not modified:
        return False
    call.success(log, ["domain_modified", domain])
    return True
