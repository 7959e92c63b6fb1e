"""Demo and bulk data for the sandbox: a small realistic setup, or thousands of objects fast."""
from __future__ import annotations

import bisect
import json
import random
import time
from collections import Counter

from . import alias_domains, aliases, domains, mailboxes
from .mailboxes import ATTRIBUTES
from .passwords import hashed
from .php import MIB
from .report import Call
from .store import opened, transaction

FIRST = ("alice bob carol dave erin frank grace heidi ivan judy karl laura mallory nina oscar "
         "peggy quentin rosa sybil trent uma victor wendy xavier yara zoe aaron bianca chen "
         "dmitri elena farah giulia hiro ines jonas kemal lena marco noor olga pedro rania sven "
         "tomas ulrike vera wei yusuf zara amir beatriz claude dalia emil").split()
LAST = ("smith jones miller garcia brown davis wilson moore taylor anderson thomas jackson "
        "white harris martin thompson lopez clark lewis walker hall young king wright scott "
        "green baker adams nelson hill campbell mitchell roberts carter phillips evans turner "
        "torres parker collins edwards stewart morris murphy cook rogers morgan peterson cooper "
        "reed bailey bell kelly howard ward cox").split()
DOMAIN_WORDS = ("north blue green river stone sun silver oak cedar maple harbor summit pine lake "
                "iron cloud bright swift golden red west east south high deep clear wild grand "
                "cold amber").split()
DOMAIN_KINDS = ("wind field works labs media logistics systems partners foods design consulting "
                "health energy travel studio bank market law games press tech build care farm "
                "garden motors shop school clinic print").split()
TLDS = ("com", "net", "org", "de", "io", "co.uk", "nl", "fr", "eu", "dev")
ROLES = ("info sales support billing office hr jobs press team admin contact hello service "
         "orders marketing accounts events it legal finance").split()
DOMAIN_TAGS = ("customer", "internal", "trial", "vip", "reseller")
MAILBOX_TAGS = ("vip", "shared", "external", "board", "intern")
DAY = 86400
QUOTAS, QUOTA_ODDS = (1024, 2048, 5120, 10240), (4, 7, 9, 10)  # MiB, cumulative odds


def _fullname(local_part: str) -> str:
    return " ".join(part.capitalize() for part in local_part.split("."))


def _is_empty(conn) -> bool:
    return not any(conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
                   for t in ("domain", "mailbox", "alias", "alias_domain"))


DEMO_DOMAINS = (
    {"domain": "example.org", "description": "Example Organisation", "quota": 51200,
     "maxquota": 10240, "defquota": 2048, "mailboxes": 25, "aliases": 100, "tags": ["customer"]},
    {"domain": "example.net", "description": "Example Networks", "quota": 20480,
     "maxquota": 5120, "defquota": 1024, "mailboxes": 10, "aliases": 50,
     "tags": ["customer", "vip"], "rl_value": 500, "rl_frame": "h"},
    {"domain": "demo.test", "description": "Demo and testing", "quota": 10240,
     "maxquota": 4096, "defquota": 1024, "mailboxes": 5, "aliases": 20, "tags": ["internal"]},
)
# (local part, domain, quota MiB, MiB used, messages, days since IMAP login or None)
DEMO_MAILBOXES = (
    ("alice.smith", "example.org", 5120, 3911, 18422, 0),
    ("bob.jones", "example.org", 2048, 1933, 9650, 1),
    ("carol.garcia", "example.org", 2048, 512, 2810, 3),
    ("dave.miller", "example.org", 10240, 140, 640, 12),
    ("erin.brown", "example.org", 1024, 0, 0, None),
    ("postmaster", "example.org", 1024, 12, 85, 30),
    ("frank.wilson", "example.net", 5120, 4200, 22190, 0),
    ("grace.moore", "example.net", 1024, 800, 5012, 2),
    ("heidi.taylor", "example.net", 1024, 96, 410, 45),
    ("ivan.clark", "demo.test", 2048, 64, 230, 7),
    ("judy.lewis", "demo.test", 1024, 0, 0, None),
)
# (address, goto or a goto_* flag, public comment)
DEMO_ALIASES = (
    ("info@example.org", "alice.smith@example.org", "General enquiries"),
    ("sales@example.org", "bob.jones@example.org,carol.garcia@example.org", "Sales team"),
    ("abuse@example.org", "postmaster@example.org", None),
    ("@example.net", "frank.wilson@example.net", "Catch-all"),
    ("support@example.net", "grace.moore@example.net,helpdesk@partner.example", None),
    ("spamtrap@example.org", "goto_spam", "Learns as spam"),
    ("team@demo.test", "ivan.clark@demo.test,judy.lewis@demo.test", None),
)


