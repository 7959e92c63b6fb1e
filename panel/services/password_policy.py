"""Changing Mailcow's password policy, audited with what changed."""
from __future__ import annotations

from dataclasses import asdict

from panel.audit import audited
from panel.mailcow import Mailcow, Outcome
from panel.mailcow.password_policy import PasswordPolicy


def save_policy(mc: Mailcow, before: PasswordPolicy, policy: PasswordPolicy) -> Outcome:
    old, new = asdict(before), asdict(policy)
    changes = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
    return audited("password_policy.update", target="password policy", domain=None,
                   changes=changes, call=lambda: mc.password_policy.save(policy))
