"""Mailbox TLS policy and quarantine notifications: recording 79, and Mailcow's
edit/tls_policy, edit/quarantine_notification and edit/quarantine_category handlers
(functions.mailbox.inc.php: one attribute per call, access_denied for a bad value)."""
from __future__ import annotations

from .answers import log


def attributes(api, username: str) -> dict:
    return api.get_json(f"get/mailbox/{username}")["attributes"]


def test_quarantine_notification_as_recorded(api, mailbox):
    answer = api.post("edit/quarantine_notification",
                      {"items": [mailbox], "attr": {"quarantine_notification": "daily"}}).json()
    assert answer == [{"type": "success",
                       "log": log("edit", "quarantine_notification",
                                  {"username": [mailbox], "quarantine_notification": "daily"}),
                       "msg": ["mailbox_modified", mailbox]}]
    assert attributes(api, mailbox)["quarantine_notification"] == "daily"


def test_quarantine_values_outside_mailcows_lists_are_refused(api, mailbox):
    for kind, value in (("quarantine_notification", "monthly"), ("quarantine_category", "x")):
        answer = api.post(f"edit/{kind}", {"items": [mailbox], "attr": {kind: value}}).json()
        assert answer == [{"type": "danger",
                           "log": log("edit", kind, {"username": [mailbox], kind: value}),
                           "msg": "access_denied"}]
    assert attributes(api, mailbox)["quarantine_notification"] == "hourly"
    assert attributes(api, mailbox)["quarantine_category"] == "reject"


def test_quarantine_category(api, mailbox):
    api.write("edit/quarantine_category",
              {"items": [mailbox], "attr": {"quarantine_category": "add_header"}})
    assert attributes(api, mailbox)["quarantine_category"] == "add_header"


def test_tls_policy_sets_each_direction_and_keeps_the_other(api, mailbox):
    answer = api.post("edit/tls_policy",
                      {"items": [mailbox], "attr": {"tls_enforce_in": "1"}}).json()
    assert answer == [{"type": "success",
                       "log": log("edit", "tls_policy",
                                  {"username": [mailbox], "tls_enforce_in": "1"}),
                       "msg": ["mailbox_modified", mailbox]}]
    got = attributes(api, mailbox)
    assert (got["tls_enforce_in"], got["tls_enforce_out"]) == ("1", "0")
    api.write("edit/tls_policy", {"items": [mailbox], "attr": {"tls_enforce_out": "1"}})
    got = attributes(api, mailbox)
    assert (got["tls_enforce_in"], got["tls_enforce_out"]) == ("1", "1")


def test_unknown_mailbox_is_access_denied(api, domain):
    ghost = f"ghost@{domain}"
    answer = api.post("edit/tls_policy",
                      {"items": [ghost], "attr": {"tls_enforce_in": "1"}}).json()
    assert answer == [{"type": "danger",
                       "log": log("edit", "tls_policy",
                                  {"username": [ghost], "tls_enforce_in": "1"}),
                       "msg": "access_denied"}]
