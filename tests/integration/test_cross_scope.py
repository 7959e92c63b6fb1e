"""Cross-scope suite: a domain administrator of A tries every route with B's objects.

It walks the app's URL map, so routes added by later areas are covered without
editing this file. Each route is classified by its access rule; a route it cannot
classify (an unknown rule, or a URL variable with no B object to put in it) fails
the suite, so a new area must teach it how — never silently skip.
"""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from panel import access
from panel.extensions import db
from panel.mailcow.sandbox.areas.quarantine import quarantine_mail
from panel.mailcow.sandbox.store import opened, transaction
from panel.models import Admin
from panel.permissions import PERMISSIONS
from panel.services.admins import create_admin
from tests.conftest import csrf_token, sign_in
from tests.conftest import mailcow_api as _api

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _make_domain(sandbox, name):
    _api(sandbox, "add", "domain", {"domain": name, "active": "1", "mailboxes": "10",
                                    "aliases": "10", "defquota": "100", "maxquota": "200",
                                    "quota": "1000"})
    _api(sandbox, "add", "mailbox", {"local_part": "owner", "domain": name, "name": "Owner",
                                     "quota": "100", "password": "S3cret-Pass1",
                                     "password2": "S3cret-Pass1", "active": "1"})
    _api(sandbox, "add", "alias", {"address": f"info@{name}", "goto": f"owner@{name}",
                                   "active": "1"})
    _api(sandbox, "add", "alias-domain", {"alias_domain": f"alias-{name}",
                                          "target_domain": name, "active": "1"})
    _api(sandbox, "add", "resource", {"description": "Room 1", "kind": "location",
                                      "domain": name, "multiple_bookings": "0", "active": "1"})
    alias = next(a for a in _api(sandbox, "get", "alias/all") if a["address"] == f"info@{name}")
    with opened(sandbox.db_path) as conn, transaction(conn):  # Rspamd holds mail for B
        qitem = quarantine_mail(conn, f"owner@{name}", "spam@bad.test", "Held", 15.0)
    _api(sandbox, "add", "syncjob", {"username": f"owner@{name}", "host1": "imap.remote.test",
                                     "port1": "993", "user1": "b@remote.test",
                                     "password1": "x", "enc1": "SSL", "mins_interval": "20",
                                     "active": "1"})
    _api(sandbox, "add", "filter", {"username": f"owner@{name}", "filter_type": "prefilter",
                                    "script_desc": "B's filter", "script_data": "keep;",
                                    "active": "1"})
    _api(sandbox, "add", "bcc", {"local_dest": name, "bcc_dest": "archive@copies.test",
                                 "type": "rcpt", "active": "1"})
    bcc = next(m for m in _api(sandbox, "get", "bcc/all") if m["domain"] == name)
    syncjob_id = _api(sandbox, "get", f"syncjobs/owner@{name}/no_log")[0]["id"]
    filter_id = _api(sandbox, "get", f"filters/owner@{name}")[0]["id"]
    return {"domain": name, "mailbox": f"owner@{name}", "alias_id": alias["id"],
            "alias": f"info@{name}", "alias_domain": f"alias-{name}",
            "resource": f"Room1@{name}", "qitem": qitem, "syncjob_id": syncjob_id,
            "filter_id": filter_id, "bcc_id": bcc["id"]}


@pytest.fixture(scope="module")
def two_domains(sandbox):
    tag = uuid.uuid4().hex[:6]
    a = _make_domain(sandbox, f"scopea{tag}.test")
    b = _make_domain(sandbox, f"scopeb{tag}.test")
    return a, b


