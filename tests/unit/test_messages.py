"""Mailcow's message lists become outcomes or readable, typed refusals."""
import pytest

from panel.mailcow.client import read_messages
from panel.mailcow.errors import MailcowError, MailcowRefused
from panel.mailcow.messages import describe


def test_key_with_argument_reads_as_english():
    assert describe(["domain_exists", "example.org"]) == "Domain example.org already exists"


def test_key_without_argument():
    assert describe("domain_invalid") == "The domain name is empty or not valid"


def test_numeric_argument_is_formatted():
    assert describe(["mailbox_quota_exceeded", 10240]) == \
        "The quota is above the domain's limit of 10240 MiB per mailbox"


def test_unknown_key_and_free_text_are_shown_not_hidden():
    assert describe(["brand_new_key", "x"]) == "brand_new_key (x)"
    assert describe("Could not move mail storage to garbage collector: ") == \
        "Could not move mail storage to garbage collector:"


def test_success_list_keeps_messages_and_warnings_apart():
    # Recording 18_delete_domain: a warning, then the success.
    outcome = read_messages([
        {"type": "warning", "log": [], "msg": "Could not move mail storage to garbage collector: "},
        {"type": "success", "log": [], "msg": ["domain_removed", "example.test"]},
    ])
    assert outcome.messages == ["Domain example.test deleted"]
    assert outcome.warnings == ["Could not move mail storage to garbage collector:"]
    assert outcome.keys == ["Could not move mail storage to garbage collector: ", "domain_removed"]


def test_any_danger_entry_is_a_refusal_with_keys():
    with pytest.raises(MailcowRefused) as err:
        read_messages([
            {"type": "success", "log": [], "msg": ["rl_saved", "x"]},
            {"type": "danger", "log": [], "msg": ["domain_exists", "example.test"]},
        ])
    assert err.value.keys == ["domain_exists"]
    assert err.value.messages == ["Domain example.test already exists"]


def test_bare_objects_mailcow_sends_when_nothing_was_reported():
    assert read_messages({"type": "success", "msg": "Task completed"}).messages == ["Task completed"]
    with pytest.raises(MailcowRefused):
        read_messages({"type": "error", "msg": "Cannot add item"})


def test_log_entries_are_never_kept_because_they_echo_passwords():
    outcome = read_messages([{"type": "success", "log": ["relayhost", {"password": "hunter2"}],
                              "msg": "relayhost_added"}])
    assert "hunter2" not in repr(outcome)


def test_empty_answer_is_not_understood():
    with pytest.raises(MailcowError):
        read_messages([])
