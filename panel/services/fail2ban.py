"""Fail2ban use cases: save the parameters and lists, act on bans, edit or reset the
regular expressions — every change audited."""
from __future__ import annotations

from dataclasses import asdict, replace

from panel.audit import audited
from panel.mailcow import Mailcow, Outcome
from panel.mailcow.fail2ban import Fail2banSettings, Fail2banState

BAN_ACTIONS = ("unban", "allow", "deny", "undeny")


def save_settings(mc: Mailcow, before: Fail2banState, settings: Fail2banSettings) -> Outcome:
    old, new = asdict(before.settings), asdict(settings)
    changes = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}
    return audited("fail2ban.update", target="fail2ban", domain=None, changes=changes,
                   call=lambda: mc.fail2ban.save(settings))


def ban_action(mc: Mailcow, action: str, networks: list[str]) -> Outcome:
    """Unban, allow-list, deny-list or take off the deny list, in one Mailcow call."""
    assert action in BAN_ACTIONS
    if action == "undeny":
        # Mailcow has no action for it: the options are saved with a shorter deny list.
        before = mc.fail2ban.get()
        settings = replace(before.settings, blacklist=[
            n for n in before.settings.blacklist if n not in networks])
        return audited("fail2ban.undeny", target=", ".join(networks)[:200], domain=None,
                       changes={"networks": list(networks)},
                       call=lambda: mc.fail2ban.save(settings))
    call = {"unban": mc.fail2ban.unban, "allow": mc.fail2ban.allow,
            "deny": mc.fail2ban.deny}[action]
    return audited(f"fail2ban.{action}", target=", ".join(networks)[:200], domain=None,
                   changes={"networks": list(networks)}, call=lambda: call(list(networks)))


def save_regex(mc: Mailcow, before: Fail2banState, patterns: list[str]) -> Outcome:
    old = [p for _, p in before.regex]
    return audited("fail2ban.regex", target="fail2ban", domain=None,
                   changes={"regex": [old, patterns]},
                   call=lambda: mc.fail2ban.save_regex(patterns))


def reset_regex(mc: Mailcow) -> Outcome:
    return audited("fail2ban.regex_reset", target="fail2ban", domain=None,
                   call=mc.fail2ban.reset_regex)
