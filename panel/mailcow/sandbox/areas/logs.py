"""Mailcow's log routes, get/logs/<source>/<count>, over a table of demo entries.

Mailcow keeps most of these in Redis lists the containers push JSON lines into
(POSTFIX_MAILLOG, DOVECOT_MAILLOG, SOGO_LOG, NETFILTER_LOG, AUTODISCOVER_LOG,
WATCHDOG_LOG, ACME_LOG, API_LOG, RL_LOG, CRON_LOG), two in MySQL (`logs` for the UI,
`sasl_log`) and asks Rspamd's controller for its history. Each source keeps its own
shape here, field for field, including which times are numbers and which strings.
An empty source answers `{}` as Mailcow does (recordings 62_get_logs_*).
"""
from __future__ import annotations

import json
import random
import re
import time
from datetime import datetime, timezone
from typing import Any

from ..report import Call

SCHEMA = """
CREATE TABLE IF NOT EXISTS log_entry (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  time INTEGER NOT NULL,
  entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_entry_source ON log_entry (source, time DESC, id DESC);
"""

# The route's source names; rspamd-stats is a statistics object, not a list of entries.
SOURCES = ("postfix", "dovecot", "sogo", "netfilter", "autodiscover", "watchdog", "acme",
           "api", "ratelimited", "cron", "ui", "sasl", "rspamd-history")
LOG_LINES = 9999  # Mailcow's default $LOG_LINES when no count is given
SQL_SOURCES = {"ui", "sasl"}


def _window(extra: str | None) -> tuple[int, int] | None:
    """(offset, limit) as get_logs() reads its argument, or None where it gives up.

    "N" is the newest N; "A-B" is entries A..B counted from 1 for the Redis lists,
    but for the SQL sources Mailcow passes B as the LIMIT count (kept as it is).
    """
    if extra is None:
        return 0, LOG_LINES
    text = re.sub(r"[^\d\-]", "", extra)
    if text.isdigit() and int(text) >= 1:
        return 0, int(text)
    start, _sep, end = text.partition("-")
    first = int(start) if start.isdigit() else 0
    last = int(end) if end.isdigit() else 0
    if first < 1 or last < first:
        return None
    return first - 1, last - first + 1


def read(call: Call, obj: str | None, extra: str | None, args: dict) -> tuple[Any, bool]:
    from ..routes import RouteNotFound

    if obj == "rspamd-stats":
        return None, True  # Rspamd's statistics are not modelled: no controller, `{}`
    if obj not in SOURCES:
        raise RouteNotFound(f"logs/{obj}")
    window = _window(extra)
    if window is None:
        return None, True
    offset, limit = window
    if obj in SQL_SOURCES and extra is not None and "-" in extra:
        start, _sep, end = re.sub(r"[^\d\-]", "", extra).partition("-")
        offset, limit = int(start) - 1, int(end)
    rows = call.conn.execute(
        "SELECT entry FROM log_entry WHERE source = ? ORDER BY time DESC, id DESC"
        " LIMIT ? OFFSET ?", (obj, limit, offset)).fetchall()
    return [json.loads(row[0]) for row in rows], True


GET = {"logs": read}


def append(conn, source: str, entry: dict) -> None:
    """Push one entry (the sandbox's LPUSH / INSERT); `time` orders the source."""
    stamp = entry.get("time", entry.get("unix_time", entry.get("datetime", 0)))
    if isinstance(stamp, str) and not stamp.isdigit():
        stamp = int(datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
                    .replace(tzinfo=timezone.utc).timestamp())
    conn.execute("INSERT INTO log_entry (source, time, entry) VALUES (?, ?, ?)",
                 (source, int(float(stamp)), json.dumps(entry, ensure_ascii=False)))


# -- demo entries ----------------------------------------------------------------------

def _syslog(at: int, priority: str, program: str, message: str) -> dict:
    # syslog-ng's template in the Postfix, Dovecot and SOGo containers: all strings.
    return {"time": str(at), "priority": priority, "program": program, "message": message}