def seed_demo(db_path: str) -> bool:
    """Fill an empty store with a few domains, mailboxes, aliases and DKIM keys."""
    with opened(db_path) as conn, transaction(conn):
        if not _is_empty(conn):
            return False
        call = Call(conn, admin=True)
        for settings in DEMO_DOMAINS:
            domains.add(call, {**settings, "active": 1})
        stamp = time.time()
        for local, domain, quota, used, messages, days in DEMO_MAILBOXES:
            username = f"{local}@{domain}"
            mailboxes.add(call, {"local_part": local, "domain": domain,
                                 "name": _fullname(local) if "." in local else "Postmaster",
                                 "quota": quota, "password": "Demo-Passw0rd!",
                                 "password2": "Demo-Passw0rd!", "active": 1,
                                 "tags": ["vip"] if local == "alice.smith" else []})
            conn.execute("UPDATE quota2 SET bytes = ?, messages = ? WHERE username = ?",
                         (used * MIB, messages, username))
            if days is not None:
                conn.executemany(
                    "INSERT OR REPLACE INTO sasl_log (username, service, datetime)"
                    " VALUES (?, ?, ?)",
                    [(username, "imap", int(stamp - days * DAY - 3600)),
                     (username, "smtp", int(stamp - days * DAY - 7200))])
        alias_domains.add(call, {"alias_domain": "example.com", "target_domain": "example.org",
                                 "active": 1})
        for address, goto, comment in DEMO_ALIASES:
            target = {goto: 1} if goto.startswith("goto_") else {"goto": goto}
            aliases.add(call, {"address": address, **target, "public_comment": comment,
                               "active": 1})
        # Routing demo data (areas/relayhosts.py, areas/transports.py).
        from .areas import relayhosts, transports
        relayhosts.seed_demo(call)
        transports.seed_demo(call)
        # Sync jobs and sieve filters demo data (areas/syncjobs.py, areas/filters.py).
        from .areas import filters as demo_filters, syncjobs as demo_syncjobs
        demo_syncjobs.seed_demo_jobs(conn)
        demo_filters.seed_demo_filters(conn)
        # Quarantine and fail2ban demo data (areas/quarantine.py, areas/fail2ban.py).
        from .areas import fail2ban as demo_fail2ban, quarantine as demo_quarantine
        demo_quarantine.seed_demo(conn)
        demo_fail2ban.seed_demo(conn)
        # BCC, recipient and TLS policy maps, forwarding hosts (areas/bcc.py, ...).
        from .areas import bcc, fwdhosts, recipient_maps, tls_policy_maps
        for area in (bcc, recipient_maps, tls_policy_maps, fwdhosts):
            area.seed_demo(call)
        # OAuth2 clients (areas/oauth2.py) and a mailbox's own rate limit.
        from . import ratelimits as demo_ratelimits
        from .areas import oauth2 as demo_oauth2
        demo_oauth2.seed_demo(conn)
        demo_ratelimits.edit(call, "mailbox", {"object": ["bob.jones@example.org"],
                                               "rl_value": "100", "rl_frame": "h"})
        # A mailbox's app password, time-limited alias and spam score (areas/*).
        from .areas import app_passwords, spam_scores, time_limited_aliases
        for area in (app_passwords, time_limited_aliases, spam_scores):
            area.seed_demo(call)
        failed = [m for m in call.messages if m["type"] == "danger"]
        if failed:
            raise RuntimeError(f"demo data did not go in: {failed}")
        # Logs: a recent stretch of entries for every log source (sandbox/areas/logs.py).
        from .areas import logs as demo_logs
        demo_logs.seed_demo(conn)
    return True


