"""Cross-scope suite for the REST API: a key scoped to domain A tries every API route on B.

It walks the URL map, so API routes added later are covered without editing this file
beyond teaching it a body for a new write route (it fails until then, never skips).
"""
from __future__ import annotations

import uuid

import pytest

from panel import access
from panel.extensions import db
from panel.permissions import PERMISSIONS
from panel.services.api_keys import create_key
from tests.conftest import mailcow_api as _api

PASSWORD = "S3cret-Pass1!"




def _make_domain(sandbox, name):
    _api(sandbox, "add", "domain", {"domain": name, "active": "1", "mailboxes": "10",
                                    "aliases": "10", "defquota": "100", "maxquota": "200",
                                    "quota": "1000"})
    _api(sandbox, "add", "mailbox", {"local_part": "owner", "domain": name, "name": "Owner",
                                     "quota": "100", "password": PASSWORD,
                                     "password2": PASSWORD, "active": "1"})
    answer = _api(sandbox, "add", "alias", {"address": f"info@{name}", "goto": f"owner@{name}",
                                            "active": "1"})
    return {"domain": name, "mailbox": f"owner@{name}", "alias_id": int(answer[-1]["msg"][2]),
            "alias": f"info@{name}"}


@pytest.fixture(scope="module")
def two_domains(sandbox):
    tag = uuid.uuid4().hex[:6]
    return _make_domain(sandbox, f"apia{tag}.test"), _make_domain(sandbox, f"apib{tag}.test")


def b_snapshot(sandbox, b) -> dict:
    return {"domain": _api(sandbox, "get", f"domain/{b['domain']}"),
            "mailbox": _api(sandbox, "get", f"mailbox/{b['mailbox']}"),
            "alias": _api(sandbox, "get", f"alias/{b['alias_id']}")}


B_VALUES = {
    "name": lambda b: b["domain"],
    "username": lambda b: b["mailbox"],
    "alias_id": lambda b: b["alias_id"],
}
# A valid body for each write route, aimed at B, so only the scope can stop it.
BODIES = {
    "api.domain_create": lambda b: {"domain": f"x{uuid.uuid4().hex[:6]}.{b['domain']}"},
    "api.mailbox_create": lambda b: {"local_part": "intruder", "domain": b["domain"],
                                     "password": PASSWORD},
    "api.mailbox_set_password": lambda b: {"password": PASSWORD},
    "api.mailbox_set_sending": lambda b: {"enabled": False},
    "api.mailbox_set_sender_addresses": lambda b: {"addresses": [b["alias"]]},
    "api.alias_create": lambda b: {"address": f"new@{b['domain']}", "goto": [b["mailbox"]]},
    "api.alias_update": lambda b: {"goto": ["elsewhere@remote.test"]},
    "api.alias_delete": lambda b: None,
    "api.domain_delete": lambda b: None,
}


def api_rules(app):
    for rule in app.url_map.iter_rules():
        declared = getattr(app.view_functions[rule.endpoint], access.RULE_ATTR, None)
        if isinstance(declared, access.ApiRule):
            yield rule, declared


@pytest.fixture
def scoped(app, two_domains):
    a, _ = two_domains
    with app.app_context():
        _, raw = create_key("scoped-a", writable=True, actor="root", domains=[a["domain"]],
                            permissions=list(PERMISSIONS))
        db.session.remove()
    client = app.test_client()

    def call(method, url, body=None):
        return client.open(url, method=method, json=body, headers={"X-API-Key": raw})
    return call


def test_every_api_write_route_has_a_body_here(app):
    missing = [f"{rule.rule} ({rule.endpoint})" for rule, declared in api_rules(app)
               if declared.write and rule.endpoint not in BODIES]
    assert not missing, "teach BODIES a valid body for: " + ", ".join(missing)
    unknown = [f"{rule.rule}: {v}" for rule, _ in api_rules(app) for v in rule.arguments
               if v not in B_VALUES]
    assert not unknown, "no B object for URL variables: " + ", ".join(unknown)


def test_no_api_route_reaches_another_domain(app, sandbox, scoped, two_domains):
    a, b = two_domains
    before = b_snapshot(sandbox, b)
    checked = 0
    for rule, declared in api_rules(app):
        url = rule.build({n: B_VALUES[n](b) for n in rule.arguments}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            body = BODIES[rule.endpoint](b) if declared.write else None
            response = scoped(method, url, body)
            text = response.get_data(as_text=True)
            if declared.global_only:
                assert response.status_code == 403, f"{method} {url}: {text}"
            elif rule.arguments or declared.write:
                assert response.status_code == 404, f"{method} {url}: {text}"
            else:
                assert response.status_code == 200, f"{method} {url}: {text}"
            for secret in (b["domain"], b["mailbox"], b["alias"]):
                assert secret not in text, f"{method} {url} leaked {secret}"
            checked += 1
    assert checked >= 16
    assert b_snapshot(sandbox, b) == before, "an API route changed B's objects"


@pytest.mark.parametrize("query", ["?q={b}", "?domain={b}", "?q=owner", "?per_page=100"])
def test_api_lists_never_show_b(app, scoped, two_domains, query):
    a, b = two_domains
    for rule, _ in api_rules(app):
        if rule.arguments or "GET" not in rule.methods:
            continue
        url = rule.rule + query.format(b=b["domain"])
        response = scoped("GET", url)
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 404, 422), f"GET {url}: {text}"
        for secret in (b["domain"], b["mailbox"], b["alias"]):
            assert secret not in text, f"GET {url} leaked {secret}"
        if "domain=" not in query and response.status_code == 200 and "per_page" in query:
            assert a["domain"] in text, f"GET {url} should list A"
