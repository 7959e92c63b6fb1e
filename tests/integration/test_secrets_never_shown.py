"""Secrets saved through MailApp never come back: not on any page, not in the audit log or
its CSV export, not in any log line.

A relay host (sender-dependent transport), a transport map and a sync job are saved with
passwords, and an OAuth2 client is registered (its secret shown once, on the one page
meant for it). Then every GET route without URL variables is rendered, plus the detail
and edit pages of the objects just made and the pages linked from the lists, and each
body and every captured log line (DEBUG and up) is searched for the secrets.
"""
from __future__ import annotations

import logging
import re
import uuid

import pytest

from tests.conftest import csrf_token
from tests.conftest import mailcow_api as api

HREF = re.compile(r'href="(/[^"#]*)"')
# Links followed per endpoint from the rendered pages (lists repeat the same row links).
PER_ENDPOINT = 3
SKIPPED_ENDPOINTS = {"static", "auth.logout"}


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _ok(response, *codes):
    assert response.status_code in codes, (response.status_code,
                                           response.get_data(as_text=True)[:2000])
    return response


def _made_relayhost(client, sandbox, hostname, password):
    data = {"csrf_token": csrf_token(client, "/routing/relayhosts/new"), "hostname": hostname,
            "username": "relay-user", "password": password, "active": "y"}
    _ok(client.post("/routing/relayhosts/new", data=data), 303)
    found = [r for r in api(sandbox, "get", "relayhost/all") if r["hostname"] == hostname]
    assert found and found[0]["password"] == password, "the relay host did not reach Mailcow"
    return found[0]


@pytest.fixture
def made(client, app, sandbox, caplog):
    """Objects with secrets, made through MailApp's own forms (logged at DEBUG)."""
    caplog.set_level(logging.DEBUG)
    secrets = {
        "relay": "Relay-" + uuid.uuid4().hex,
        "transport": "Transport-" + uuid.uuid4().hex,
        "syncjob": "Sync-" + uuid.uuid4().hex,
    }
    objects: dict = {}

    # Sender-dependent transport (relay host).
    hostname = f"[{_unique('relay')}.example.test]:587"
    objects["relayhost"] = _made_relayhost(client, sandbox, hostname, secrets["relay"])

    # Transport map.
    destination = f"{_unique('dest')}.example.test"
    data = {"csrf_token": csrf_token(client, "/routing/transports/new"),
            "destination": destination, "nexthop": f"[{_unique('hop')}.example.test]:25",
            "username": "transport-user", "password": secrets["transport"], "active": "y"}
    _ok(client.post("/routing/transports/new", data=data), 303)
    [transport] = [t for t in api(sandbox, "get", "transport/all")
                   if t["destination"] == destination]
    assert transport["password"] == secrets["transport"]
    objects["transport"] = transport

    # Sync job, owned by a mailbox made for it.
    domain = f"{_unique('sec')}.test"
    api(sandbox, "add", "domain", {"domain": domain, "active": "1", "mailboxes": "5",
                                   "aliases": "5", "defquota": "100", "maxquota": "200",
                                   "quota": "1000"})
    api(sandbox, "add", "mailbox", {"local_part": "owner", "domain": domain, "quota": "10",
                                    "password": "Owner-Pass-1x", "password2": "Owner-Pass-1x",
                                    "active": "1"})
    owner = f"owner@{domain}"
    data = {"csrf_token": csrf_token(client, "/syncjobs/new"), "owner": owner,
            "host": "imap.remote.example.test", "port": "993", "encryption": "SSL",
            "user": "far@remote.example.test", "password": secrets["syncjob"],
            "interval": "20", "subfolder": "External", "exclude": "", "max_age": "0",
            "max_bytes_per_second": "0", "timeout_remote": "600", "timeout_local": "600",
            "custom_params": "", "delete_duplicates": "y", "automap": "y",
            "subscribe_all": "y", "active": "y"}
    _ok(client.post("/syncjobs/new", data=data), 303)
    jobs = api(sandbox, "get", f"syncjobs/{owner}/no_log")
    [job] = [j for j in jobs if j.get("user2") == owner]
    objects["syncjob"], objects["owner"], objects["domain"] = job, owner, domain

    # OAuth2 client: Mailcow draws the secret; MailApp shows it once, right now.
    redirect_uri = f"https://{_unique('app')}.example.test/callback"
    response = _ok(client.post("/oauth2/new", data={
        "csrf_token": csrf_token(client, "/oauth2/new"), "redirect_uri": redirect_uri}), 303)
    [oauth] = [c for c in api(sandbox, "get", "oauth2-client/all")
               if c["redirect_uri"] == redirect_uri]
    secrets["oauth2"] = oauth["client_secret"]
    reveal = client.get(response.headers["Location"]).get_data(as_text=True)
    assert secrets["oauth2"] in reveal, "the one-time page must show the secret once"
    objects["oauth2"] = oauth

    # Edits that must keep the stored secrets without echoing them.
    relay_edit = f"/routing/relayhosts/{objects['relayhost']['id']}/edit"
    page = _ok(client.get(relay_edit), 200).get_data(as_text=True)
    assert secrets["relay"] not in page
    _ok(client.post(relay_edit, data={"csrf_token": csrf_token(client, relay_edit),
                                      "hostname": hostname, "username": "relay-user",
                                      "password": "", "active": "y"}), 303)
    # A form refused beside its field must not echo the password typed into it.
    bad = client.post("/routing/transports/new", data={
        "csrf_token": csrf_token(client, "/routing/transports/new"), "destination": "bad dest",
        "nexthop": "[x.example.test]:25", "password": secrets["transport"], "active": "y"})
    _ok(bad, 422)
    assert secrets["transport"] not in bad.get_data(as_text=True)
    return secrets, objects


