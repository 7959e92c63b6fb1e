"""Mailboxes: add, edit, delete, tags, custom attributes and the `get/mailbox` object."""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from . import passwords, ratelimits, sender_acl
from .access import domain_access, mailbox_access
from .php import (
    MIB,
    PhpFatal,
    as_array,
    empty,
    htmlspecialchars,
    idn_to_ascii,
    intval,
    is_email,
    is_valid_domain_name,
    isset,
    isset_has_content,
    listed,
    php_round,
    php_string,
    trim,
)
from .report import Call, mailbox_log, masked
from .store import chunks, marks, now

TAGGING_LIMIT = 25
AUTHSOURCES = ("mailcow", "keycloak", "generic-oidc")
# Attribute order and defaults of a mailbox made from the Default template.
ATTRIBUTES = (("force_pw_update", "0"), ("force_tfa", "0"), ("tls_enforce_in", "0"),
              ("tls_enforce_out", "0"), ("sogo_access", "1"), ("imap_access", "1"),
              ("pop3_access", "1"), ("smtp_access", "1"), ("sieve_access", "1"),
              ("eas_access", "1"), ("dav_access", "1"), ("relayhost", "0"),
              ("passwd_update", None), ("mailbox_format", "maildir:"),
              ("quarantine_notification", "hourly"), ("quarantine_category", "reject"),
              ("attribute_hash", ""))
# What mailbox edit may change, all stored as "0"/"1" strings.
EDITABLE = ("force_pw_update", "force_tfa", "sogo_access", "imap_access", "pop3_access",
            "smtp_access", "sieve_access", "eas_access", "dav_access", "relayhost")
PROTOCOLS = ("imap", "pop3", "smtp", "sieve")


def usernames(call: Call, domain: Any = None, tags: list[str] | None = None) -> list[str]:
    """mailbox('get', 'mailboxes', domain, tags), quirks included.

    With tags, usernames merely *containing* the domain match. With a domain the caller
    may not see (say, one that does not exist), Mailcow falls through to every mailbox.
    """
    if tags and domain is not None:
        union = " UNION ".join(["SELECT username FROM tags_mailbox WHERE username LIKE ?"
                                " AND tag_name LIKE ?"] * len(tags))
        params = [p for tag in tags for p in (f"%{domain}%", f"%{tag}%")]
        rows = call.conn.execute(f"SELECT username FROM ({union}) ORDER BY username", params)
        return [r["username"] for r in rows
                if domain_access(call, r["username"].split("@", 1)[-1])]
    if domain is not None and domain_access(call, domain):
        rows = call.conn.execute("SELECT username FROM mailbox WHERE kind = '' AND domain = ?"
                                 " ORDER BY username", (domain,))
    elif call.admin:
        rows = call.conn.execute("SELECT username FROM mailbox WHERE kind = '' ORDER BY username")
    else:
        return []
    return [r["username"] for r in rows]


def _percent(used: int, quota: int) -> tuple[Any, str]:
    if quota == 0:
        return "- ", "info"
    percent = php_round(used / quota * 100)
    return percent, "danger" if percent >= 90 else "warning" if percent >= 75 else "success"


