"""Mailcow's logs (get/logs/<source>/<count>): each source's own shape made into entries.

Mailcow fills these from Redis lists the containers push to, from MySQL (UI actions,
SASL logins) and from Rspamd's history. Every source has its own fields and its own
idea of time (numbers, numeric strings, "YYYY-MM-DD HH:MM:SS"); the adapter gives
back one `LogEntry` per line with a real datetime, a level, and plain text fields.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from panel.mailcow.client import MailcowClient
from panel.mailcow.errors import MailcowError
from panel.mailcow.messages import describe

# Mailcow's route names, in the order its own Logs page shows them.
SOURCES = ("postfix", "dovecot", "sogo", "netfilter", "autodiscover", "watchdog", "acme",
           "api", "ratelimited", "cron", "ui", "sasl", "rspamd-history")
SECRET_KEY = re.compile(r"pass|secret|token|key", re.I)


@dataclass(frozen=True)
class LogEntry:
    time: datetime | None
    level: str            # ok / info / warn / bad / off: how loudly to show it
    level_label: str      # Mailcow's own word (priority, type, action, health)
    fields: dict[str, str] = field(default_factory=dict)

    def matches(self, needle: str) -> bool:
        needle = needle.lower()
        return needle in self.level_label.lower() or \
            any(needle in value.lower() for value in self.fields.values())


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(float(value)), timezone.utc)
    if isinstance(value, str):
        try:  # MySQL DATETIME, in the server's time zone (UTC in Mailcow's containers)
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return str(value)


PRIORITY_LEVEL = {"emerg": "bad", "alert": "bad", "crit": "bad", "err": "bad", "error": "bad",
                  "warning": "warn", "warn": "warn", "notice": "info", "info": "off",
                  "debug": "off"}


def _priority(item: dict) -> tuple[str, str]:
    word = _text(item.get("priority")).lower()
    return PRIORITY_LEVEL.get(word, "off"), word


def _masked(value: Any) -> Any:
    """Mailcow stars most password fields itself; whatever it missed is starred here."""
    if isinstance(value, dict):
        return {k: ("*" if SECRET_KEY.search(str(k)) and v not in ("", None) else _masked(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _json_text(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _syslog(item: dict) -> LogEntry:
    level, word = _priority(item)
    return LogEntry(_time(item.get("time")), level, word,
                    {"program": _text(item.get("program")),
                     "message": _text(item.get("message"))})


def _netfilter(item: dict) -> LogEntry:
    level, word = _priority(item)
    return LogEntry(_time(item.get("time")), level, word,
                    {"message": _text(item.get("message"))})


def _acme(item: dict) -> LogEntry:
    message = _text(item.get("message"))
    bad = re.search(r"\b(error|failed|could not|cannot)\b", message, re.I)
    return LogEntry(_time(item.get("time")), "bad" if bad else "off", "",
                    {"message": message})


def _watchdog(item: dict) -> LogEntry:
    try:
        lvl = int(_text(item.get("lvl")) or 0)
    except ValueError:
        lvl = 0
    level = "ok" if lvl >= 100 else ("warn" if lvl > 0 else "bad")
    diff = _text(item.get("hpdiff")) or "0"
    return LogEntry(_time(item.get("time")), level, f"{lvl}%",
                    {"service": _text(item.get("service")),
                     "health": f"{_text(item.get('hpnow'))}/{_text(item.get('hptotal'))}",
                     "trend": diff if diff.startswith("-") or diff == "0" else f"+{diff}"})


def _autodiscover(item: dict) -> LogEntry:
    service = _text(item.get("service"))
    level = "bad" if service.lower().startswith("error") else "off"
    return LogEntry(_time(item.get("time")), level, "",
                    {"user": _text(item.get("user")), "ip": _text(item.get("ip")),
                     "service": service, "ua": _text(item.get("ua"))})


def _api(item: dict) -> LogEntry:
    method = _text(item.get("method")).upper()
    data = _text(item.get("data"))
    # The data is "name='json', name2='json2'": star secrets inside the JSON parts.
    data = re.sub(r"\"([^\"]*(?:pass|secret|token|key)[^\"]*)\":\"(?:[^\"\\\\]|\\\\.)*\"",
                  lambda m: f'"{m.group(1)}":"*"', data, flags=re.I)
    return LogEntry(_time(item.get("time")), "info" if method != "GET" else "off", method,
                    {"uri": _text(item.get("uri")), "remote": _text(item.get("remote")),
                     "data": data})


def _ratelimited(item: dict) -> LogEntry:
    return LogEntry(_time(item.get("time")), "warn", _text(item.get("rl_name")),
                    {"rl_info": _text(item.get("rl_info")),
                     "user": _text(item.get("user") or item.get("from")),
                     "header_from": _text(item.get("header_from")),
                     "rcpt": _text(item.get("rcpt")),
                     "subject": _text(item.get("header_subject")),
                     "ip": _text(item.get("ip")), "qid": _text(item.get("qid")),
                     "message_id": _text(item.get("message_id"))})


UI_LEVEL = {"success": "ok", "danger": "bad", "error": "bad", "warning": "warn", "info": "info"}


def _ui(item: dict) -> LogEntry:
    kind = _text(item.get("type")).lower()
    msg = _json_text(item.get("msg"))
    call = _masked(_json_text(item.get("call")))
    role = _text(item.get("role"))
    user = _text(item.get("user"))
    return LogEntry(_time(item.get("time")), UI_LEVEL.get(kind, "off"), kind,
                    {"user": f"{user} ({role})" if role and role != user else user,
                     "remote": _text(item.get("remote")), "task": _text(item.get("task")),
                     "message": describe(msg) if msg else "",
                     "call": json.dumps(call, ensure_ascii=False) if call else ""})


def _sasl(item: dict) -> LogEntry:
    app = item.get("app_password")
    app_text = f"#{app}" if app not in (None, "", 0, "0") else ""
    return LogEntry(_time(item.get("datetime")), "off", _text(item.get("service")),
                    {"username": _text(item.get("username")),
                     "real_rip": _text(item.get("real_rip")), "app_password": app_text})


RSPAMD_LEVEL = {"no action": "ok", "add header": "warn", "rewrite subject": "warn",
                "greylist": "info", "soft reject": "warn", "reject": "bad"}


def _rspamd(item: dict) -> LogEntry:
    action = _text(item.get("action"))
    symbols = item.get("symbols") if isinstance(item.get("symbols"), dict) else {}
    ranked = sorted(symbols.values(), key=lambda s: -abs(float(s.get("score") or 0))
                    if isinstance(s, dict) else 0)
    top = [f"{s.get('name')} ({float(s.get('score') or 0):+.1f})" for s in ranked[:4]
           if isinstance(s, dict)]
    try:
        score = f"{float(item.get('score') or 0):.2f} / {float(item.get('required_score') or 0):g}"
    except (TypeError, ValueError):
        score = _text(item.get("score"))
    return LogEntry(_time(item.get("unix_time")), RSPAMD_LEVEL.get(action, "off"), action,
                    {"score": score,
                     "sender": _text(item.get("sender_mime") or item.get("sender_smtp")),
                     "rcpt": _text(item.get("rcpt_mime") or item.get("rcpt_smtp")),
                     "subject": _text(item.get("subject")), "ip": _text(item.get("ip")),
                     "size": _text(item.get("size")), "symbols": ", ".join(top)})


PARSERS: dict[str, Callable[[dict], LogEntry]] = {
    "postfix": _syslog, "dovecot": _syslog, "sogo": _syslog, "cron": _syslog,
    "netfilter": _netfilter, "acme": _acme, "watchdog": _watchdog,
    "autodiscover": _autodiscover, "api": _api, "ratelimited": _ratelimited,
    "ui": _ui, "sasl": _sasl, "rspamd-history": _rspamd,
}


def parse(source: str, data: Any) -> list[LogEntry]:
    """Mailcow's answer for one source, newest first as Mailcow sends it."""
    if data in ({}, [], None, ""):
        return []  # an empty list prints as {} in Mailcow's answers
    if not isinstance(data, list):
        raise MailcowError(f"Mailcow answered the {source} log with something that is not "
                           "a list of entries")
    parser = PARSERS[source]
    return [parser(item) for item in data if isinstance(item, dict)]


class LogsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def get(self, source: str, count: int) -> list[LogEntry]:
        """The newest `count` entries of one source."""
        if source not in PARSERS:
            raise ValueError(f"unknown log source {source!r}")
        return parse(source, self.client.get(f"logs/{source}/{int(count)}"))
