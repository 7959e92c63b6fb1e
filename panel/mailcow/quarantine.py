"""Mailcow's quarantine: held messages (list, preview, release, learn, delete) and settings.

`get/quarantine/all` lists every item without its message; `get/quarantine/{id}` gives
the whole row (raw message, Rspamd symbols as a JSON string). Actions go through
`edit/qitem` (release, learnspam, learnham) and `delete/qitem`. Mailcow reports a failed
release as a *warning*, not a refusal, so each action here checks for its own success
key and raises MailcowRefused without it.

The settings (`edit/quarantine` with action "settings") can be written but Mailcow's
API has no route that reads them back.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import MailcowRefused, NotFound
from panel.mailcow.wire import as_int

ACTIONS = ("release", "learnham", "learnspam", "delete")
# The success key Mailcow answers each action with; without it the action did not happen.
SUCCESS_KEYS = {"release": "item_released", "learnham": "item_learned",
                "learnspam": "qlearn_spam", "delete": "item_deleted"}
RELEASE_FORMATS = ("raw", "attachment")


@dataclass(frozen=True)
class QuarantineItem:
    id: int
    qid: str
    subject: str
    sender: str
    rcpt: str
    score: float
    action: str          # Rspamd's result: reject, add_header, rewrite_subject…
    virus: bool          # Rspamd's VIRUS_FOUND symbol was set
    notified: bool
    created: datetime | None

    @property
    def domain(self) -> str:
        return self.rcpt.rpartition("@")[2].lower()


@dataclass(frozen=True)
class Symbol:
    name: str
    score: float
    description: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class QuarantineMessage:
    """One item with its message taken apart for a preview."""

    item: QuarantineItem
    ip: str
    symbols: tuple[Symbol, ...]
    headers: tuple[tuple[str, str], ...]
    text: str
    attachments: tuple[Attachment, ...]
    raw_size: int


def _score(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _created(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    if isinstance(value, str):
        try:
            return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return None
    return None


def item_from_wire(d: dict) -> QuarantineItem:
    symbols = d.get("symbols")
    virus = as_int(d.get("virus_flag")) > 0 if "virus_flag" in d \
        else "VIRUS_FOUND" in str(symbols or "")
    return QuarantineItem(
        id=as_int(d.get("id")), qid=str(d.get("qid") or ""),
        subject=str(d.get("subject") or ""), sender=str(d.get("sender") or ""),
        rcpt=str(d.get("rcpt") or ""), score=_score(d.get("score")),
        action=str(d.get("action") or ""), virus=virus,
        notified=as_int(d.get("notified")) == 1, created=_created(d.get("created")))


def parse_symbols(value: Any) -> tuple[Symbol, ...]:
    """Rspamd's symbols as Mailcow stores them: a JSON list (or map) of symbol objects."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except ValueError:
            return ()
    if isinstance(value, dict):
        value = [{"name": k, **v} if isinstance(v, dict) else {"name": k} for k, v in value.items()]
    found = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        options = entry.get("options") or []
        found.append(Symbol(str(entry["name"]), _score(entry.get("score")),
                            str(entry.get("description") or ""),
                            tuple(str(o) for o in options) if isinstance(options, list) else ()))
    return tuple(sorted(found, key=lambda s: (-s.score, s.name)))


def parse_message(raw: str) -> tuple[tuple[tuple[str, str], ...], str, tuple[Attachment, ...]]:
    """(headers, plain text body, attachments) of a raw message; never raises."""
    try:
        message: EmailMessage = message_from_string(raw or "", policy=policy.default)
    except Exception:  # a broken message still gets a preview of its raw text
        return (), raw or "", ()
    headers = []
    for name, value in message.raw_items():
        headers.append((name, " ".join(str(value).split())))
    text = ""
    attachments = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if disposition == "attachment" or (filename and disposition != "inline"):
            payload = part.get_payload(decode=True) or b""
            attachments.append(Attachment(filename or "(unnamed)", part.get_content_type(),
                                          len(payload)))
        elif part.get_content_type() == "text/plain" and not text:
            try:
                text = part.get_content()
            except (LookupError, UnicodeError, KeyError):
                text = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return tuple(headers), text, tuple(attachments)


def message_from_wire(d: dict) -> QuarantineMessage:
    raw = str(d.get("msg") or "")
    headers, text, attachments = parse_message(raw)
    return QuarantineMessage(item=item_from_wire(d), ip=str(d.get("ip") or ""),
                             symbols=parse_symbols(d.get("symbols")), headers=headers,
                             text=text, attachments=attachments,
                             raw_size=len(raw.encode("utf-8")))


@dataclass
class QuarantineSettings:
    """What `edit/quarantine` takes. Sizes in MiB; 0 retention or 0 size disables it."""

    retention_size: int = 0        # items kept per mailbox
    max_size: int = 0              # MiB; larger messages are not kept
    max_score: str = ""            # only keep messages scoring below this ("" = no limit)
    max_age: int = 365             # days an item is kept
    exclude_domains: list[str] = field(default_factory=list)
    release_format: str = "raw"    # raw: the original; attachment: wrapped as .eml
    sender: str = ""
    subject: str = ""
    bcc: str = ""
    redirect: str = ""
    html_tmpl: str = ""

    @property
    def enabled(self) -> bool:
        return self.retention_size > 0 and self.max_size > 0

    def wire(self) -> dict:
        return {"action": "settings", "retention_size": str(self.retention_size),
                "max_size": str(self.max_size), "max_score": self.max_score,
                "max_age": str(self.max_age), "exclude_domains": list(self.exclude_domains),
                "release_format": self.release_format, "sender": self.sender,
                "subject": self.subject, "bcc": self.bcc, "redirect": self.redirect,
                "html_tmpl": self.html_tmpl}


def _checked(outcome: Outcome, action: str) -> Outcome:
    """The outcome if Mailcow says it did the action, else its warnings as a refusal."""
    if SUCCESS_KEYS[action] in outcome.keys:
        return outcome
    reasons = outcome.warnings or outcome.messages or ["Mailcow did not confirm the action"]
    raise MailcowRefused(reasons, [k for k in outcome.keys if k != SUCCESS_KEYS[action]])


class QuarantineApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[QuarantineItem]:
        data = self.client.get("quarantine/all")
        return [item_from_wire(d) for d in data if isinstance(d, dict) and "id" in d] \
            if isinstance(data, list) else []

    def get(self, item_id: int) -> QuarantineMessage:
        data = self.client.get(f"quarantine/{int(item_id)}")
        if not isinstance(data, dict) or "id" not in data:
            raise NotFound(f"Quarantine item {item_id} does not exist")
        return message_from_wire(data)

    def act(self, action: str, item_id: int) -> Outcome:
        """Release, learn or delete ONE item; raises MailcowRefused unless it happened."""
        assert action in ACTIONS
        if action == "delete":
            outcome = self.client.write("delete", "qitem", [str(int(item_id))])
        else:
            outcome = self.client.write("edit", "qitem", {"items": [str(int(item_id))],
                                                          "attr": {"action": action}})
        return _checked(outcome, action)

    def save_settings(self, settings: QuarantineSettings) -> Outcome:
        return self.client.write("edit", "quarantine", {"items": ["quarantine"],
                                                        "attr": settings.wire()})
