"""Seeding the sandbox: demo data, bulk data, and the answers of an empty store."""
from __future__ import annotations

import secrets

import pytest

from panel.mailcow.sandbox import SandboxServer, create_sandbox_app, seed_bulk, seed_demo

from .answers import Api, search_body


@pytest.fixture
def fresh(tmp_path):
    """A sandbox of its own on a new file, for what needs a known starting point."""
    db_path = str(tmp_path / "mailcow.sqlite3")
    key = secrets.token_hex(8)
    server = SandboxServer(create_sandbox_app(db_path, key)).start()
    api = Api("fresh", server.url, key, None, server.app)
    api.db_path = db_path
    yield api
    api.close()
    server.stop()


def test_an_empty_store_answers_empty_objects(fresh):
    """Recordings 01 and 19: no domains is {}, not []."""
    for path in ("get/domain/all", "get/mailbox/all", "get/alias/all", "get/alias-domain/all"):
        assert fresh.get(path).text == "{}", path
    found = fresh.post("search/mailbox", search_body()).json()
    assert found == {"draw": 1, "recordsTotal": 0, "recordsFiltered": 0, "data": []}


def test_demo_data_goes_in_once(fresh):
    assert seed_demo(fresh.db_path) is True
    assert seed_demo(fresh.db_path) is False
    domains = {d["domain_name"]: d for d in fresh.get_json("get/domain/all")}
    assert set(domains) == {"demo.test", "example.net", "example.org"}
    assert domains["example.net"]["rl"] == {"value": "500", "frame": "h"}
    mailboxes = fresh.get_json("get/mailbox/all")
    assert len(mailboxes) >= 10
    assert {m["percent_class"] for m in mailboxes} >= {"success", "danger"}
    assert any(m["last_imap_login"] for m in mailboxes)
    aliases = fresh.get_json("get/alias/all")
    assert any(a["is_catch_all"] for a in aliases)
    assert any(a["goto"] == "spam@localhost" for a in aliases)
    assert fresh.get_json("get/alias-domain/all")[0]["target_domain"] == "example.org"
    for name in domains:
        assert fresh.get_json(f"get/dkim/{name}")["length"] == "2048"


def test_bulk_data_counts(fresh):
    assert seed_bulk(fresh.db_path, 12, 400, 300) == {"domains": 12, "mailboxes": 400,
                                                      "aliases": 300}
    assert seed_bulk(fresh.db_path, 3, 20, 10) == {"domains": 3, "mailboxes": 20, "aliases": 10}
    domains = fresh.get_json("get/domain/all")
    assert len(domains) == 15
    assert sum(d["mboxes_in_domain"] for d in domains) == 420
    assert sum(d["aliases_in_domain"] for d in domains) == 310
    for domain in domains:
        assert domain["mboxes_left"] >= 0 and domain["aliases_left"] >= 0
        assert domain["max_new_mailbox_quota"] >= 0
    found = fresh.post("search/mailbox", search_body(length=5)).json()
    assert found["recordsTotal"] == 420 and len(found["data"]) == 5
    assert len(fresh.get_json("get/alias/all")) == 310
    # Bulk mailboxes behave like added ones: the API can edit and delete them.
    username = found["data"][0]["username"]
    fresh.write("edit/mailbox", {"items": [username], "attr": {"name": "Renamed"}})
    assert fresh.get_json(f"get/mailbox/{username}")["name"] == "Renamed"
    fresh.write("delete/mailbox", [username])


def test_bulk_data_needs_a_domain_for_mailboxes(tmp_path):
    with pytest.raises(ValueError):
        seed_bulk(str(tmp_path / "x.sqlite3"), 0, 5, 0)