def details_many(conn: sqlite3.Connection, names: list[str], reduced: bool = False) -> list[dict]:
    """mailbox_details for existing mailboxes, in the order given."""
    rows: dict[str, sqlite3.Row] = {}
    logins: dict[str, dict[str, int]] = {}
    tags: dict[str, list[str]] = {}
    acls: dict[str, list[str]] = {}
    for batch in chunks(names, 400):
        q = marks(batch)
        for r in conn.execute(
                "SELECT m.*, q.bytes, q.messages, d.backupmx, d.quota AS domain_quota,"
                " d.maxquota AS domain_maxquota FROM mailbox m"
                " JOIN quota2 q ON q.username = m.username JOIN domain d ON d.domain = m.domain"
                f" WHERE m.kind = '' AND m.username IN ({q})", batch):
            rows[r["username"].lower()] = r
        for r in conn.execute(f"SELECT username, service, MAX(datetime) AS at FROM sasl_log"
                              f" WHERE username IN ({q}) GROUP BY username, service", batch):
            logins.setdefault(r["username"].lower(), {})[r["service"]] = r["at"]
        for r in conn.execute(f"SELECT username, tag_name FROM tags_mailbox"
                              f" WHERE username IN ({q}) ORDER BY tag_name", batch):
            tags.setdefault(r["username"].lower(), []).append(r["tag_name"])
        if not reduced:
            for r in conn.execute(f"SELECT logged_in_as, send_as FROM sender_acl WHERE external = 0"
                                  f" AND logged_in_as IN ({q}) ORDER BY id", batch):
                acls.setdefault(r["logged_in_as"].lower(), []).append(r["send_as"])
    in_use: dict[str, int] = {}
    limits: dict[str, dict] = {}
    if not reduced:
        domains = sorted({r["domain"] for r in rows.values()})
        for batch in chunks(domains):
            for r in conn.execute(
                    f"SELECT domain, SUM(quota) AS q FROM mailbox WHERE kind = ''"
                    f" AND domain IN ({marks(batch)}) GROUP BY domain", batch):
                in_use[r["domain"].lower()] = r["q"]
        limits = ratelimits.values(conn, [r["username"] for r in rows.values()] + domains)
    out = []
    for wanted in names:
        row = rows.get(wanted.lower())
        if row is None:
            continue
        used = intval(row["bytes"])
        percent, percent_class = _percent(used, row["quota"])
        seen = logins.get(wanted.lower(), {})
        item = {
            "username": row["username"],
            "active": row["active"],
            "active_int": row["active"],
            "domain": row["domain"],
            "name": row["name"],
            "local_part": row["local_part"],
            "quota": row["quota"],
            "messages": row["messages"],
            "attributes": json.loads(row["attributes"]),
            "custom_attributes": json.loads(row["custom_attributes"]),
            "quota_used": used,
            "percent_in_use": percent,
            "created": row["created"],
            "modified": row["modified"],
            "authsource": row["authsource"] or "mailcow",
            "percent_class": percent_class,
            "last_imap_login": seen.get("imap", 0),
            "last_smtp_login": seen.get("smtp", 0),
            "last_pop3_login": seen.get("pop3", 0),
            "last_sso_login": seen.get("SSO", 0),
        }
        if not reduced:
            others = in_use.get(row["domain"].lower(), 0) - row["quota"]
            item["max_new_quota"] = min(row["domain_quota"] * MIB - others,
                                        row["domain_maxquota"] * MIB)
            item["spam_aliases"] = 0
            item["pushover_active"] = 0
            own = limits.get(row["username"])
            item["rl"] = own or limits.get(row["domain"], False)
            item["rl_scope"] = "mailbox" if own else "domain"
            item["is_relayed"] = row["backupmx"]
            item["sender_acl"] = acls.get(wanted.lower(), [])
        if wanted.lower() in tags:
            item["tags"] = tags[wanted.lower()]
        out.append(item)
    return out


def details(call: Call, username: Any, reduced: bool = False) -> dict | None:
    if not mailbox_access(call, username):
        return None
    found = details_many(call.conn, [username], reduced)
    return found[0] if found else None


def _name(value: Any) -> str:
    return php_string(value).rstrip(">").lstrip("<")


def _save_tags(call: Call, log: list, username: str, tags: Any) -> None:
    if not isinstance(tags, list):
        return
    for index, tag in enumerate(tags):
        if empty(tag):
            continue
        if index > TAGGING_LIMIT:
            call.warning(log, ["tag_limit_exceeded", f"limit {TAGGING_LIMIT}"])
            break
        call.conn.execute("INSERT OR IGNORE INTO tags_mailbox (username, tag_name) VALUES (?, ?)",
                          (username, php_string(tag)))


def _with_protocols(data: dict) -> dict:
    """`protocol_access: ["imap", ...]` stands for the four *_access flags."""
    if not isset(data, "protocol_access"):
        return data
    chosen = as_array(data["protocol_access"])
    return {**data, **{f"{p}_access": int(p in chosen) for p in PROTOCOLS}}