def _weights(rng: random.Random, n: int) -> list[float]:
    # A few big domains and a long tail of small ones, as real installations look.
    weights = [1 / (i + 1) ** 0.8 for i in range(n)]
    rng.shuffle(weights)
    return weights


def _domain_names(rng: random.Random, taken: set[str], count: int) -> list[str]:
    combos = [f"{a}{b}.{t}" for a in DOMAIN_WORDS for b in DOMAIN_KINDS for t in TLDS]
    rng.shuffle(combos)
    names, round_ = [], 0
    while len(names) < count:
        for combo in combos:
            name = combo if round_ == 0 else combo.replace(".", f"{round_}.", 1)
            if name not in taken:
                taken.add(name)
                names.append(name)
                if len(names) == count:
                    break
        round_ += 1
    return names


class _Clock:
    """Random moments in the past, drawn from a pool (formatting each one is slow)."""

    def __init__(self, rng: random.Random, now: float, size: int = 4000) -> None:
        self.rng = rng
        self.counts: dict[int, int] = {}
        self.ago = sorted(rng.uniform(0, 1500 * DAY) for _ in range(size))
        self.text = [time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now - s))
                     for s in self.ago]

    def within(self, days: int) -> str:
        """A moment in the last `days` days."""
        if days not in self.counts:
            self.counts[days] = max(1, bisect.bisect_right(self.ago, days * DAY))
        return self.text[int(self.rng.random() * self.counts[days])]


def _attributes_json() -> tuple[str, str]:
    """The Default template's attributes as JSON, split where passwd_update goes."""
    marker = "\0passwd\0"
    text = json.dumps({k: (marker if k == "passwd_update" else v) for k, v in ATTRIBUTES})
    before, after = text.split(json.dumps(marker))
    return before, after


