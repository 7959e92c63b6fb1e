"""The Domains area end to end: the Flask app against the sandbox Mailcow on loopback."""
import re
import uuid

import pytest
from sqlalchemy import select

from panel.extensions import db
from panel.models import AuditEvent
from tests.conftest import csrf_token
from tests.conftest import mailcow_api as api

HTMX = {"HX-Request": "true"}


def unique(prefix="t"):
    return f"{prefix}{uuid.uuid4().hex[:8]}.test"




def add_domain(sandbox, name, **attrs):
    body = {"domain": name, "active": "1", "mailboxes": "10", "aliases": "10",
            "defquota": "1024", "maxquota": "2048", "quota": "10240", **attrs}
    answer = api(sandbox, "add", "domain", body)
    assert not any(m["type"] == "danger" for m in answer), answer
    return name


def add_mailbox(sandbox, domain, local="user"):
    answer = api(sandbox, "add", "mailbox", {
        "local_part": local, "domain": domain, "name": "User", "quota": "100",
        "password": "S3cret-Pass1", "password2": "S3cret-Pass1", "active": "1"})
    assert not any(m["type"] == "danger" for m in answer), answer


def domain_exists(sandbox, name):
    return bool(api(sandbox, "get", f"domain/{name}"))


def form_data(client, path, **fields):
    data = {"csrf_token": csrf_token(client, path), "description": "", "max_aliases": "400",
            "max_mailboxes": "10", "default_mailbox_quota_mib": "1024",
            "max_mailbox_quota_mib": "2048", "quota_mib": "10240", "rate_limit_value": "0",
            "rate_limit_frame": "s", "tags": "", "active": "y", "gal": "y",
            "dkim_selector": "dkim", "dkim_key_size": "2048"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


# -- list ------------------------------------------------------------------------------

def test_list_shows_domains_with_counts_quota_and_stats_link(client, sandbox):
    name = add_domain(sandbox, unique("list"), description="Listed domain")
    add_mailbox(sandbox, name)
    html = client.get(f"/domains?q={name}").get_data(as_text=True)
    assert name in html and "Listed domain" in html
    row = html[html.index(f'id="domain-{name.replace(".", "-")}"'):]
    row = row[:row.index("</tr>")]
    assert "1 / 10" in row           # mailboxes used / limit
    assert "0 / 10" in row           # aliases used / limit
    assert "100 MiB / 10 GiB" in row  # quota assigned / domain quota
    assert f"/domains/{name}#statistics" in row


def test_search_filters_on_the_server_and_htmx_gets_only_the_table(client, sandbox):
    keep = add_domain(sandbox, unique("needle"))
    other = add_domain(sandbox, unique("hay"))
    response = client.get(f"/domains?q={keep[:14]}", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert keep in html and other not in html
    assert "<html" not in html and 'id="domain-search"' not in html  # rows only
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]
    full = client.get(f"/domains?q={keep[:14]}").get_data(as_text=True)
    assert "<html" in full and f'value="{keep[:14]}"' in full  # same URL, whole page


def test_search_for_nothing_says_so(client):
    html = client.get("/domains?q=zzzz-no-such-domain").get_data(as_text=True)
    assert "No domain matches" in html


def test_paging_and_sorting_keep_state_in_links(client, sandbox):
    prefix = "pg" + uuid.uuid4().hex[:6]
    names = [add_domain(sandbox, f"{prefix}{i:02d}.test") for i in range(12)]
    html = client.get(f"/domains?q={prefix}&per_page=10&sort=domain&dir=desc").get_data(as_text=True)
    shown = re.findall(rf"({prefix}\d\d\.test)</strong>", html)
    assert shown == sorted(names, reverse=True)[:10]
    assert "Showing 1 to 10 of 12" in html
    assert f"q={prefix}" in html and "page=2" in html
    page2 = client.get(f"/domains?q={prefix}&per_page=10&sort=domain&dir=desc&page=2")
    shown2 = re.findall(rf"({prefix}\d\d\.test)</strong>", page2.get_data(as_text=True))
    assert shown2 == sorted(names, reverse=True)[10:]


def test_bad_query_args_fall_back_to_defaults(client):
    assert client.get("/domains?page=abc&per_page=999&sort=drop").status_code == 200


# -- add -------------------------------------------------------------------------------

def test_add_domain_creates_it_with_dkim_and_lists_dns_records(app, client, sandbox):
    name = unique("new")
    response = client.post("/domains/new", data=form_data(
        client, "/domains/new", domain=name.upper(), description="Fresh", tags="a, b",
        rate_limit_value="100", rate_limit_frame="h", dkim_key_size="1024"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/domains/{name}?added=1"
    got = api(sandbox, "get", f"domain/{name}")
    assert got["description"] == "Fresh"
    assert got["max_quota_for_mbox"] == 2048 * 1024 * 1024
    assert got["rl"] == {"value": "100", "frame": "h"}
    assert sorted(got.get("tags") or []) == ["a", "b"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Publish the DNS records" in page
    dkim = api(sandbox, "get", f"dkim/{name}")
    assert dkim["length"] == "1024"
    assert dkim["dkim_txt"].replace("\\/", "/") in page.replace("&#43;", "+").replace("&#x2F;", "/")
    for needle in (f"_dmarc.{name}", f"autodiscover.{name}", f"autoconfig.{name}", "v=spf1 mx",
                   f"dkim._domainkey.{name}", "10 mail.sandbox.test."):
        assert needle in page
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "domain.create",
                                                           AuditEvent.target == name))
    assert event.actor == "root" and event.outcome == "ok" and event.domain == name
    assert event.changes["description"] == "Fresh"


def test_add_form_errors_are_beside_fields_and_nothing_is_created(client, sandbox):
    response = client.post("/domains/new", data=form_data(
        client, "/domains/new", domain="not a domain!", default_mailbox_quota_mib="5000",
        max_mailbox_quota_mib="4000", quota_mib="3000", max_mailboxes="-1", dkim_selector="bad sel"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in ("Enter a domain name such as example.org.",
                    "The default quota cannot be larger than the maximum quota per mailbox.",
                    "cannot be larger than the domain quota.",
                    "Number must be between 0 and 1000000.",
                    "Letters, digits, dash and underscore only."):
        assert message in html
    assert html.count('class="field-error"') >= 5
    assert not domain_exists(sandbox, "not a domain!")


def test_mailcow_refusal_shows_readable_banner(client, sandbox):
    name = add_domain(sandbox, unique("dup"))
    response = client.post("/domains/new", data=form_data(client, "/domains/new", domain=name))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"Domain {name} already exists" in html
    assert 'value="' + name + '"' in html  # the form keeps what was typed


def test_relay_options_need_backup_mx(client, sandbox):
    name = unique("relay")
    response = client.post("/domains/new", data=form_data(
        client, "/domains/new", domain=name, relay_all_recipients="y"))
    assert response.status_code == 422
    assert "Relay options only apply" in response.get_data(as_text=True)
    assert not domain_exists(sandbox, name)


def test_htmx_add_answers_with_client_redirect_and_toast(client, sandbox):
    name = unique("hx")
    response = client.post("/domains/new", headers=HTMX,
                           data=form_data(client, "/domains/new", domain=name))
    assert response.status_code == 204
    assert response.headers["HX-Location"] == f"/domains/{name}?added=1"
    assert f"Domain {name} added." in response.headers["HX-Trigger"]


# -- edit ------------------------------------------------------------------------------

def test_edit_saves_changes_and_removes_dropped_tags(app, client, sandbox):
    name = add_domain(sandbox, unique("ed"), tags=["keep", "drop"])
    page = client.get(f"/domains/{name}/edit").get_data(as_text=True)
    assert 'value="2048"' in page and "drop, keep" in page
    response = client.post(f"/domains/{name}/edit", data=form_data(
        client, f"/domains/{name}/edit", description="Edited", max_mailboxes="25", tags="keep",
        active=None))
    assert response.status_code == 303, response.get_data(as_text=True)
    got = api(sandbox, "get", f"domain/{name}")
    assert got["description"] == "Edited" and got["max_num_mboxes_for_domain"] == 25
    assert got["active_int"] == 0
    assert got.get("tags") == ["keep"]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "domain.update",
                                                           AuditEvent.target == name))
    assert event.changes["description"][1] == "Edited"
    assert event.changes["max_mailboxes"] == [10, 25]


def test_edit_refused_by_mailcow_keeps_the_domain_unchanged(client, sandbox):
    name = add_domain(sandbox, unique("lim"))
    add_mailbox(sandbox, name, "a")
    add_mailbox(sandbox, name, "b")
    response = client.post(f"/domains/{name}/edit", data=form_data(
        client, f"/domains/{name}/edit", max_mailboxes="1"))
    assert response.status_code == 422
    assert "at least 2" in response.get_data(as_text=True)
    assert api(sandbox, "get", f"domain/{name}")["max_num_mboxes_for_domain"] == 10


def test_unknown_domain_is_404(client):
    for path in ("/domains/nope-nope.test", "/domains/nope-nope.test/edit",
                 "/domains/nope-nope.test/delete"):
        assert client.get(path).status_code == 404


# -- delete ----------------------------------------------------------------------------

def test_delete_confirmation_says_what_is_lost(client, sandbox):
    name = add_domain(sandbox, unique("del"))
    html = client.get(f"/domains/{name}/delete").get_data(as_text=True)
    assert f"Delete domain {name}?" in html and "DKIM key" in html and "cannot be undone" in html


def test_delete_removes_the_domain(client, sandbox):
    name = add_domain(sandbox, unique("gone"))
    response = client.post(f"/domains/{name}/delete",
                           data={"csrf_token": csrf_token(client, f"/domains/{name}/delete")})
    assert response.status_code == 303 and response.headers["Location"] == "/domains"
    assert not domain_exists(sandbox, name)


def test_delete_of_domain_with_mailboxes_is_refused_plainly(client, sandbox):
    name = add_domain(sandbox, unique("full"))
    add_mailbox(sandbox, name)
    page = client.get(f"/domains/{name}/delete").get_data(as_text=True)
    assert "still has 1 mailbox" in page
    response = client.post(f"/domains/{name}/delete",
                           data={"csrf_token": csrf_token(client, f"/domains/{name}/delete")})
    assert response.status_code == 422
    assert f"Domain {name} still has mailboxes; delete them first" in response.get_data(as_text=True)
    assert domain_exists(sandbox, name)


def test_delete_without_csrf_changes_nothing(client, sandbox):
    name = add_domain(sandbox, unique("csrf"))
    assert client.post(f"/domains/{name}/delete").status_code == 400
    assert domain_exists(sandbox, name)


# -- Mailcow failures ------------------------------------------------------------------

@pytest.mark.parametrize("kind, seconds, expected", [
    ("http500", 0, "Mailcow answered with a server error (HTTP 500)"),
    ("delay", 3, "Mailcow did not answer within 2 seconds"),
    ("html200", 0, "Mailcow answered with a web page instead of JSON"),
])
def test_mailcow_failure_is_a_banner_not_a_traceback(client, faults, kind, seconds, expected):
    faults.inject_fault(kind, seconds=seconds)
    for headers in ({}, HTMX):
        response = client.get("/domains", headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 502
        assert expected in html
        assert "Traceback" not in html
    assert response.headers["HX-Retarget"] == "#banner"


def test_failed_add_during_outage_creates_nothing_and_is_audited(app, client, faults, sandbox):
    name = unique("down")
    data = form_data(client, "/domains/new", domain=name)
    faults.inject_fault("http500")
    response = client.post("/domains/new", data=data)
    assert response.status_code == 502
    faults.clear_faults()
    assert not domain_exists(sandbox, name)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.target == name))
    assert event.outcome == "failed" and "HTTP 500" in event.detail


def test_wrong_api_key_is_named_clearly(tmp_path, sandbox):
    from panel import create_app
    from panel.services.admins import create_admin
    from tests.conftest import app_config, sign_in

    app = create_app(app_config(tmp_path, sandbox, MAILCOW_API_KEY="wrong",
                                MAILCOW_API_KEY_READONLY="wrong"))
    with app.app_context():
        create_admin("root", "correct-horse-battery")
    c = app.test_client()
    sign_in(c)
    response = c.get("/domains")
    assert response.status_code == 502
    assert "Mailcow rejected the API key" in response.get_data(as_text=True)


def test_unreachable_mailcow_is_named_clearly(tmp_path, sandbox):
    from panel import create_app
    from panel.services.admins import create_admin
    from tests.conftest import app_config, sign_in

    app = create_app(app_config(tmp_path, sandbox, MAILCOW_URL="http://127.0.0.1:9"))
    with app.app_context():
        create_admin("root", "correct-horse-battery")
    c = app.test_client()
    sign_in(c)
    response = c.get("/domains")
    assert response.status_code == 502
    assert "Cannot reach Mailcow at http://127.0.0.1:9" in response.get_data(as_text=True)