def add(call: Call, data: dict) -> bool:
    log = mailbox_log("add", "mailbox", masked(data))
    local_part = trim(data.get("local_part")).lower()
    domain = idn_to_ascii(trim(data.get("domain")))
    username = f"{local_part}@{domain}"
    if not is_email(username) or empty(data.get("local_part")):
        call.danger(log, "mailbox_invalid")
        return False
    authsource = data["authsource"] if data.get("authsource") in AUTHSOURCES else "mailcow"
    password, password2 = data.get("password"), data.get("password2")
    name = _name(data.get("name"))
    quota_m = intval(data["quota"]) if isset(data, "quota") else 0
    if not call.admin and quota_m == 0:  # only the unlimited_quota ACL allows 0
        call.danger(log, "unlimited_quota_acl")
        return False
    values = _with_protocols(data)
    attributes = {}
    for key, default in ATTRIBUTES:
        if key == "passwd_update":
            attributes[key] = now()
        elif key in ("quarantine_notification", "quarantine_category"):
            attributes[key] = php_string(values[key]) if isset(values, key) else default
        else:
            attributes[key] = str(intval(values[key])) if isset(values, key) else default
    if not is_valid_domain_name(domain):
        call.danger(log, "domain_invalid")
        return False
    if not domain_access(call, domain):
        call.danger(log, "access_denied")
        return False
    limits = call.conn.execute("SELECT mailboxes, maxquota, quota FROM domain WHERE domain = ?",
                               (domain,)).fetchone()
    usage = call.conn.execute(
        "SELECT COUNT(*) AS n, COALESCE(SUM(quota), 0) AS q FROM mailbox"
        " WHERE kind = '' AND domain = ?", (domain,)).fetchone()
    if call.conn.execute("SELECT 1 FROM mailbox WHERE local_part = ? AND domain = ?",
                         (local_part, domain)).fetchone():
        call.danger(log, ["object_exists", htmlspecialchars(username)])
        return False
    if call.conn.execute("SELECT 1 FROM alias WHERE address = ?", (username,)).fetchone():
        call.danger(log, ["is_alias", htmlspecialchars(username)])
        return False
    if limits is None:
        call.danger(log, ["domain_not_found", htmlspecialchars(domain)])
        return False
    if authsource == "mailcow" and not passwords.check(call, password, password2):
        return False
    assigned_m = php_round(usage["q"] / MIB)
    if usage["n"] >= limits["mailboxes"]:
        call.danger(log, ["max_mailbox_exceeded", usage["n"], limits["mailboxes"]])
        return False
    if quota_m > limits["maxquota"]:
        call.danger(log, ["mailbox_quota_exceeded", limits["maxquota"]])
        return False
    if assigned_m + quota_m > limits["quota"]:
        call.danger(log, ["mailbox_quota_left_exceeded", limits["quota"] - assigned_m])
        return False
    active = intval(data["active"]) if isset(data, "active") else 1
    stamp = now()
    call.conn.execute(
        "INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes,"
        " authsource, active, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (username, passwords.hashed(password) if authsource == "mailcow" else "", name,
         quota_m * MIB, local_part, domain, json.dumps(attributes), authsource, active, stamp,
         stamp))
    _save_tags(call, log, username, data.get("tags"))
    call.conn.execute("INSERT OR REPLACE INTO quota2 (username, bytes, messages) VALUES (?, 0, 0)",
                      (username,))
    # Every mailbox is also an alias of itself; get/alias leaves those out.
    call.conn.execute("INSERT INTO alias (address, goto, domain, active, created)"
                      " VALUES (?, ?, ?, ?, ?)", (username, username, domain, active, stamp))
    ratelimits.edit(call, "mailbox", {
        "object": username,
        "rl_frame": data["rl_frame"] if isset(data, "rl_frame") else "s",
        "rl_value": data["rl_value"] if isset(data, "rl_value") else ""})
    call.success(log, ["mailbox_added", htmlspecialchars(username)])
    return True


