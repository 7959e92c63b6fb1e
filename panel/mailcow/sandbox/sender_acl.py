"""Who a mailbox may send as: the `sender_acl` attribute of mailbox edit."""
from __future__ import annotations

from .access import domain_access
from .php import as_array, is_email, is_valid_domain_name, php_string
from .report import Call


def _alias_access(call: Call, address: str) -> bool:
    row = call.conn.execute("SELECT domain FROM alias WHERE address = ?", (address,)).fetchone()
    return row is not None and domain_access(call, row["domain"])


def _known_domains(call: Call) -> list[str]:
    rows = call.conn.execute(
        "SELECT domain FROM domain UNION ALL SELECT alias_domain FROM alias_domain")
    return [row[0].lower() for row in rows]


def _fixed(call: Call, username: str) -> list[str]:
    """Addresses the mailbox sends as anyway: aliases to it and its alias-domain twins."""
    fixed = [row["address"] for row in call.conn.execute(
        "SELECT address, goto FROM alias WHERE address NOT LIKE '@%' AND goto LIKE ?",
        (f"%{username}%",)) if username.lower() in row["goto"].lower().split(",")]
    fixed += [f"{row['local_part']}@{row['alias_domain']}" for row in call.conn.execute(
        "SELECT m.local_part, a.alias_domain FROM mailbox m JOIN alias_domain a"
        " ON a.target_domain = m.domain WHERE m.username = ?", (username,))]
    return fixed


def _kept(call: Call, username: str) -> list[str]:
    """Entries the caller may not change (the 'ro' handles): unknown domains and addresses."""
    kept = []
    for row in call.conn.execute(
            "SELECT send_as FROM sender_acl WHERE logged_in_as = ? AND external = 0", (username,)):
        value = row["send_as"]
        bare = value.replace("@", "") if value.startswith("@") else value
        if value.startswith("@") and is_valid_domain_name(bare) and not domain_access(call, bare):
            kept.append(bare)
        elif not value.startswith("@") and value != "*" and is_email(value) \
                and not _alias_access(call, value):
            kept.append(value)
    return kept


def save(call: Call, log: list, username: str, requested) -> None:
    """Replace the mailbox's sender ACL; "default" alone resets it, "*" allows everything."""
    kept = _kept(call, username)
    wanted = [php_string(v) for v in as_array(requested)]
    if "*" in wanted:
        chosen = ["*"]
    elif wanted == ["default"]:
        chosen = []
    else:
        if "default" in wanted:
            wanted.remove("default")
        chosen = wanted
    if not chosen and not kept:
        call.conn.execute("DELETE FROM sender_acl WHERE external = 0 AND logged_in_as = ?",
                          (username,))
        return
    accepted = []
    known = _known_domains(call)
    for value in chosen:
        domain = value.lstrip("@")
        invalid = not is_email(value) and not is_valid_domain_name(domain) and value != "*"
        if not invalid and is_valid_domain_name(domain):
            invalid = (known and domain.lower() not in known) or not domain_access(call, domain)
        if not invalid and is_email(value):
            invalid = not _alias_access(call, value)
        if invalid:
            call.danger(log, ["sender_acl_invalid", value])
            continue
        accepted.append(value)
    merged = accepted + kept
    if "*" in merged:
        merged = ["*"]
    call.conn.execute("DELETE FROM sender_acl WHERE external = 0 AND logged_in_as = ?",
                      (username,))
    fixed = _fixed(call, username)
    for value in merged:
        domain = value.lstrip("@")
        if is_valid_domain_name(domain):
            value = "@" + domain
        if value in fixed:
            continue
        call.conn.execute("INSERT INTO sender_acl (send_as, logged_in_as) VALUES (?, ?)",
                          (value, username))