def _urls_without_variables(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED_ENDPOINTS or rule.arguments or "GET" not in rule.methods:
            continue
        found.append((rule.endpoint, rule.rule))
    return sorted(found, key=lambda pair: pair[1])


def _detail_urls(objects) -> list[str]:
    relay, transport, job, oauth = (objects["relayhost"]["id"], objects["transport"]["id"],
                                    objects["syncjob"]["id"], objects["oauth2"]["id"])
    return [
        f"/routing?q={objects['relayhost']['hostname']}",
        f"/routing/relayhosts/{relay}/edit", f"/routing/relayhosts/{relay}/delete",
        f"/routing/transports?q={objects['transport']['destination']}",
        f"/routing/transports/{transport}/edit", f"/routing/transports/{transport}/delete",
        f"/syncjobs?q={objects['owner']}", f"/syncjobs?domain={objects['domain']}",
        f"/syncjobs/{job}/edit", f"/syncjobs/{job}/log", f"/syncjobs/{job}/delete",
        f"/mailboxes/{objects['owner']}",
        f"/oauth2/{oauth}/edit", f"/oauth2/{oauth}/secret", f"/oauth2/{oauth}/renew",
        f"/oauth2/{oauth}/revoke", f"/oauth2/{oauth}/delete",
        "/audit?per_page=100", "/audit/export.csv",
        "/audit?action=relayhost.create", "/audit?action=transport.create",
        "/audit?action=syncjob.create", "/audit?action=oauth2.create",
    ]


def _read(client, url):
    response = client.get(url)
    if response.mimetype == "text/event-stream":
        response.close()  # a live feed never ends; its first page is covered elsewhere
        return response, ""
    return response, response.get_data(as_text=True)


def test_secrets_never_appear_anywhere(app, client, made, caplog):
    caplog.set_level(logging.DEBUG)
    secrets, objects = made
    seen: dict[str, int] = {}
    problems: list[str] = []

    def check(url: str, body: str) -> None:
        for name, secret in secrets.items():
            if secret in body:
                problems.append(f"{name} secret on {url}")

    pages = [rule for _, rule in _urls_without_variables(app)] + _detail_urls(objects)
    queue = list(dict.fromkeys(pages))
    visited: set[str] = set()
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
    while queue:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        response, body = _read(client, url)
        assert response.status_code < 500 or response.status_code == 502, \
            f"GET {url} answered {response.status_code}"
        check(url, body)
        for href in HREF.findall(body):
            href = href.replace("&amp;", "&")
            try:
                endpoint, _ = adapter.match(href.split("?")[0], method="GET")
            except Exception:  # not a route of ours, or not a GET
                continue
            if endpoint in SKIPPED_ENDPOINTS or href in visited:
                continue
            if seen.get(endpoint, 0) >= PER_ENDPOINT and href not in pages:
                continue
            seen[endpoint] = seen.get(endpoint, 0) + 1
            queue.append(href)

    assert len(visited) >= 40, f"only {len(visited)} pages were looked at"
    # The audit trail recorded the changes, without the secrets.
    audit = client.get("/audit/export.csv").get_data(as_text=True)
    for action in ("relayhost.create", "transport.create", "syncjob.create", "oauth2.create"):
        assert action in audit, f"{action} missing from the audit export"
    check("/audit/export.csv", audit)

    # Every log line written while all this happened, at every level.
    # caplog.records holds this phase only: the fixture's requests made the secrets.
    records = caplog.get_records("setup") + caplog.get_records("call")
    assert records, "nothing was logged at all: the capture is not working"
    lines = "\n".join(r.getMessage() + " " + str(r.__dict__) for r in records)
    check("the captured log", lines)
    assert not problems, "secrets leaked:\n" + "\n".join(problems)