def edit(call: Call, data: dict) -> bool:
    log = mailbox_log("edit", "mailbox", masked(data))
    values = _with_protocols(data)
    for username in listed(data.get("username")):
        if not is_email(username):
            call.danger(log, ["username_invalid", username])
            continue
        is_now = details(call, username)
        if not is_now:
            call.danger(log, "access_denied")
            continue
        current = is_now["attributes"]
        active = intval(data["active"]) if isset(data, "active") else is_now["active"]
        flags = {key: str(intval(values[key])) if isset(values, key)
                 else str(intval(current.get(key))) for key in EDITABLE}
        quota_m = (intval(data["quota"]) if isset_has_content(data.get("quota"))
                   else is_now["quota"] // MIB)
        name = _name(data["name"]) if not empty(data.get("name")) else is_now["name"]
        password = data.get("password") if not empty(data.get("password")) else None
        password2 = data.get("password2") if not empty(data.get("password2")) else None
        if not domain_access(call, is_now["domain"]):
            call.danger(log, "access_denied")
            continue
        left = is_now["max_new_quota"]
        left_m = left // MIB if left % MIB == 0 else left / MIB
        if quota_m > left_m:
            call.danger(log, ["mailbox_quota_left_exceeded", left_m])
            continue
        if isset(data, "sender_acl"):
            sender_acl.save(call, log, username, data["sender_acl"])
        if password is not None:
            if not passwords.check(call, password, password2):
                continue
            current["passwd_update"] = now()
            call.conn.execute("UPDATE mailbox SET password = ? WHERE username = ?",
                              (passwords.hashed(password), username))
        current.update(flags)
        recovery = data.get("pw_recovery_email")
        current["recovery_email"] = ((recovery if is_email(recovery) else "")
                                     if recovery is not None else current.get("recovery_email"))
        call.conn.execute("UPDATE alias SET active = ? WHERE address = ?", (active, username))
        call.conn.execute(
            "UPDATE mailbox SET active = ?, name = ?, quota = ?, attributes = ? WHERE username = ?",
            (active, name, quota_m * MIB, json.dumps(current), username))
        _save_tags(call, log, username, data.get("tags"))
        call.success(log, ["mailbox_modified", username])
    return True


def delete(call: Call, data: dict) -> bool:
    log = mailbox_log("delete", "mailbox", data)
    for username in listed(data.get("username")):
        if not is_email(username) or not mailbox_access(call, username):
            call.danger(log, "access_denied")
            continue
        # No dovecot container behind the recorded Mailcow: its garbage collector call fails.
        call.warning(log, "Could not move maildir to garbage collector: ")
        conn = call.conn
        conn.execute("DELETE FROM alias WHERE goto = ? COLLATE NOCASE", (username,))
        for table, column in (("quota2", "username"), ("mailbox", "username"),
                              ("tags_mailbox", "username")):
            conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (username,))
        conn.execute("DELETE FROM sender_acl WHERE logged_in_as = ? OR send_as = ?",
                     (username, username))
        for row in conn.execute("SELECT id, goto FROM alias WHERE goto LIKE ?",
                                (f"%{username}%",)).fetchall():
            gotos = row["goto"].split(",")
            if username in gotos:
                gotos.remove(username)
                conn.execute("UPDATE alias SET goto = ? WHERE id = ?", (",".join(gotos), row["id"]))
        ratelimits.drop(conn, username)
        _drop_extras(conn, username)
        call.success(log, ["mailbox_removed", htmlspecialchars(username)])
    return True


def _drop_extras(conn: sqlite3.Connection, username: str) -> None:
    """What Mailcow deletes with a mailbox from its other tables and Redis: app
    passwords, time-limited aliases, spam thresholds, the user ACL, tagged-mail choice,
    sync jobs, sieve filters, mail quarantined for it and BCC maps from it."""
    from .areas import (app_passwords, bcc, filters, mailbox_acl, quarantine, spam_scores,
                        syncjobs, time_limited_aliases)

    for area in (app_passwords, time_limited_aliases, spam_scores, mailbox_acl, syncjobs,
                 filters, quarantine, bcc):
        area.drop_mailbox(conn, username)