def seed_demo(conn, now: float | None = None, seed: int = 7) -> None:
    """A believable hour or two of logs for every source, ending at `now`."""
    rng = random.Random(seed)
    now = int(now if now is not None else time.time())
    users = ["alice.smith@example.org", "bob.jones@example.org", "ivan.clark@demo.test",
             "judy.lewis@demo.test", "postmaster@example.org"]
    remotes = ["203.0.113.14", "198.51.100.23", "192.0.2.77", "2001:db8::4f"]

    def ago(minutes: float) -> int:
        return now - int(minutes * 60) - rng.randint(0, 50)

    qids = [f"{rng.randrange(16**10):010X}" for _ in range(12)]
    for i, qid in enumerate(qids):
        at = ago(5 + i * 7)
        user = users[i % len(users)]
        append(conn, "postfix", _syslog(at, "info", "postfix/smtpd",
                                        f"connect from mail-{i}.example.net[{remotes[i % 3]}]"))
        append(conn, "postfix", _syslog(at + 1, "info", "postfix/cleanup",
                                        f"{qid}: message-id=<{rng.randrange(10**9)}@example.net>"))
        append(conn, "postfix", _syslog(at + 2, "info", "postfix/qmgr",
                                        f"{qid}: from=<newsletter@example.net>, size="
                                        f"{rng.randint(2000, 90000)}, nrcpt=1 (queue active)"))
        if i % 4 == 3:
            append(conn, "postfix", _syslog(at + 3, "warning", "postfix/smtp",
                                            f"{qid}: to=<{user}>, relay=none, delay=30, "
                                            "status=deferred (connect to mx.remote.example"
                                            "[192.0.2.200]:25: Connection timed out)"))
        else:
            append(conn, "postfix", _syslog(at + 3, "info", "postfix/lmtp",
                                            f"{qid}: to=<{user}>, relay=dovecot[172.22.1.250]"
                                            ":24, delay=0.4, status=sent (250 2.0.0 Ok)"))
            append(conn, "postfix", _syslog(at + 4, "info", "postfix/qmgr", f"{qid}: removed"))
    append(conn, "postfix", _syslog(ago(3), "notice", "postfix/postscreen",
                                    "PREGREET 11 after 0.09 from [198.51.100.66]:51234: "
                                    "EHLO user\\r\\n"))
    append(conn, "postfix", _syslog(ago(2), "err", "postfix/smtpd",
                                    "warning: unknown[198.51.100.66]: SASL LOGIN authentication"
                                    " failed: UGFzc3dvcmQ6"))

    for i in range(24):
        user = users[i % len(users)]
        ip = remotes[i % len(remotes)]
        if i % 6 == 5:
            append(conn, "dovecot", _syslog(ago(i * 4), "warning", "dovecot",
                                            f"imap-login: Disconnected: Authentication failed"
                                            f" (auth failed, 1 attempts in 2 secs): user=<{user}>,"
                                            f" method=PLAIN, rip={ip}, lip=172.22.1.250, TLS"))
        else:
            append(conn, "dovecot", _syslog(ago(i * 4), "info", "dovecot",
                                            f"imap-login: Login: user=<{user}>, method=PLAIN, "
                                            f"rip={ip}, lip=172.22.1.250, mpid={3000 + i}, TLS"))
            append(conn, "dovecot", _syslog(ago(i * 4) + 30, "info", "dovecot",
                                            f"imap({user})<{3000 + i}><x{i}>: Logged out "
                                            f"in={rng.randint(100, 900)} "
                                            f"out={rng.randint(1000, 90000)}"))

    for i in range(15):
        user = users[i % len(users)]
        append(conn, "sogo", _syslog(ago(i * 6), "notice", "sogod",
                                     f"[{200 + i}]: {remotes[i % 3]} \"POST /SOGo/so/{user}/Mail/"
                                     f"0/folderINBOX/changes HTTP/1.1\" 200 "
                                     f"{rng.randint(100, 2000)}/{rng.randint(0, 200)} 0.0"
                                     f"{rng.randint(10, 99)} - - 0"))
    append(conn, "sogo", _syslog(ago(50), "err", "sogod",
                                 "[212]: <0x0x5600>[SOGoUserManager] fetchUserAttributes: "
                                 "could not find user unknown@demo.test"))

    for i, (priority, message) in enumerate([
            ("info", "Whitelist was changed, it has 2 entries"),
            ("warn", "198.51.100.66 matched rule id 3 (warning: unknown[198.51.100.66]: SASL "
                     "LOGIN authentication failed: UGFzc3dvcmQ6)"),
            ("warn", "198.51.100.66 matched rule id 3 (warning: unknown[198.51.100.66]: SASL "
                     "LOGIN authentication failed: UGFzc3dvcmQ6)"),
            ("crit", "Banning 198.51.100.0/24 for 30 minutes"),
            ("info", "Unbanning 203.0.113.0/24"),
            ("crit", "Add host/network 192.0.2.66/32 to blacklist")]):
        append(conn, "netfilter", {"time": ago(80 - i * 12), "priority": priority,
                                   "message": message})

    agents = ["Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)",
              "Apple-iPhone15C2/2106.102", "Thunderbird/128.5.0"]
    for i in range(8):
        append(conn, "autodiscover", {"time": ago(i * 11), "ua": agents[i % 3],
                                      "user": users[i % len(users)], "ip": remotes[i % 4],
                                      "service": "activesync" if i % 3 == 1 else "imap"})
    append(conn, "autodiscover", {"time": ago(95), "ua": agents[0], "user": "",
                                  "ip": "198.51.100.66", "service": "Error: must be authenticated"})

    for i in range(16):
        service, total = [("Postfix", 8), ("Dovecot", 12), ("Rspamd", 5), ("Fail2ban", 1),
                          ("Unbound", 2), ("SOGo", 3), ("Redis", 5), ("MySQL/MariaDB", 5)][i % 8]
        now_hp = total if i != 5 else total - 2
        append(conn, "watchdog", {"time": str(ago(i * 5)), "service": service,
                                  "lvl": str(100 * now_hp // total), "hpnow": str(now_hp),
                                  "hptotal": str(total), "hpdiff": "-2" if i == 5 else "0"})

    for i, message in enumerate([
            "Certificate validation done, neither changed nor due for renewal, sleeping for "
            "another day.",
            "Found orphaned certificate: demo.test - archiving.",
            "Confirmed A record with IP 203.0.113.10",
            "Confirmed AAAA record with IP 2001:db8::10",
            "Skipping autoconfig.demo.test, no CNAME or A record",
            "mail.example.org - Checking certificate expiry date"]):
        append(conn, "acme", {"time": str(ago(1440 - i * 2)), "message": message})

    for i in range(12):
        method = "POST" if i % 3 == 0 else "GET"
        uri = ["/api/v1/edit/mailbox", "/api/v1/get/domain/all", "/api/v1/get/mailbox/all",
               "/api/v1/add/alias", "/api/v1/get/logs/postfix/100", "/api/v1/get/status/version"
               ][i % 6]
        data = ("attr='{\"quota\":\"2048\",\"password\":\"*\"}', "
                "items='[\"bob.jones@example.org\"]'") if method == "POST" else ""
        append(conn, "api", {"time": ago(i * 3), "uri": uri, "method": method,
                             "remote": "127.0.0.1", "data": data})

    for i in range(5):
        user = users[i % 2]
        rl = f"RL{rng.randrange(36**24):024x}"[:26]
        append(conn, "ratelimited", {"time": ago(30 + i * 9), "rcpt": f"list{i}@remote.example",
                                     "from": user, "user": user, "rl_info": f"mailcow({rl})",
                                     "rl_name": "mailcow", "rl_hash": rl, "qid": qids[i],
                                     "ip": remotes[i % 2],
                                     "message_id": f"{rng.randrange(10**8)}@example.org",
                                     "header_subject": ["Quarterly report", "Invitation",
                                                        "Re: offer", "Newsletter #12",
                                                        "Fwd: photos"][i],
                                     "header_from": f"\"{user.split('@')[0]}\" <{user}>"})

    for i, (program, message) in enumerate([
            ("crond", "USER root pid 412 cmd /usr/local/bin/sa-rules.sh"),
            ("crond", "USER root pid 418 cmd /usr/local/bin/quarantine_notify.py hourly"),
            ("crond", "USER nobody pid 431 cmd /usr/local/bin/expunge.sh"),
            ("crond", "USER root pid 447 cmd /usr/local/bin/sa-rules.sh"),
            ("crond", "USER root pid 455 cmd /usr/local/bin/quota_notify.py")]):
        append(conn, "cron", _syslog(ago(i * 60), "info", program, message))

    for i, (kind, task, msg, call_log) in enumerate([
            ("success", "mailbox", ["mailbox_modified", "bob.jones@example.org"],
             ["mailbox", "edit", "mailbox", {"username": ["bob.jones@example.org"],
                                            "quota": "2048", "password": "*"}, None]),
            ("success", "domain", ["domain_added", "demo.test"],
             ["mailbox", "add", "domain", {"domain": "demo.test", "active": "1"}, None]),
            ("danger", "alias", ["alias_invalid", "not an address"],
             ["mailbox", "add", "alias", {"address": "not an address"}, None]),
            ("success", "login", ["logged_in_as", "admin"], ["check_login", "admin", "*"]),
            ("danger", "login", "login_failed", ["check_login", "admin", "*"])]):
        append(conn, "ui", {"id": 100 + i, "type": kind, "task": task,
                            "msg": json.dumps(msg), "call": json.dumps(call_log),
                            "user": "admin", "role": "admin", "remote": remotes[i % 3],
                            "time": ago(i * 17)})

    for i in range(10):
        at = datetime.fromtimestamp(ago(i * 13), timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        append(conn, "sasl", {"service": ["imap", "smtp", "sogo", "pop3"][i % 4],
                              "app_password": 3 if i == 4 else 0,
                              "username": users[i % len(users)], "real_rip": remotes[i % 4],
                              "datetime": at})

    actions = ["no action", "no action", "add header", "greylist", "reject", "no action"]
    for i in range(14):
        action = actions[i % len(actions)]
        score = {"no action": -0.5 + rng.random() * 3, "add header": 8.4, "greylist": 6.2,
                 "reject": 17.9}[action]
        rcpt = users[i % len(users)]
        symbols = {"DMARC_POLICY_ALLOW": {"name": "DMARC_POLICY_ALLOW", "score": -0.5,
                                          "metric_score": -0.5, "options": ["example.net", "none"]},
                   "R_SPF_ALLOW": {"name": "R_SPF_ALLOW", "score": -0.2, "metric_score": -0.2,
                                   "options": ["+ip4:192.0.2.0/24"]}}
        if action != "no action":
            symbols["BAYES_SPAM"] = {"name": "BAYES_SPAM", "score": 5.1, "metric_score": 5.1,
                                     "options": ["99.87%"]}
        append(conn, "rspamd-history", {
            "action": action, "ip": remotes[i % 4], "is_skipped": False,
            "message-id": f"{rng.randrange(10**9)}@sender.example",
            "rcpt_mime": [rcpt], "rcpt_smtp": [rcpt], "required_score": 15,
            "scan_time": round(0.05 + rng.random() / 5, 3), "score": round(score, 2),
            "sender_mime": f"news{i}@sender.example", "sender_smtp": f"bounce{i}@sender.example",
            "size": rng.randint(3000, 120000),
            "subject": ["Your invoice", "Meeting notes", "WIN A PRIZE!!!", "Delivery update",
                        "Cheap meds", "Weekly digest", "Re: lunch"][i % 7],
            "symbols": symbols, "thresholds": {"reject": 15, "add header": 8, "greylist": 7},
            "time_real": round(0.2 + rng.random(), 3), "unix_time": ago(i * 6),
            "user": "unknown"})
