"""The adapter turns every way Mailcow can fail into one typed, readable error."""
import socket

import pytest

from panel.mailcow import Mailcow, MailcowClient
from panel.mailcow.domains import DomainSettings
from panel.mailcow.errors import (MailcowAuthError, MailcowError, MailcowRefused, MailcowTimeout,
                                  MailcowUnavailable, NotFound)
from panel.mailcow.paging import PageRequest


@pytest.fixture
def mc(sandbox):
    m = Mailcow(MailcowClient(sandbox.url, sandbox.rw_key, sandbox.ro_key, timeout=1))
    yield m
    m.close()


def test_refusal_carries_keys_and_english(mc):
    with pytest.raises(MailcowRefused) as err:
        mc.domains.add("not a domain!", DomainSettings())
    assert err.value.keys == ["domain_invalid"]
    assert "not valid" in err.value.message


def test_missing_object_is_not_found(mc):
    with pytest.raises(NotFound):
        mc.domains.get("missing-domain.test")


def test_wrong_key_is_an_auth_error(sandbox):
    mc = Mailcow(MailcowClient(sandbox.url, "wrong-key"))
    with pytest.raises(MailcowAuthError) as err:
        mc.domains.names()
    assert err.value.status == 401 and "rejected the API key" in err.value.message


def test_read_only_key_is_refused_on_writes_with_403(sandbox):
    mc = Mailcow(MailcowClient(sandbox.url, sandbox.ro_key))
    assert isinstance(mc.domains.names(), list)
    with pytest.raises(MailcowAuthError) as err:
        mc.domains.add("ro-refused.test", DomainSettings())
    assert err.value.status == 403 and "read-only" in err.value.message


def test_reads_use_the_read_only_key_and_writes_the_read_write_key(sandbox):
    # A wrong read-write key only shows on writes: reads went with the read-only key.
    mc = Mailcow(MailcowClient(sandbox.url, "wrong-rw", sandbox.ro_key))
    assert mc.domains.search(PageRequest()).total >= 1
    with pytest.raises(MailcowAuthError):
        mc.domains.delete(["whatever.test"])


def test_no_key_gives_a_clear_message(sandbox):
    mc = Mailcow(MailcowClient(sandbox.url, None))
    with pytest.raises(MailcowAuthError) as err:
        mc.domains.names()
    assert "MAILCOW_API_KEY" in err.value.message


def test_timeout(mc, faults):
    faults.inject_fault("delay", seconds=2)
    with pytest.raises(MailcowTimeout) as err:
        mc.domains.names()
    assert "did not answer within 1 seconds" in err.value.message


def test_html_500(mc, faults):
    faults.inject_fault("http500")
    with pytest.raises(MailcowUnavailable) as err:
        mc.domains.names()
    assert err.value.status == 500


def test_html_instead_of_json(mc, faults):
    faults.inject_fault("html200")
    with pytest.raises(MailcowUnavailable) as err:
        mc.domains.names()
    assert "web page instead of JSON" in err.value.message


def test_connection_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mc = Mailcow(MailcowClient(f"http://127.0.0.1:{port}", "k"))
    with pytest.raises(MailcowUnavailable) as err:
        mc.domains.names()
    assert f"Cannot reach Mailcow at http://127.0.0.1:{port}" in err.value.message


def test_client_repr_never_shows_the_key(sandbox):
    client = MailcowClient(sandbox.url, "super-secret-key")
    assert "super-secret-key" not in repr(client)


def test_key_is_not_logged(mc, faults, caplog):
    caplog.set_level("DEBUG")
    faults.inject_fault("http500")
    with pytest.raises(MailcowUnavailable):
        mc.domains.names()
    faults.clear_faults()
    mc.domains.names()
    assert mc.client._rw_key not in caplog.text and mc.client._ro_key not in caplog.text


def test_search_error_object_is_reported(mc):
    # Sorting by tags makes Mailcow answer 200 {"error": "An SQL error occurred: ..."}.
    with pytest.raises(MailcowError) as err:
        mc.client.search("domain", {"draw": 1, "start": 0, "length": 10,
                                    "search": {"value": "", "regex": False},
                                    "order": [{"column": 14, "dir": "asc"}],
                                    "columns": [{"data": str(i), "searchable": "false",
                                                 "orderable": "true"} for i in range(16)]})
    assert "Mailcow could not search" in err.value.message


def test_domain_names_are_reused_until_the_count_changes(mc, sandbox):
    from tests.conftest import mailcow_api

    first = mc.domains.names()
    assert mc.domains.names() == first
    name = "names-cache-check.test"
    mailcow_api(sandbox, "add", "domain", {"domain": name, "active": "1"})
    try:
        # Added behind MailApp's back: the one-row count check notices.
        assert name in mc.domains.names()
    finally:
        mailcow_api(sandbox, "delete", "domain", [name])
    assert name not in mc.domains.names()