def seed_bulk(db_path: str, domains: int, mailboxes: int, aliases: int) -> dict:
    """Add that many realistic domains, mailboxes and aliases in one transaction.

    Mailboxes and aliases spread unevenly over the new domains; each domain's limits
    and quota are set to fit what it got. No DKIM keys are generated.
    """
    if domains <= 0 and (mailboxes > 0 or aliases > 0):
        raise ValueError("mailboxes and aliases need at least one domain to go in")
    started = time.time()
    with opened(db_path) as conn, transaction(conn):
        conn.execute("PRAGMA cache_size = -131072")  # 128 MiB: index pages stay in memory
        taken = {r[0] for r in conn.execute(
            "SELECT domain FROM domain UNION SELECT alias_domain FROM alias_domain")}
        rng = random.Random(len(taken) * 7919 + domains)
        names = _domain_names(rng, taken, domains)
        weights = _weights(rng, len(names))
        box_counts = Counter(rng.choices(range(len(names)), weights, k=mailboxes))
        alias_counts = Counter(rng.choices(range(len(names)), weights, k=aliases))
        password = hashed("Bulk-Passw0rd!")
        clock = _Clock(rng, started)
        attributes_before, attributes_after = _attributes_json()
        box_rows, quota_rows, login_rows, alias_rows, tag_rows = [], [], [], [], []
        domain_rows, domain_tag_rows = [], []
        for index, domain in enumerate(names):
            created = clock.within(1500)
            used_locals: set[str] = set()
            users: list[str] = []
            assigned = 0
            for _ in range(box_counts[index]):
                base = f"{rng.choice(FIRST)}.{rng.choice(LAST)}"
                local, n = base, 1
                while local in used_locals:
                    n += 1
                    local = f"{base}{n}"
                used_locals.add(local)
                username = f"{local}@{domain}"
                users.append(username)
                quota_m = rng.choices(QUOTAS, cum_weights=QUOTA_ODDS)[0]
                assigned += quota_m
                active = 0 if rng.random() < 0.03 else 1
                box_created = clock.within(1400)
                box_rows.append((username, password, _fullname(base), local, domain,
                                 quota_m * MIB,
                                 f'{attributes_before}"{clock.within(700)}"{attributes_after}',
                                 active, box_created,
                                 box_created))
                used = int(rng.random() ** 2 * quota_m * MIB) if rng.random() < 0.9 else 0
                quota_rows.append((username, used, used // 48_000))
                for service, share in (("imap", 0.8), ("smtp", 0.6), ("pop3", 0.1)):
                    if rng.random() < share:
                        login_rows.append((username, service,
                                           int(started - rng.uniform(0, 90) * DAY)))
                alias_rows.append((username, username, domain, None, active, box_created))
                if rng.random() < 0.05:
                    tag_rows.append((username, rng.choice(MAILBOX_TAGS)))
            made = 0
            if users and alias_counts[index] and rng.random() < 0.05:
                alias_rows.append((f"@{domain}", rng.choice(users), domain, "Catch-all", 1,
                                   created))
                made += 1
            while made < alias_counts[index]:
                # Role names have no dot, so they never meet a first.last mailbox.
                role = ROLES[made % len(ROLES)]
                local = role if made < len(ROLES) else f"{role}{made // len(ROLES) + 1}"
                if users and rng.random() > 0.02:
                    goto = ",".join(sorted(set(rng.choices(users, k=rng.randint(1, 3)))))
                    if rng.random() < 0.1:
                        goto += f",{rng.choice(FIRST)}@partner.example"
                else:
                    goto = "spam@localhost" if users else f"{local}@partner.example"
                alias_rows.append((f"{local}@{domain}", goto, domain, None,
                                   0 if rng.random() < 0.02 else 1, clock.within(1000)))
                made += 1
            count = box_counts[index]
            quota = max(10240, -(-int(assigned * 1.25) // 1024) * 1024)
            domain_rows.append((domain, f"{domain.split('.')[0].capitalize()} mail", made + 20,
                                count + rng.randint(5, 20) + count // 5, 2048, 10240, quota,
                                0 if rng.random() < 0.02 else 1, created))
            if rng.random() < 0.3:
                domain_tag_rows.append((domain, rng.choice(DOMAIN_TAGS)))
        # In key order, B-tree inserts stay local: about a third faster.
        for rows in (box_rows, quota_rows, login_rows, tag_rows, alias_rows):
            rows.sort()
        conn.executemany(
            "INSERT INTO domain (domain, description, aliases, mailboxes, defquota, maxquota,"
            " quota, active, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", domain_rows)
        conn.executemany("INSERT INTO tags_domain (domain, tag_name) VALUES (?, ?)",
                         domain_tag_rows)
        conn.executemany(
            "INSERT INTO mailbox (username, password, name, local_part, domain, quota, attributes,"
            " active, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", box_rows)
        conn.executemany("INSERT INTO quota2 (username, bytes, messages) VALUES (?, ?, ?)",
                         quota_rows)
        conn.executemany("INSERT OR REPLACE INTO sasl_log (username, service, datetime)"
                         " VALUES (?, ?, ?)", login_rows)
        conn.executemany("INSERT INTO tags_mailbox (username, tag_name) VALUES (?, ?)", tag_rows)
        conn.executemany(
            "INSERT INTO alias (address, goto, domain, public_comment, active, created)"
            " VALUES (?, ?, ?, ?, ?, ?)", alias_rows)
    return {"domains": len(domain_rows), "mailboxes": len(box_rows),
            "aliases": len(alias_rows) - len(box_rows)}
