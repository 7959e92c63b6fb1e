"""The ARC/DKIM keys page end to end: the Flask app against the sandbox Mailcow."""
import base64
import logging
import secrets

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from panel.mailcow.client import MailcowClient
from tests.conftest import HTMX, csrf_token, signed_in_as
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api


def add_domain(sandbox, with_key=True):
    name = f"dk-{secrets.token_hex(4)}.test"
    body = {"domain": name, "active": "1"}
    if not with_key:
        body["key_size"] = "0"  # openssl refuses a 0-bit key: the domain gets none
    api(sandbox, "add", "domain", body)
    if not with_key:
        api(sandbox, "delete", "dkim", [name])
    return name


def key_of(sandbox, domain):
    found = api(sandbox, "get", f"dkim/{domain}")
    return found if found else None


@pytest.fixture(scope="module")
def pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    text = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return text, base64.b64encode(der).decode()


@pytest.fixture
def gets(monkeypatch):
    """Mailcow GET paths MailApp asks for."""
    seen = []
    original = MailcowClient.get

    def get(self, path):
        seen.append(path)
        return original(self, path)

    monkeypatch.setattr(MailcowClient, "get", get)
    return seen


def test_list_shows_selector_size_and_txt(client, sandbox):
    domain = add_domain(sandbox)
    key = key_of(sandbox, domain)
    html = client.get(f"/dkim?q={domain}").get_data(as_text=True)
    assert f"dkim._domainkey.{domain}" in html and key["dkim_txt"] in html
    assert "2048 bits" in html and 'data-copy="v=DKIM1;k=rsa;' in html
    bare = add_domain(sandbox, with_key=False)
    html = client.get(f"/dkim?q={bare}", headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and "No key" in html
    assert f"/dkim/new?domain={bare}" in html


def test_list_fetches_only_the_page_keys(client, sandbox, gets):
    response = client.get("/dkim?per_page=10")
    assert response.status_code == 200
    dkim_calls = [p for p in gets if p.startswith("dkim/")]
    assert 0 < len(dkim_calls) <= 10
    html = client.get("/dkim?per_page=10&page=2").get_data(as_text=True)
    assert "Page 2 of" in html


def test_generate(client, app, sandbox):
    domain = add_domain(sandbox, with_key=False)
    token = csrf_token(client, "/dkim/new")
    response = client.post("/dkim/new", data={"csrf_token": token, "domain": domain,
                                              "selector": "mail2026", "key_size": "3072"})
    assert response.status_code == 303
    key = key_of(sandbox, domain)
    assert key["dkim_selector"] == "mail2026"
    # Mailcow calls a 3072-bit key "2048"; the page reads the real size from the key.
    html = client.get(f"/dkim?q={domain}").get_data(as_text=True)
    assert "3072 bits" in html
    assert event(app, "dkim.create").changes == {"selector": "mail2026", "bits": 3072}


@pytest.mark.parametrize("fields, field, message", [
    ({"selector": "bad selector"}, "selector", "Use letters, digits"),
    ({"selector": ""}, "selector", "This field is required"),
    ({"key_size": "512"}, "key_size", "Not a valid choice"),
    ({"domain": "nope.invalid"}, "domain", "Not a valid choice"),
])
def test_generate_bad_input(client, sandbox, fields, field, message):
    domain = add_domain(sandbox, with_key=False)
    data = {"csrf_token": csrf_token(client, "/dkim/new"), "domain": domain,
            "selector": "dkim", "key_size": "2048", **fields}
    response = client.post("/dkim/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html and f'id="{field}-error"' in html
    assert key_of(sandbox, domain) is None


def test_generate_when_a_key_exists_is_a_banner(client, app, sandbox):
    domain = add_domain(sandbox)
    before = key_of(sandbox, domain)
    response = client.post("/dkim/new", data={"csrf_token": csrf_token(client, "/dkim/new"),
                                              "domain": domain, "selector": "other",
                                              "key_size": "2048"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "already has a DKIM key" in html
    assert key_of(sandbox, domain) == before
    assert event(app, "dkim.create").outcome == "failed"


def test_import(client, app, sandbox, pem, caplog):
    text, public = pem
    caplog.set_level(logging.DEBUG)
    domain = add_domain(sandbox, with_key=False)
    token = csrf_token(client, "/dkim/import")
    response = client.post("/dkim/import", data={"csrf_token": token, "domain": domain,
                                                 "selector": "moved", "private_key": text})
    assert response.status_code == 303
    key = key_of(sandbox, domain)
    assert (key["pubkey"], key["dkim_selector"]) == (public, "moved")
    audit = event(app, "dkim.import")
    assert audit.changes == {"selector": "moved", "bits": 1024, "overwrite": False}
    body = text.splitlines()[1]
    for path in ("/audit", "/audit/export.csv", f"/dkim?q={domain}"):
        assert body not in client.get(path).get_data(as_text=True)
    assert body not in "\n".join(r.getMessage() for r in caplog.records)


def test_import_over_an_existing_key_needs_the_box(client, sandbox, pem):
    text, public = pem
    domain = add_domain(sandbox)
    before = key_of(sandbox, domain)
    data = {"csrf_token": csrf_token(client, "/dkim/import"), "domain": domain,
            "selector": "dkim", "private_key": text}
    response = client.post("/dkim/import", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Tick this to replace it" in html
    assert 'id="overwrite-error"' in html and text.splitlines()[1] not in html
    assert key_of(sandbox, domain) == before
    response = client.post("/dkim/import", data={**data, "overwrite": "y"})
    assert response.status_code == 303 and key_of(sandbox, domain)["pubkey"] == public


@pytest.mark.parametrize("key, message", [
    ("hello", "PEM form"),
    ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "not a readable"),
])
def test_import_bad_key_is_refused_beside_the_field(client, sandbox, key, message):
    domain = add_domain(sandbox, with_key=False)
    response = client.post("/dkim/import", data={
        "csrf_token": csrf_token(client, "/dkim/import"), "domain": domain,
        "selector": "dkim", "private_key": key})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert 'id="private_key-error"' in html
    assert key_of(sandbox, domain) is None


def test_duplicate(client, app, sandbox):
    source, target = add_domain(sandbox), add_domain(sandbox, with_key=False)
    path = f"/dkim/{source}/duplicate"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "to_domain": target})
    assert response.status_code == 303
    assert key_of(sandbox, target)["pubkey"] == key_of(sandbox, source)["pubkey"]
    assert event(app, "dkim.duplicate").changes == {"from_domain": source, "selector": "dkim"}


def test_duplicate_over_a_key_asks_first(client, sandbox):
    source, target = add_domain(sandbox), add_domain(sandbox)
    before = key_of(sandbox, target)
    path = f"/dkim/{source}/duplicate"
    data = {"csrf_token": csrf_token(client, path), "to_domain": target}
    response = client.post(path, data=data)
    assert response.status_code == 422 and "Tick this to replace it" in \
        response.get_data(as_text=True)
    assert key_of(sandbox, target) == before
    assert client.post(path, data={**data, "overwrite": "y"}).status_code == 303
    assert key_of(sandbox, target)["pubkey"] == key_of(sandbox, source)["pubkey"]


def test_delete(client, app, sandbox):
    domain = add_domain(sandbox)
    path = f"/dkim/{domain}/delete"
    page = client.get(path).get_data(as_text=True)
    assert "no longer DKIM-signed" in page and f"dkim._domainkey.{domain}" in page
    response = client.post(path, data={"csrf_token": csrf_token(client, path)}, headers=HTMX)
    assert response.status_code == 204 and key_of(sandbox, domain) is None
    assert event(app, "dkim.delete").target == domain


def test_unknown_domain_or_missing_key_is_404(client, sandbox):
    assert client.get("/dkim/nope-nope.test/delete").status_code == 404
    bare = add_domain(sandbox, with_key=False)
    assert client.get(f"/dkim/{bare}/delete").status_code == 404
    assert client.get(f"/dkim/{bare}/duplicate").status_code == 404


def test_mailcow_failures_are_banners(client, faults, sandbox):
    faults.inject_fault("http500")
    response = client.get("/dkim", headers=HTMX)
    assert response.status_code == 502 and "Mailcow is not answering" in \
        response.get_data(as_text=True)
    faults.clear_faults()
    domain = add_domain(sandbox, with_key=False)
    data = {"csrf_token": csrf_token(client, "/dkim/new"), "domain": domain,
            "selector": "dkim", "key_size": "1024"}
    faults.inject_fault("delay", path_prefix="/api/v1/add/", seconds=3)
    response = client.post("/dkim/new", data=data)
    assert response.status_code == 502 and "did not answer within" in \
        response.get_data(as_text=True)


def test_domain_admin_gets_404(app, sandbox, admin):
    domain = add_domain(sandbox)
    c = signed_in_as(app, "da-dkim", [domain], [])
    for path in ("/dkim", "/dkim/new", "/dkim/import", f"/dkim/{domain}/duplicate",
                 f"/dkim/{domain}/delete"):
        assert c.get(path).status_code == 404, path
    token = csrf_token(c, "/account")
    assert c.post(f"/dkim/{domain}/delete", data={"csrf_token": token}).status_code == 404
    assert key_of(sandbox, domain) is not None