def b_snapshot(sandbox, b) -> dict:
    """Everything of B's that a leaked write could change."""
    return {
        "domain": _api(sandbox, "get", f"domain/{b['domain']}"),
        "mailbox": _api(sandbox, "get", f"mailbox/{b['mailbox']}"),
        "alias": _api(sandbox, "get", f"alias/{b['alias_id']}"),
        "alias_domain": _api(sandbox, "get", f"alias-domain/{b['alias_domain']}"),
        "resource": _api(sandbox, "get", f"resource/{b['resource']}"),
        "qitem": _api(sandbox, "get", f"quarantine/{b['qitem']}"),
        "syncjobs": _api(sandbox, "get", f"syncjobs/{b['mailbox']}/no_log"),
        "filters": _api(sandbox, "get", f"filters/{b['mailbox']}"),
        "bcc": [m for m in _api(sandbox, "get", "bcc/all") if m["domain"] == b["domain"]],
    }


def mailapp_snapshot(app) -> list:
    with app.app_context():
        return [(a.username, a.active, a.role, a.password_hash, tuple(a.domains),
                 tuple(a.permissions or ())) for a in db.session.scalars(select(Admin))]


# URL variable name -> which of B's objects goes in it. A new area whose routes take a
# new variable adds it here; until then the suite fails on that route.
B_VALUES = {
    "name": lambda b: b["domain"],
    "domain": lambda b: b["domain"],
    "username": lambda b: b["mailbox"],
    "mailbox": lambda b: b["mailbox"],
    "alias_id": lambda b: b["alias_id"],
    "alias_domain": lambda b: b["alias_domain"],
    "resource": lambda b: b["resource"],
    "item_id": lambda b: b["qitem"],  # a quarantine item held for B's mailbox
    # Import jobs live in memory and belong to the user who started them; an id that is
    # not the scoped admin's own must answer 404 whoever owns it.
    "job_id": lambda b: "job-of-another-user",
    "syncjob_id": lambda b: b["syncjob_id"],
    "filter_id": lambda b: b["filter_id"],
    "bcc_id": lambda b: b["bcc_id"],
    # A mailbox's app passwords and time-limited aliases are reached through B's mailbox
    # (username), which is already out of scope; the id or address only has to exist.
    "app_passwd_id": lambda b: 1,
    "tla_address": lambda b: f"temp.alias@{b['domain']}",
    # Queue ids are checked before Docker is asked, so this answers 404 here without an
    # engine; that B's real queued mail is 404 to A's admin is shown against a real
    # Postfix in test_queue.py.
    "queue_id": lambda b: "NOT-A-QUEUE-ID",
}
# Variables of global-only routes hold MailApp ids; any value will do since the rule
# refuses before the view runs.
GLOBAL_ONLY_VALUES = {"int": 1, "default": "x"}


def classify(app, rule):
    """('skip'|'global'|'domain'|'self'|'api', reason) for one URL rule."""
    if rule.endpoint == "static":
        return "skip", "static files"
    with app.app_context():
        declared = access.rule_for(rule.endpoint)
    if declared is None:
        return "unclassified", "declares no access rule"
    if declared.name == "public":
        return "skip", "public"
    if isinstance(declared, access.ApiRule):
        # Key-scoped routes: tests/integration/test_api_cross_scope.py walks them with a
        # key scoped to A; here they must refuse the session cookie.
        return "api", ""
    if declared.name == "global_admin":
        return "global", ""
    if declared.name.startswith("domain_admin"):
        unknown = [v for v in rule.arguments if v not in B_VALUES]
        if unknown:
            return "unclassified", f"no B object for URL variable(s) {unknown}"
        return "domain", ""
    if declared.name == "signed_in":
        # Own-account pages: they must not reach other people's objects by URL.
        if rule.arguments:
            return "unclassified", f"signed-in route with URL variables {sorted(rule.arguments)}"
        return "self", ""
    return "unclassified", f"unknown access rule {declared.name!r}"


