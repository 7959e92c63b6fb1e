"""Mailcow's password policy (`get/passwordpolicy`) and the check Mailcow applies with it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.wire import as_int, flag


@dataclass(frozen=True)
class PasswordPolicy:
    length: int = 6
    chars: bool = False          # at least one letter
    special_chars: bool = False  # at least one character that is not a letter or digit
    lowerupper: bool = False     # lower- and uppercase letters
    numbers: bool = False        # at least one digit

    def problems(self, password: str) -> list[str]:
        """The rules `password` breaks, as keys: "length", "chars", ... (Mailcow's order)."""
        broken = []
        if len(password.encode("utf-8")) < self.length:
            broken.append("length")
        if self.chars and not re.search(r"[a-zA-Z]", password):
            broken.append("chars")
        if self.special_chars and not re.search(r"[^a-zA-Z\d]", password):
            broken.append("special_chars")
        if self.lowerupper and not (re.search(r"[a-z]", password)
                                    and re.search(r"[A-Z]", password)):
            broken.append("lowerupper")
        if self.numbers and not re.search(r"\d", password):
            broken.append("numbers")
        return broken

    @property
    def html_pattern(self) -> str:
        """The classes as an HTML `pattern` (lookaheads), so browsers check them too."""
        parts = []
        if self.chars:
            parts.append("(?=.*[a-zA-Z])")
        if self.special_chars:
            parts.append("(?=.*[^a-zA-Z0-9])")
        if self.lowerupper:
            parts.append("(?=.*[a-z])(?=.*[A-Z])")
        if self.numbers:
            parts.append("(?=.*[0-9])")
        return "".join(parts) + ".*" if parts else ""


    def wire(self) -> dict:
        """What `edit/passwordpolicy` takes: numbers as strings, flags as "0"/"1"."""
        return {"length": str(self.length), "chars": flag(self.chars),
                "special_chars": flag(self.special_chars), "lowerupper": flag(self.lowerupper),
                "numbers": flag(self.numbers)}


# Mailcow ignores (keeps the old value of) a length below this.
MIN_LENGTH = 3


def from_wire(d: dict) -> PasswordPolicy:
    return PasswordPolicy(
        length=as_int(d.get("length")) or 0,
        chars=as_int(d.get("chars")) == 1,
        special_chars=as_int(d.get("special_chars")) == 1,
        lowerupper=as_int(d.get("lowerupper")) == 1,
        numbers=as_int(d.get("numbers")) == 1,
    )


class PasswordPolicyApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def get(self) -> PasswordPolicy:
        data = self.client.get("passwordpolicy")
        return from_wire(data if isinstance(data, dict) else {})

    def save(self, policy: PasswordPolicy) -> Outcome:
        if policy.length < MIN_LENGTH:
            raise ValueError(f"Mailcow ignores a minimum length below {MIN_LENGTH}")
        return self.client.write("edit", "passwordpolicy",
                                 {"items": ["none"], "attr": policy.wire()})
