"""Mailcow's per-mailbox spam thresholds (`spam-score`): above the low score mail goes to
the junk folder, above the high score it is rejected."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound


@dataclass(frozen=True)
class SpamScore:
    low: float    # junk folder above this
    high: float   # rejected above this


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _text(value: float) -> str:
    return f"{value:g}"


def parse(score: str) -> SpamScore:
    low, _, high = score.replace(" ", "").partition(",")
    return SpamScore(_number(low), _number(high))


class SpamScoreApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def get(self, username: str) -> SpamScore:
        data = self.client.get(f"spam-score/{quote(username, safe='@+')}")
        score = data.get("score") if isinstance(data, dict) else None
        if not isinstance(score, str):
            raise NotFound(f"No spam score for {username}")
        try:
            return parse(score)
        except ValueError as exc:
            raise NotFound(f"Mailcow's spam score for {username} is not readable") from exc

    def set(self, username: str, score: SpamScore) -> Outcome:
        return self.client.write("edit", "spam-score", {
            "items": [username], "attr": {"spam_score": f"{_text(score.low)},{_text(score.high)}"}})
