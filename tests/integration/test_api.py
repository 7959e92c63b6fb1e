"""MailApp's REST API end to end: the Flask app with API keys against the sandbox Mailcow."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from panel.extensions import db
from panel.models import ApiKey, AuditEvent
from panel.services.api_keys import create_key
from tests.conftest import mailcow_api as mailcow

PASSWORD = "S3cret-Pass1!"


# -- helpers -----------------------------------------------------------------------------

def unique(prefix="api"):
    return f"{prefix}{uuid.uuid4().hex[:8]}.test"




def add_domain(sandbox, name=None):
    name = name or unique()
    answer = mailcow(sandbox, "add", "domain", {
        "domain": name, "active": "1", "mailboxes": "10", "aliases": "20", "defquota": "512",
        "maxquota": "2048", "quota": "10240"})
    assert not any(m["type"] == "danger" for m in answer), answer
    return name


def add_mailbox(sandbox, domain, local="user"):
    answer = mailcow(sandbox, "add", "mailbox", {
        "local_part": local, "domain": domain, "name": local.title(), "quota": "100",
        "password": PASSWORD, "password2": PASSWORD, "active": "1"})
    assert not any(m["type"] == "danger" for m in answer), answer
    return f"{local}@{domain}"


def add_alias(sandbox, address, goto):
    answer = mailcow(sandbox, "add", "alias", {"address": address, "goto": goto, "active": "1"})
    assert answer[-1]["type"] == "success", answer
    return int(answer[-1]["msg"][2])


def make_key(app, name=None, **options) -> str:
    options.setdefault("writable", True)
    with app.app_context():
        _, raw = create_key(name or f"key-{uuid.uuid4().hex[:6]}", actor="root", **options)
        db.session.remove()
    return raw


def events(app, action):
    with app.app_context():
        found = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).all()
        db.session.remove()
    return found


def error_of(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message", "fields"}
    if code:
        assert error["code"] == code, error
    return error


@pytest.fixture
def api(app):
    """A client holding a global read-write key: api.get(path), api.post(path, json=...)."""
    return KeyClient(app.test_client(), make_key(app, "global-rw"))


class KeyClient:
    def __init__(self, client, key, **environ):
        self.client, self.key, self.environ = client, key, environ

    def __getattr__(self, method):
        def call(path, **kwargs):
            headers = {"X-API-Key": self.key, **kwargs.pop("headers", {})}
            return getattr(self.client, method)(path, headers=headers,
                                                environ_base=dict(self.environ), **kwargs)
        return call


@pytest.fixture
def two_domains(sandbox):
    """Domain A (the scoped key's) and B (not), each with a mailbox and an alias."""
    a, b = add_domain(sandbox, unique("a")), add_domain(sandbox, unique("b"))
    box_a, box_b = add_mailbox(sandbox, a), add_mailbox(sandbox, b)
    alias_a = add_alias(sandbox, f"info@{a}", box_a)
    alias_b = add_alias(sandbox, f"info@{b}", box_b)
    return {"a": a, "b": b, "box_a": box_a, "box_b": box_b, "alias_a": alias_a,
            "alias_b": alias_b}


@pytest.fixture
def scoped(app, two_domains):
    key = make_key(app, "scoped-a", domains=[two_domains["a"]],
                   permissions=["mailboxes", "aliases", "protocol_access"])
    return KeyClient(app.test_client(), key)


# -- authentication ----------------------------------------------------------------------

def test_no_key_is_401_json(anon):
    response = anon.get("/api/v1/domains")
    error = error_of(response, 401, "missing_api_key")
    assert "X-API-Key" in error["message"]
    assert "X-API-Key" in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize("key", ["nonsense", "mailapp_abc_def", "mailapp__x"])
def test_a_wrong_key_is_401(app, anon, key):
    error_of(anon.get("/api/v1/domains", headers={"X-API-Key": key}), 401, "invalid_api_key")


def test_a_right_prefix_with_a_wrong_secret_is_401(app, anon):
    raw = make_key(app)
    forged = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    error_of(anon.get("/api/v1/domains", headers={"X-API-Key": forged}), 401, "invalid_api_key")


def test_the_session_cookie_alone_does_not_authenticate(client):
    # `client` is signed in to the web interface as a global administrator.
    assert client.get("/domains").status_code == 200
    error_of(client.get("/api/v1/domains"), 401, "missing_api_key")
    error_of(client.post("/api/v1/domains", json={"domain": unique()}), 401, "missing_api_key")


def test_with_cookie_and_key_the_key_is_the_actor(app, client, sandbox):
    raw = make_key(app, "actor-check")
    name = unique("actor")
    response = client.post("/api/v1/domains", json={"domain": name},
                           headers={"X-API-Key": raw})
    assert response.status_code == 201, response.get_data(as_text=True)
    event = [e for e in events(app, "api.domain.create") if e.target == name][0]
    assert event.actor == "api:actor-check"
    mailcow(sandbox, "delete", "domain", [name])


def test_an_expired_key_is_refused(app, anon):
    raw = make_key(app, "short-lived", expires_at=datetime.now(timezone.utc) + timedelta(hours=1))
    assert anon.get("/api/v1/domains", headers={"X-API-Key": raw}).status_code == 200
    with app.app_context():
        key = db.session.scalar(select(ApiKey).where(ApiKey.name == "short-lived"))
        key.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
        db.session.remove()
    error_of(anon.get("/api/v1/domains", headers={"X-API-Key": raw}), 401, "api_key_expired")
    assert [e.detail for e in events(app, "api.refused")] == ["api_key_expired"]


def test_a_revoked_key_is_refused_at_once(app, anon):
    from panel.services.api_keys import revoke_key

    raw = make_key(app, "to-revoke")
    assert anon.get("/api/v1/domains", headers={"X-API-Key": raw}).status_code == 200
    with app.app_context():
        key = db.session.scalar(select(ApiKey).where(ApiKey.name == "to-revoke"))
        revoke_key(key.id, "root")
        db.session.remove()
    error_of(anon.get("/api/v1/domains", headers={"X-API-Key": raw}), 401, "api_key_revoked")
    refused = events(app, "api.refused")
    assert refused[-1].actor == "api:to-revoke" and refused[-1].outcome == "refused"


def test_source_networks_are_checked_against_the_caller(app):
    raw = make_key(app, "office-only", networks=["10.0.0.0/8", "2001:db8::/32"])
    outside = KeyClient(app.test_client(), raw)  # the test client comes from 127.0.0.1
    error = error_of(outside.get("/api/v1/domains"), 401, "network_not_allowed")
    assert "127.0.0.1" in error["message"]
    inside = KeyClient(app.test_client(), raw, REMOTE_ADDR="10.20.30.40")
    assert inside.get("/api/v1/domains").status_code == 200
    inside6 = KeyClient(app.test_client(), raw, REMOTE_ADDR="2001:db8::7")
    assert inside6.get("/api/v1/domains").status_code == 200


def test_last_use_is_recorded(app):
    raw = make_key(app, "used")
    client = KeyClient(app.test_client(), raw, REMOTE_ADDR="192.0.2.9")
    before = datetime.now(timezone.utc)
    assert client.get("/api/v1/domains").status_code == 200
    with app.app_context():
        key = db.session.scalar(select(ApiKey).where(ApiKey.name == "used"))
        assert key.last_used_from == "192.0.2.9"
        assert key.last_used_at.replace(tzinfo=timezone.utc) >= before - timedelta(seconds=1)
        db.session.remove()


def test_use_is_audited_without_flooding_the_log(app):
    raw = make_key(app, "poller")
    client = KeyClient(app.test_client(), raw, REMOTE_ADDR="192.0.2.10")
    for _ in range(3):
        assert client.get("/api/v1/domains").status_code == 200
    uses = [e for e in events(app, "api.use") if e.target == "poller"]
    assert len(uses) == 1 and uses[0].actor == "api:poller" and "192.0.2.10" in uses[0].detail
    moved = KeyClient(app.test_client(), raw, REMOTE_ADDR="192.0.2.11")
    assert moved.get("/api/v1/domains").status_code == 200
    with app.app_context():  # a quiet spell: the next use is recorded again
        key = db.session.scalar(select(ApiKey).where(ApiKey.name == "poller"))
        key.last_used_at = datetime.now(timezone.utc) - timedelta(minutes=11)
        db.session.commit()
        db.session.remove()
    assert moved.get("/api/v1/domains").status_code == 200
    assert len([e for e in events(app, "api.use") if e.target == "poller"]) == 3


def test_the_key_is_stored_hashed_only(app):
    import hashlib

    raw = make_key(app, "hashed")
    with app.app_context():
        key = db.session.scalar(select(ApiKey).where(ApiKey.name == "hashed"))
        assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
        stored = json.dumps([str(getattr(key, c.name)) for c in ApiKey.__table__.columns])
        secret = raw.split("_", 2)[2]
        assert secret not in stored and raw not in stored
        assert raw.startswith(f"mailapp_{key.prefix}_")
        db.session.remove()


WRITES = [
    ("post", "/api/v1/domains", {"domain": "ro-refused.test"}),
    ("delete", "/api/v1/domains/example.org", None),
    ("post", "/api/v1/mailboxes", {"local_part": "x", "domain": "example.org",
                                   "password": PASSWORD}),
    ("put", "/api/v1/mailboxes/alice.smith@example.org/password", {"password": PASSWORD}),
    ("put", "/api/v1/mailboxes/alice.smith@example.org/sending", {"enabled": False}),
    ("put", "/api/v1/mailboxes/alice.smith@example.org/sender-addresses", {"addresses": []}),
    ("post", "/api/v1/aliases", {"address": "x@example.org", "goto": ["a@example.org"]}),
    ("patch", "/api/v1/aliases/1", {"goto": ["a@example.org"]}),
    ("delete", "/api/v1/aliases/1", None),
]


@pytest.mark.parametrize("method,path,body", WRITES)
def test_a_read_only_key_is_refused_every_change(app, sandbox, method, path, body):
    before = mailcow(sandbox, "get", "mailbox/alice.smith@example.org")
    client = KeyClient(app.test_client(), make_key(app, writable=False))
    error_of(getattr(client, method)(path, json=body), 403, "read_only_key")
    assert mailcow(sandbox, "get", "mailbox/alice.smith@example.org") == before
    assert client.get("/api/v1/domains").status_code == 200  # reading is fine


# -- domains -----------------------------------------------------------------------------

def test_list_domains_pages_and_searches(api, sandbox):
    name = add_domain(sandbox, unique("listed"))
    page = api.get("/api/v1/domains?per_page=2&page=1").get_json()
    assert page["per_page"] == 2 and len(page["items"]) == 2 and page["total"] >= 4
    assert page["pages"] == -(-page["total"] // 2)
    found = api.get(f"/api/v1/domains?q={name}").get_json()
    assert [d["name"] for d in found["items"]] == [name] and found["total"] == 1
    desc = api.get("/api/v1/domains?sort=domain&dir=desc&per_page=100").get_json()["items"]
    names = [d["name"] for d in desc]
    assert names == sorted(names, reverse=True)


def test_get_a_domain(api):
    body = api.get("/api/v1/domains/example.org").get_json()
    assert body["name"] == "example.org" and body["quota_bytes"] == 51200 * 1024 * 1024
    assert body["rate_limit"] == {"value": 0, "frame": "s"}
    error_of(api.get("/api/v1/domains/missing-domain.test"), 404, "not_found")
    error_of(api.get("/api/v1/domains/not a domain"), 404, "not_found")


def test_create_and_delete_a_domain_with_audit(app, api, sandbox):
    name = unique("made")
    response = api.post("/api/v1/domains", json={"domain": name.upper(), "description": "By API",
                                                 "max_mailboxes": 5, "quota_mib": 2048,
                                                 "max_mailbox_quota_mib": 1024,
                                                 "default_mailbox_quota_mib": 512})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/api/v1/domains/{name}")
    made = response.get_json()
    assert (made["name"], made["description"], made["max_mailboxes"]) == (name, "By API", 5)
    assert mailcow(sandbox, "get", f"domain/{name}")["max_quota_for_domain"] == 2048 * 1024**2
    event = [e for e in events(app, "api.domain.create") if e.target == name][0]
    assert event.actor == "api:global-rw" and event.outcome == "ok" and event.domain == name

    assert api.delete(f"/api/v1/domains/{name}").status_code == 204
    assert mailcow(sandbox, "get", f"domain/{name}") == {}
    assert [e.outcome for e in events(app, "api.domain.delete") if e.target == name] == ["ok"]
    error_of(api.delete(f"/api/v1/domains/{name}"), 404)


def test_domain_validation_answers_422_with_field_messages(api):
    error = error_of(api.post("/api/v1/domains", json={
        "domain": "no_dots", "quota_mib": 100, "max_mailbox_quota_mib": 200,
        "surprise": 1}), 422, "invalid")
    assert set(error["fields"]) == {"domain", "surprise"}
    error = error_of(api.post("/api/v1/domains", json={
        "domain": unique(), "quota_mib": 100, "max_mailbox_quota_mib": 200}), 422)
    assert "quota_mib" in error["fields"]["max_mailbox_quota_mib"]
    error_of(api.post("/api/v1/domains", json=["not", "an", "object"]), 422, "invalid")
    error_of(api.post("/api/v1/domains", data="{broken", content_type="application/json"),
             400, "invalid_json")


def test_mailcow_refusals_are_502_with_its_message(app, api):
    error = error_of(api.post("/api/v1/domains", json={"domain": "example.org"}), 502,
                     "mailcow_refused")
    assert "Domain example.org already exists" in error["message"]
    assert error["mailcow_keys"] == ["domain_exists"]
    failed = [e for e in events(app, "api.domain.create") if e.target == "example.org"]
    assert failed[-1].outcome == "failed"


def test_mailcow_unavailable_is_502(api, faults):
    faults.inject_fault("http500", count=1)
    error = error_of(api.get("/api/v1/domains"), 502, "mailcow_unavailable")
    assert "server error" in error["message"]


def test_a_scoped_key_cannot_create_or_delete_domains(scoped, two_domains):
    error_of(scoped.post("/api/v1/domains", json={"domain": unique()}), 403, "forbidden")
    error_of(scoped.delete(f"/api/v1/domains/{two_domains['a']}"), 403, "forbidden")


def test_a_scoped_key_sees_only_its_domains(scoped, two_domains):
    listed = scoped.get("/api/v1/domains?per_page=100").get_json()
    assert [d["name"] for d in listed["items"]] == [two_domains["a"]] and listed["total"] == 1
    assert scoped.get(f"/api/v1/domains?q={two_domains['b']}").get_json()["items"] == []
    assert scoped.get(f"/api/v1/domains/{two_domains['a']}").status_code == 200
    error_of(scoped.get(f"/api/v1/domains/{two_domains['b']}"), 404, "not_found")
    error_of(scoped.get("/api/v1/domains/example.org"), 404, "not_found")


# -- mailboxes ---------------------------------------------------------------------------

def test_create_get_and_list_mailboxes(app, api, sandbox):
    domain = add_domain(sandbox)
    response = api.post("/api/v1/mailboxes", json={
        "local_part": "Carol", "domain": domain, "name": "Carol C", "password": PASSWORD,
        "quota_mib": 256, "tags": ["vip"]})
    assert response.status_code == 201, response.get_data(as_text=True)
    made = response.get_json()
    assert made["username"] == f"carol@{domain}" and made["quota_bytes"] == 256 * 1024**2
    assert made["sending_enabled"] and made["tags"] == ["vip"] and "password" not in made
    assert response.headers["Location"].endswith(f"/api/v1/mailboxes/carol@{domain}")
    event = [e for e in events(app, "api.mailbox.create") if e.target == f"carol@{domain}"][0]
    assert event.actor == "api:global-rw" and "password" not in (event.changes or {})

    default = api.post("/api/v1/mailboxes", json={"local_part": "dan", "domain": domain,
                                                  "password": PASSWORD})
    assert default.get_json()["quota_bytes"] == 512 * 1024**2  # the domain's default

    got = api.get(f"/api/v1/mailboxes/carol@{domain}").get_json()
    assert got["name"] == "Carol C"
    listed = api.get(f"/api/v1/mailboxes?domain={domain}").get_json()
    assert [m["username"] for m in listed["items"]] == [f"carol@{domain}", f"dan@{domain}"]
    searched = api.get(f"/api/v1/mailboxes?domain={domain}&q=carol").get_json()
    assert searched["total"] == 1
    paged = api.get(f"/api/v1/mailboxes?domain={domain}&per_page=1&page=2&sort=name"
                    "&dir=desc").get_json()
    assert paged["total"] == 2 and [m["username"] for m in paged["items"]] == [f"dan@{domain}"]
    everything = api.get("/api/v1/mailboxes?per_page=100").get_json()
    assert everything["total"] >= 13


def test_mailbox_errors(api, sandbox):
    domain = add_domain(sandbox)
    error_of(api.get(f"/api/v1/mailboxes/nobody@{domain}"), 404)
    error_of(api.get("/api/v1/mailboxes/no-at-sign"), 404)
    error = error_of(api.post("/api/v1/mailboxes", json={"local_part": "bad part",
                                                         "domain": domain}), 422)
    assert set(error["fields"]) == {"local_part", "password"}
    error = error_of(api.post("/api/v1/mailboxes", json={
        "local_part": "x", "domain": "no-such-domain.test", "password": PASSWORD}), 422)
    assert "no-such-domain.test" in error["fields"]["domain"]
    error = error_of(api.post("/api/v1/mailboxes", json={
        "local_part": "weak", "domain": domain, "password": "abc"}), 502, "mailcow_refused")
    assert "password policy" in error["message"]


def test_set_a_password(app, api, sandbox):
    box = add_mailbox(sandbox, add_domain(sandbox))
    before = mailcow(sandbox, "get", f"mailbox/{box}")["attributes"]["passwd_update"]
    assert api.put(f"/api/v1/mailboxes/{box}/password",
                   json={"password": "An0ther-Secret!"}).status_code == 204
    event = [e for e in events(app, "api.mailbox.password") if e.target == box][0]
    assert event.outcome == "ok" and "An0ther" not in json.dumps(event.changes)
    error_of(api.put(f"/api/v1/mailboxes/{box}/password", json={"password": "x"}), 502,
             "mailcow_refused")
    error_of(api.put(f"/api/v1/mailboxes/{box}/password", json={}), 422)
    assert mailcow(sandbox, "get", f"mailbox/{box}")["attributes"]["passwd_update"] >= before


def test_stop_and_allow_sending(api, sandbox):
    box = add_mailbox(sandbox, add_domain(sandbox))
    response = api.put(f"/api/v1/mailboxes/{box}/sending", json={"enabled": False})
    assert response.get_json() == {"username": box, "enabled": False}
    assert mailcow(sandbox, "get", f"mailbox/{box}")["attributes"]["smtp_access"] == "0"
    assert api.get(f"/api/v1/mailboxes/{box}").get_json()["sending_enabled"] is False
    assert api.put(f"/api/v1/mailboxes/{box}/sending",
                   json={"enabled": True}).get_json()["enabled"] is True
    assert mailcow(sandbox, "get", f"mailbox/{box}")["attributes"]["smtp_access"] == "1"
    error_of(api.put(f"/api/v1/mailboxes/{box}/sending", json={"enabled": "maybe"}), 422)


def test_sender_addresses(api, sandbox):
    domain, other = add_domain(sandbox), add_domain(sandbox)
    box = add_mailbox(sandbox, domain)
    shared = add_mailbox(sandbox, domain, "shared")
    add_alias(sandbox, f"team@{domain}", shared)
    assert api.get(f"/api/v1/mailboxes/{box}/sender-addresses").get_json() == {
        "username": box, "addresses": []}
    response = api.put(f"/api/v1/mailboxes/{box}/sender-addresses",
                       json={"addresses": [f"team@{domain}", f"@{other.upper()}"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert sorted(response.get_json()["addresses"]) == sorted([f"team@{domain}", f"@{other}"])
    assert sorted(mailcow(sandbox, "get", f"mailbox/{box}")["sender_acl"]) == \
        sorted([f"team@{domain}", f"@{other}"])
    error = error_of(api.put(f"/api/v1/mailboxes/{box}/sender-addresses",
                             json={"addresses": ["stranger@nowhere-known.test"]}), 502)
    assert "sender_acl_invalid" in error["message"] or "stranger" in error["message"]
    error_of(api.put(f"/api/v1/mailboxes/{box}/sender-addresses",
                     json={"addresses": ["not valid"]}), 422)
    assert api.put(f"/api/v1/mailboxes/{box}/sender-addresses",
                   json={"addresses": []}).get_json()["addresses"] == []


def test_a_scoped_key_and_mailboxes(scoped, two_domains):
    a, b = two_domains["a"], two_domains["b"]
    listed = scoped.get("/api/v1/mailboxes?per_page=100").get_json()
    assert [m["username"] for m in listed["items"]] == [two_domains["box_a"]]
    assert listed["total"] == 1
    assert scoped.get(f"/api/v1/mailboxes?q={b}").get_json()["items"] == []
    error_of(scoped.get(f"/api/v1/mailboxes?domain={b}"), 404)
    assert scoped.get(f"/api/v1/mailboxes/{two_domains['box_a']}").status_code == 200
    box_b = two_domains["box_b"]
    error_of(scoped.get(f"/api/v1/mailboxes/{box_b}"), 404)
    error_of(scoped.get(f"/api/v1/mailboxes/{box_b}/sender-addresses"), 404)
    error_of(scoped.put(f"/api/v1/mailboxes/{box_b}/password", json={"password": PASSWORD}),
             404)
    error_of(scoped.put(f"/api/v1/mailboxes/{box_b}/sending", json={"enabled": False}), 404)
    error_of(scoped.put(f"/api/v1/mailboxes/{box_b}/sender-addresses",
                        json={"addresses": []}), 404)
    error_of(scoped.post("/api/v1/mailboxes", json={"local_part": "sneak", "domain": b,
                                                    "password": PASSWORD}), 404)
    made = scoped.post("/api/v1/mailboxes", json={"local_part": "second", "domain": a,
                                                  "password": PASSWORD})
    assert made.status_code == 201
    # Sending as anything or as another domain is for global keys only.
    error = error_of(scoped.put(f"/api/v1/mailboxes/{two_domains['box_a']}/sender-addresses",
                                json={"addresses": ["*", f"@{b}", f"@{a}"]}), 422)
    assert "*" in error["fields"]["addresses"] and b in error["fields"]["addresses"]


def test_a_key_scoped_to_several_domains_pages_across_them(app, sandbox):
    first, second = add_domain(sandbox, unique("m1")), add_domain(sandbox, unique("m2"))
    for local in ("a1", "a2", "a3"):
        add_mailbox(sandbox, first, local)
    for local in ("b1", "b2"):
        add_mailbox(sandbox, second, local)
    client = KeyClient(app.test_client(), make_key(app, domains=[first, second],
                                                   writable=False))
    pages = [client.get(f"/api/v1/mailboxes?per_page=2&page={n}").get_json() for n in (1, 2, 3)]
    assert [p["total"] for p in pages] == [5, 5, 5]
    usernames = [m["username"] for p in pages for m in p["items"]]
    assert usernames == sorted(usernames) and len(usernames) == 5


def test_a_scoped_key_without_the_permission_is_refused(app, two_domains):
    client = KeyClient(app.test_client(), make_key(app, domains=[two_domains["a"]],
                                                   permissions=["aliases"]))
    error_of(client.put(f"/api/v1/mailboxes/{two_domains['box_a']}/sending",
                        json={"enabled": False}), 403, "forbidden")
    error_of(client.post("/api/v1/mailboxes", json={"local_part": "x", "domain": two_domains["a"],
                                                    "password": PASSWORD}), 403, "forbidden")


# -- aliases -----------------------------------------------------------------------------

def test_alias_lifecycle(app, api, sandbox):
    domain = add_domain(sandbox)
    box = add_mailbox(sandbox, domain)
    response = api.post("/api/v1/aliases", json={"address": f"Sales@{domain}",
                                                 "goto": [box, "ext@remote.test"],
                                                 "public_comment": "Sales team"})
    assert response.status_code == 201, response.get_data(as_text=True)
    alias = response.get_json()
    assert alias["address"] == f"Sales@{domain}" and alias["goto"] == [box, "ext@remote.test"]
    alias_id = alias["id"]
    assert response.headers["Location"].endswith(f"/api/v1/aliases/{alias_id}")
    assert api.get(f"/api/v1/aliases/{alias_id}").get_json()["public_comment"] == "Sales team"

    catch_all = api.post("/api/v1/aliases", json={"address": f"@{domain}", "goto": [box]})
    assert catch_all.get_json()["is_catch_all"] is True

    listed = api.get(f"/api/v1/aliases?domain={domain}").get_json()
    assert listed["total"] == 2
    assert api.get(f"/api/v1/aliases?domain={domain}&q=remote").get_json()["total"] == 1
    assert api.get(f"/api/v1/aliases?q={domain}&per_page=100").get_json()["total"] == 2

    patched = api.patch(f"/api/v1/aliases/{alias_id}", json={"goto": ["new@remote.test"]})
    assert patched.status_code == 200, patched.get_data(as_text=True)
    assert patched.get_json()["goto"] == ["new@remote.test"]
    assert mailcow(sandbox, "get", f"alias/{alias_id}")["goto"] == "new@remote.test"
    assert api.patch(f"/api/v1/aliases/{alias_id}",
                     json={"active": False}).get_json()["active"] is False
    event = [e for e in events(app, "api.alias.update") if e.target == f"Sales@{domain}"][0]
    assert event.changes["goto"] == [[box, "ext@remote.test"], ["new@remote.test"]]

    assert api.delete(f"/api/v1/aliases/{alias_id}").status_code == 204
    error_of(api.get(f"/api/v1/aliases/{alias_id}"), 404)
    assert [e.outcome for e in events(app, "api.alias.delete")
            if e.target == f"Sales@{domain}"] == ["ok"]


def test_alias_validation_and_refusals(api, sandbox):
    domain = add_domain(sandbox)
    box = add_mailbox(sandbox, domain)
    error = error_of(api.post("/api/v1/aliases", json={"address": f"x@{domain}",
                                                       "goto": ["not-an-address"]}), 422)
    assert "goto.0" in error["fields"]
    error_of(api.post("/api/v1/aliases", json={"address": f"x@{domain}", "goto": []}), 422)
    error_of(api.post("/api/v1/aliases", json={"address": box, "goto": [box]}), 422)
    error = error_of(api.post("/api/v1/aliases", json={"address": box,
                                                       "goto": ["x@remote.test"]}), 502)
    assert box in error["message"]
    error_of(api.patch("/api/v1/aliases/999999999", json={"active": True}), 404)
    error_of(api.patch(f"/api/v1/aliases/{add_alias(sandbox, f'y@{domain}', box)}", json={}),
             422)


def test_a_scoped_key_and_aliases(scoped, two_domains):
    a, b = two_domains["a"], two_domains["b"]
    listed = scoped.get("/api/v1/aliases").get_json()
    assert [x["id"] for x in listed["items"]] == [two_domains["alias_a"]]
    assert scoped.get(f"/api/v1/aliases?domain={a}").get_json()["total"] == 1
    error_of(scoped.get(f"/api/v1/aliases?domain={b}"), 404)
    alias_b = two_domains["alias_b"]
    error_of(scoped.get(f"/api/v1/aliases/{alias_b}"), 404)
    error_of(scoped.patch(f"/api/v1/aliases/{alias_b}", json={"goto": [f"x@{a}"]}), 404)
    error_of(scoped.delete(f"/api/v1/aliases/{alias_b}"), 404)
    error_of(scoped.post("/api/v1/aliases", json={"address": f"new@{b}",
                                                  "goto": [two_domains["box_a"]]}), 404)
    made = scoped.post("/api/v1/aliases", json={"address": f"new@{a}",
                                                "goto": [two_domains["box_a"]]})
    assert made.status_code == 201


# -- routing and the description ---------------------------------------------------------

def test_unknown_addresses_and_methods_answer_json(api):
    error_of(api.get("/api/v1/nothing-here"), 404, "not_found")
    response = api.delete("/api/v1/domains")
    error_of(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_openapi_document_is_valid_and_lists_every_route(app, anon):
    from openapi_spec_validator import validate

    response = anon.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.get_data(as_text=True))
    validate(document)
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey", "in": "header", "name": "X-API-Key"}
    listed = {(path, method.upper()) for path, ops in document["paths"].items()
              for method in ops if method != "parameters"}
    expected = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.unknown_route":
            path = rule.rule[len("/api"):].replace("<int:alias_id>", "{alias_id}")
            path = path.replace("<name>", "{name}").replace("<username>", "{username}")
            expected |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert listed == expected
    assert len(expected) >= 17
    create = document["paths"]["/v1/mailboxes"]["post"]
    assert set(create["responses"]) >= {"201", "401", "403", "422", "502"}


def test_swagger_page_uses_the_vendored_files(anon):
    response = anon.get("/api/swagger")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "X-API-Key" in html
    for asset in ("vendor/swagger-ui-5.35.0/swagger-ui-bundle.js",
                  "vendor/swagger-ui-5.35.0/swagger-ui.css", "js/swagger-init.js"):
        assert f"/static/{asset}" in html
        assert anon.get(f"/static/{asset}").status_code == 200
    assert "<script>" not in html  # no inline script
    # Swagger UI 5 runs under the same strict policy as every other page.
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
