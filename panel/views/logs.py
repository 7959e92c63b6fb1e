"""Mailcow's logs: one tab per source, the newest N entries, a text filter, auto-refresh.

Global administrators only. Mailcow's log routes are admin-only themselves, and the
entries carry no reliable domain: a Postfix or Rspamd line names senders and
recipients of any domain, Netfilter, ACME, watchdog and cron lines none at all. A
domain filter would either leak other domains' addresses or hide lines that matter,
so domain administrators do not get this page (their queue view is scoped instead).
"""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from panel import access
from panel.htmx import is_htmx
from panel.mailcow import mailcow
from panel.mailcow.logs import SOURCES

bp = Blueprint("logs", __name__, url_prefix="/logs")

COUNTS = (25, 50, 100, 250, 500, 1000)
DEFAULT_COUNT = 100
REFRESH_SECONDS = 10

LABELS = {
    "postfix": _l("Postfix"), "dovecot": _l("Dovecot"), "sogo": _l("SOGo"),
    "netfilter": _l("Netfilter"), "autodiscover": _l("Autodiscover"),
    "watchdog": _l("Watchdog"), "acme": _l("ACME"), "api": _l("API"),
    "ratelimited": _l("Rate limited"), "cron": _l("Cron"), "ui": _l("Mailcow UI"),
    "sasl": _l("SASL logins"), "rspamd-history": _l("Rspamd history"),
}

DESCRIPTIONS = {
    "postfix": _l("The MTA: connections, queue ids, deliveries and deferrals."),
    "dovecot": _l("IMAP, POP3, LMTP and Sieve: logins, failures and sessions."),
    "sogo": _l("The webmail, calendar and contacts server's requests."),
    "netfilter": _l("Fail2ban-style bans and unbans of abusive addresses."),
    "autodiscover": _l("Mail clients asking for their settings."),
    "watchdog": _l("Health checks of each service; 100% is healthy."),
    "acme": _l("Let's Encrypt certificate requests and renewals."),
    "api": _l("Calls to Mailcow's API, MailApp's included."),
    "ratelimited": _l("Messages held back by a rate limit."),
    "cron": _l("Scheduled jobs run inside Mailcow."),
    "ui": _l("Changes made in Mailcow's own web interface and through its API."),
    "sasl": _l("Successful sign-ins of mailboxes (IMAP, POP3, SMTP, SOGo)."),
    "rspamd-history": _l("Spam filter verdicts per message with score and symbols."),
}

# (field, label) after the time and level columns; the level column's title per source.
COLUMNS = {
    "syslog": ((_l("Priority")), (("program", _l("Program")), ("message", _l("Message")))),
    "netfilter": (_l("Priority"), (("message", _l("Message")),)),
    "acme": (None, (("message", _l("Message")),)),
    "watchdog": (_l("Health"), (("service", _l("Service")), ("health", _l("Health points")),
                                ("trend", _l("Trend")))),
    "autodiscover": (None, (("user", _l("User")), ("ip", _l("IP")),
                            ("service", _l("Service")), ("ua", _l("User agent")))),
    "api": (_l("Method"), (("uri", _l("URI")), ("remote", _l("Remote")),
                           ("data", _l("Data")))),
    "ratelimited": (_l("Rate limit"), (("user", _l("Sender")), ("rcpt", _l("Recipient")),
                                       ("subject", _l("Subject")), ("ip", _l("IP")),
                                       ("qid", _l("Queue ID")), ("rl_info", _l("Hash")))),
    "ui": (_l("Type"), (("task", _l("Task")), ("user", _l("User")),
                        ("remote", _l("Remote")), ("message", _l("Message")),
                        ("call", _l("Call")))),
    "sasl": (_l("Service"), (("username", _l("Username")), ("real_rip", _l("Remote IP")),
                             ("app_password", _l("App password")))),
    "rspamd-history": (_l("Action"), (("score", _l("Score")), ("sender", _l("From")),
                                      ("rcpt", _l("To")), ("subject", _l("Subject")),
                                      ("ip", _l("IP")), ("size", _l("Size")),
                                      ("symbols", _l("Top symbols")))),
}
SHAPE = {"postfix": "syslog", "dovecot": "syslog", "sogo": "syslog", "cron": "syslog"}


def _state() -> dict:
    source = request.args.get("source", "postfix")
    if source not in SOURCES:
        source = "postfix"
    try:
        count = int(request.args.get("count", DEFAULT_COUNT))
    except ValueError:
        count = DEFAULT_COUNT
    if count not in COUNTS:
        count = DEFAULT_COUNT
    return {"source": source, "count": count, "q": (request.args.get("q") or "").strip()[:200],
            "refresh": request.args.get("refresh") == "1"}


def _args(state: dict, **changes) -> dict:
    merged = {**state, **changes}
    return {"source": merged["source"], "count": merged["count"],
            "q": merged["q"] or None, "refresh": "1" if merged["refresh"] else None}


@bp.get("")
@access.global_admin
def index():
    state = _state()
    entries = mailcow().logs.get(state["source"], state["count"])
    shown = [e for e in entries if e.matches(state["q"])] if state["q"] else entries
    level_title, columns = COLUMNS[SHAPE.get(state["source"], state["source"])]
    context = dict(state=state, args=_args, sources=SOURCES, labels=LABELS,
                   description=DESCRIPTIONS[state["source"]], counts=COUNTS,
                   entries=shown, fetched=len(entries), level_title=level_title,
                   columns=columns, refresh_seconds=REFRESH_SECONDS)
    if is_htmx() and request.headers.get("HX-Target") == "log-table":
        return render_template("logs/_table.html", **context)
    if is_htmx():
        return render_template("logs/_panel.html", **context)
    return render_template("logs/index.html", **context)