def edit_custom_attributes(call: Call, data: dict) -> bool:
    log = mailbox_log("edit", "mailbox_custom_attribute", data)
    keys = data.get("attribute", [])
    keys = [php_string(k).replace(" ", "") for k in (keys if isinstance(keys, list) else [keys])]
    given = data.get("value", [])
    given = given if isinstance(given, list) else [given]
    if len(keys) != len(given):
        raise PhpFatal("array_combine(): both parameters must have the same number of elements")
    attributes = json.dumps(dict(zip(keys, given, strict=True)))
    mailboxes = data.get("mailboxes")
    for username in mailboxes if isinstance(mailboxes, list) else [mailboxes]:
        if not is_email(username):
            call.danger(log, ["username_invalid", username])
            continue
        is_now = details(call, username)
        if not is_now or not domain_access(call, is_now["domain"]):
            call.danger(log, "access_denied")
            continue
        call.conn.execute("UPDATE mailbox SET custom_attributes = ? WHERE username = ?",
                          (attributes, username))
        call.success(log, ["mailbox_modified", username])
    return True


def delete_tags(call: Call, data: dict) -> bool:
    """delete/mailbox/tag/{username} with the tags as items."""
    log = mailbox_log("delete", "tags_mailbox", data)
    tags = data.get("tags") if isinstance(data.get("tags"), list) else []
    modified, username = False, None
    for username in listed(data.get("username")):
        if not is_email(username):
            call.danger(log, "email invalid")
            continue
        is_now = details(call, username)
        if not domain_access(call, is_now["domain"] if is_now else None):
            call.danger(log, "access_denied")
            continue
        for tag in tags:
            modified = True
            call.conn.execute("DELETE FROM tags_mailbox WHERE username = ? AND tag_name = ?",
                              (username, tag))
    if not modified:
        return False
    call.success(log, ["mailbox_modified", username])
    return True


QUARANTINE_CHOICES = {"quarantine_notification": ("never", "hourly", "daily", "weekly"),
                      "quarantine_category": ("add_header", "reject", "all")}


def _attribute_edit(call: Call, kind: str, data: dict, change) -> bool:
    """The edit/tls_policy and edit/quarantine_* handlers: one attribute update per
    mailbox, `access_denied` for one the caller cannot reach or a value not allowed."""
    log = mailbox_log("edit", kind, data)
    if not call.admin:  # the ACL Mailcow checks first; every API key holds it
        call.danger(log, "access_denied")
        return False
    for username in listed(data.get("username")):
        is_now = details(call, username) if is_email(username) else None
        if not is_now:
            call.danger(log, "access_denied")
            continue
        attributes = is_now["attributes"]
        if not change(attributes):
            call.danger(log, "access_denied")
            continue
        call.conn.execute("UPDATE mailbox SET attributes = ? WHERE username = ?",
                          (json.dumps(attributes), username))
        call.success(log, ["mailbox_modified", username])
    return True


def edit_tls_policy(call: Call, data: dict) -> bool:
    """edit/tls_policy: tls_enforce_in / tls_enforce_out, each kept when not sent."""
    def change(attributes: dict) -> bool:
        for key in ("tls_enforce_in", "tls_enforce_out"):
            if isset(data, key):
                attributes[key] = str(intval(data[key]))
        return True
    return _attribute_edit(call, "tls_policy", data, change)


def _quarantine_edit(key: str):
    def handler(call: Call, data: dict) -> bool:
        def change(attributes: dict) -> bool:
            value = data[key] if isset(data, key) else attributes.get(key)
            if not isinstance(value, str) or value not in QUARANTINE_CHOICES[key]:
                return False
            attributes[key] = value
            return True
        return _attribute_edit(call, key, data, change)
    return handler


edit_quarantine_notification = _quarantine_edit("quarantine_notification")
edit_quarantine_category = _quarantine_edit("quarantine_category")
