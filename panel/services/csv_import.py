"""CSV import of mailboxes and aliases: parse and check a file (the dry run), then run it."""
from __future__ import annotations

import csv
import io
import re
import secrets
import string
from dataclasses import dataclass, field

from flask_babel import gettext as _

from panel.access import visible_domains
from panel.audit import record
from panel.forms.domains import DOMAIN_RE
from panel.forms.mailboxes import EMAIL_RE, LOCAL_PART_RE
from panel.mailcow import Mailcow, MailcowError, NotFound
from panel.mailcow.aliases import AliasSettings
from panel.mailcow.domains import Domain
from panel.mailcow.mailboxes import MailboxSettings
from panel.mailcow.password_policy import PasswordPolicy
from panel.services import aliases as alias_service
from panel.services import mailboxes as mailbox_service

MAX_ROWS = 20_000
MIB = 1024 * 1024
TRUE_WORDS = {"1", "yes", "y", "true", "on"}
FALSE_WORDS = {"0", "no", "n", "false", "off"}
GENERATE = "generate"
MAX_DOMAIN_LOOKUPS = 50


class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, header, size)."""


@dataclass
class Row:
    number: int                 # the line in the file, the header being 1
    target: str                 # the address it creates
    detail: str = ""            # what else it sets, for the dry-run table
    errors: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)


@dataclass
class Plan:
    kind: str                   # "mailboxes" | "aliases"
    rows: list[Row]

    @property
    def valid(self) -> list[Row]:
        return [r for r in self.rows if not r.errors]

    @property
    def invalid(self) -> list[Row]:
        return [r for r in self.rows if r.errors]


def read_csv(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header (lowercased) and the rows as (line number, {column: value}); comma or semicolon."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem(_("The file is not UTF-8 text.")) from exc
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration as exc:
        raise FileProblem(_("The file is empty; it needs a header row.")) from exc
    rows = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise FileProblem(_("The file has more than %(n)s rows.", n=MAX_ROWS))
        rows.append((reader.line_num, {h: (cells[i].strip() if i < len(cells) else "")
                                       for i, h in enumerate(header) if h}))
    return header, rows


def generate_password(policy: PasswordPolicy) -> str:
    """A random password that meets the policy (and is never shorter than 16)."""
    alphabet = string.ascii_letters + string.digits + "-_.!%+"
    length = max(16, policy.length)
    while True:
        candidate = "".join(secrets.choice(alphabet) for _i in range(length))
        if not policy.problems(candidate) and re.search(r"[a-z]", candidate) \
                and re.search(r"[A-Z]", candidate) and re.search(r"\d", candidate) \
                and re.search(r"[^a-zA-Z\d]", candidate):
            return candidate


def _domains_check(mc: Mailcow, user, wanted: set[str]) -> dict[str, Domain]:
    """The domains of `wanted` that exist and the user may act on, read fresh from Mailcow
    (the cached name list behind pickers may not know a domain added a moment ago)."""
    scope = visible_domains(user)
    if scope is not None:
        wanted = wanted & scope
    wanted = {d for d in wanted if DOMAIN_RE.match(d)}
    if len(wanted) > MAX_DOMAIN_LOOKUPS:
        # A file naming many domains: narrow with one list call before reading each.
        wanted &= {d.lower() for d in mc.domains.names()}
    found = {}
    for domain in sorted(wanted):
        try:
            found[domain] = mc.domains.get(domain)
        except NotFound:
            continue
    return found


def _bad_domain(domain: str) -> str:
    # Same words for "unknown" and "not yours", so the import leaks nothing.
    return _("Domain %(domain)s does not exist or is not one of yours.", domain=domain)


POLICY_WORDS = {
    "length": lambda p: _("the password is shorter than %(n)s characters", n=p.length),
    "chars": lambda p: _("the password needs a letter"),
    "special_chars": lambda p: _("the password needs a character that is not a letter or digit"),
    "lowerupper": lambda p: _("the password needs lowercase and uppercase letters"),
    "numbers": lambda p: _("the password needs a digit"),
}


def plan_mailboxes(mc: Mailcow, user, data: bytes) -> Plan:
    header, raw = read_csv(data)
    if "email" not in header and not {"local_part", "domain"} <= set(header):
        raise FileProblem(_("The header needs an “email” column, or “local_part” and “domain”."))
    if "password" not in header:
        raise FileProblem(_("The header needs a “password” column."))
    rows: list[Row] = []
    for number, cells in raw:
        if cells.get("email"):
            local, _at, domain = cells["email"].lower().rpartition("@")
        else:
            local, domain = cells.get("local_part", "").lower(), cells.get("domain", "").lower()
        rows.append(Row(number, f"{local}@{domain}", values={**cells, "local": local,
                                                              "domain": domain}))
    limits = _domains_check(mc, user, {r.values["domain"] for r in rows})
    domains = set(limits)
    existing: set[str] = set()
    for domain in domains:
        existing.update(m.username.lower() for m in mc.mailboxes.in_domain(domain))
    if domains:
        existing.update(a.address.lower() for a in mc.aliases.in_domains(sorted(domains)))
    policy = mc.password_policy.get()
    may_quota = user.may("mailbox_quota")
    seen: set[str] = set()
    for row in rows:
        v, errors = row.values, row.errors
        local, domain = v["local"], v["domain"]
        if not (local and LOCAL_PART_RE.match(local) and DOMAIN_RE.match(domain)):
            errors.append(_("“%(address)s” is not a valid address.", address=row.target))
        elif domain not in limits:
            errors.append(_bad_domain(domain))
        elif row.target in seen:
            errors.append(_("%(address)s appears more than once in the file.",
                            address=row.target))
        elif row.target in existing:
            errors.append(_("%(address)s already exists in Mailcow.", address=row.target))
        seen.add(row.target)
        d = limits.get(domain)
        quota = None
        if (v.get("quota") or "") == "":
            quota = min(d.default_mailbox_quota, d.max_mailbox_quota) // MIB if d else 0
        elif not may_quota:
            errors.append(_("You may not set quotas; leave the quota empty."))
        else:
            try:
                quota = int(v["quota"])
            except ValueError:
                errors.append(_("The quota “%(q)s” is not a whole number of MiB.", q=v["quota"]))
            else:
                if quota < 0:
                    errors.append(_("The quota cannot be negative."))
                elif d and d.max_mailbox_quota and quota > d.max_mailbox_quota // MIB:
                    errors.append(_("The quota %(q)s MiB is above the domain's maximum of "
                                    "%(max)s MiB.", q=quota, max=d.max_mailbox_quota // MIB))
        active = (v.get("active") or "1").lower()
        if active not in TRUE_WORDS | FALSE_WORDS:
            errors.append(_("“active” must be 1, 0, yes or no."))
        password = v.get("password") or ""
        generated = password.lower() == GENERATE
        if generated:
            password = generate_password(policy)
        elif not password:
            errors.append(_("The password is empty (write “generate” for a random one)."))
        else:
            errors.extend(POLICY_WORDS[k](policy) for k in policy.problems(password))
        row.values = {"local": local, "domain": domain, "name": v.get("name", ""),
                      "quota": quota, "active": active in TRUE_WORDS, "password": password,
                      "generated": generated}
        row.detail = ", ".join(p for p in (
            v.get("name", ""), _("%(q)s MiB", q=quota) if quota is not None else "",
            _("active") if active in TRUE_WORDS else _("inactive"),
            _("generated password") if generated else "") if p)
    return Plan("mailboxes", rows)


def plan_aliases(mc: Mailcow, user, data: bytes) -> Plan:
    header, raw = read_csv(data)
    missing = [c for c in ("address", "goto") if c not in header]
    if missing:
        raise FileProblem(_("The header needs the column(s): %(cols)s.", cols=", ".join(missing)))
    rows = [Row(n, c.get("address", "").lower(), values=c) for n, c in raw]
    domains = set(_domains_check(mc, user, {r.target.rpartition("@")[2] for r in rows}))
    existing = {a.address.lower() for a in mc.aliases.in_domains(sorted(domains))} \
        if domains else set()
    seen: set[str] = set()
    for row in rows:
        domain = row.target.rpartition("@")[2]
        if not EMAIL_RE.match(row.target):
            row.errors.append(_("“%(address)s” is not a valid address.", address=row.target))
        elif domain not in domains:
            row.errors.append(_bad_domain(domain))
        elif row.target in seen:
            row.errors.append(_("%(address)s appears more than once in the file.",
                                address=row.target))
        elif row.target in existing:
            row.errors.append(_("%(address)s already exists in Mailcow.", address=row.target))
        seen.add(row.target)
        goto = [g.lower() for g in re.split(r"[,\s]+", row.values.get("goto", "")) if g]
        if not goto:
            row.errors.append(_("The alias needs at least one destination."))
        bad = [g for g in goto if not EMAIL_RE.match(g)]
        if bad:
            row.errors.append(_("Not a valid destination: %(bad)s.", bad=", ".join(bad)))
        row.values = {"goto": goto}
        row.detail = "→ " + ", ".join(goto)
    return Plan("aliases", rows)


@dataclass
class Progress:
    total: int
    done: int = 0
    created: list[str] = field(default_factory=list)
    failed: list[tuple[int, str, str]] = field(default_factory=list)   # (line, address, why)
    passwords: list[tuple[str, str]] = field(default_factory=list)    # generated only


def run(mc: Mailcow, plan: Plan, progress: Progress) -> None:
    """One Mailcow add per valid row, through the services (each audited); past failures on."""
    for row in plan.valid:
        try:
            if plan.kind == "mailboxes":
                v = row.values
                mailbox_service.create_mailbox(
                    mc, v["local"], v["domain"], v["password"],
                    MailboxSettings(name=v["name"], quota_mib=v["quota"], active=v["active"]))
                if v["generated"]:
                    progress.passwords.append((row.target, v["password"]))
            else:
                alias_service.create_alias(mc, row.target, AliasSettings(goto=row.values["goto"]))
        except MailcowError as exc:
            progress.failed.append((row.number, row.target, exc.message))
        else:
            progress.created.append(row.target)
        finally:
            row.values.pop("password", None)
            progress.done += 1
    record(f"import.{plan.kind}", target=f"{len(plan.valid)} rows",
           changes={"created": len(progress.created), "failed": len(progress.failed),
                    "skipped": len(plan.invalid)})