def url_for_rule(rule, b, kind):
    values = {}
    for name in rule.arguments:
        if kind in ("domain", "api") and name in B_VALUES:
            values[name] = B_VALUES[name](b)
        else:
            converter = rule._converters[name]
            kind_name = type(converter).__name__.lower()
            if getattr(converter, "items", None):  # any(a, b, c): only those build
                values[name] = sorted(converter.items)[0]
            else:
                values[name] = GLOBAL_ONLY_VALUES["int"] if "integer" in kind_name else \
                    GLOBAL_ONLY_VALUES["default"]
    return rule.build(values, append_unknown=False)[1]


@pytest.fixture
def scoped(app, two_domains):
    a, b = two_domains
    with app.app_context():
        create_admin("scoped", "correct-horse-battery", domains=[a["domain"]],
                     permissions=list(PERMISSIONS))
        create_admin("other-global", "correct-horse-battery")
    client = app.test_client()
    assert sign_in(client, "scoped").status_code == 302
    return client


def test_every_route_is_classified(app):
    problems = [f"{rule.rule} ({rule.endpoint}): {why}" for rule in app.url_map.iter_rules()
                for kind, why in [classify(app, rule)] if kind == "unclassified"]
    assert not problems, "routes the cross-scope suite cannot classify:\n" + "\n".join(problems)


def test_no_route_reaches_another_domain(app, sandbox, scoped, two_domains):
    a, b = two_domains
    token = csrf_token(scoped, "/domains")
    before_b, before_app = b_snapshot(sandbox, b), mailapp_snapshot(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        kind, _ = classify(app, rule)
        if kind not in ("global", "domain", "api"):
            continue
        url = url_for_rule(rule, b, kind)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token} if method in WRITE_METHODS else None
            response = scoped.open(url, method=method, data=data,
                                   headers={"X-CSRFToken": token})
            body = response.get_data(as_text=True)
            if kind == "api":
                assert response.status_code == 401, f"{method} {url} took a session cookie"
            elif kind == "global" or rule.arguments:
                assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
            else:
                assert response.status_code in (200, 204, 302, 303, 422), f"{method} {url}"
            for secret in (b["domain"], b["mailbox"], b["alias"], b["alias_domain"],
                           b["resource"]):
                assert secret not in body, f"{method} {url} leaked {secret}"
            checked += 1
    assert checked >= 8
    assert b_snapshot(sandbox, b) == before_b, "a route changed B's objects"
    assert mailapp_snapshot(app) == before_app, "a route changed administrators"


@pytest.mark.parametrize("query", ["?q={b}", "?domain={b}", "?search={b}", "?actor=root"])
def test_lists_never_show_b_whatever_the_filter(app, scoped, two_domains, query):
    a, b = two_domains
    for rule in app.url_map.iter_rules():
        kind, _ = classify(app, rule)
        if kind != "domain" or rule.arguments or "GET" not in rule.methods:
            continue
        url = rule.rule + query.format(b=b["domain"])
        response = scoped.get(url)
        body = response.get_data(as_text=True)
        # A search box or filter link repeating what was typed is no leak: drop the echoes.
        for echo in (f'value="{b["domain"]}"', f'={b["domain"]}', f'%3D{b["domain"]}',
                     f'“{b["domain"]}”'):
            body = body.replace(echo, "")
        assert response.status_code in (200, 404), f"GET {url}"
        for secret in (b["domain"], b["mailbox"], b["alias"], b["alias_domain"]):
            assert secret not in body, f"GET {url} leaked {secret}"


def test_a_is_visible_to_its_domain_admin(scoped, two_domains):
    a, b = two_domains
    body = scoped.get("/domains").get_data(as_text=True)
    assert a["domain"] in body and b["domain"] not in body
    assert scoped.get(f"/domains/{a['domain']}").status_code == 200


def test_domain_admin_navigation_shows_only_their_areas(scoped):
    html = scoped.get("/domains").get_data(as_text=True)
    nav = html[html.index('class="sidebar"'):html.index("</aside>")]
    assert "Domains" in nav and "Administrators" not in nav
