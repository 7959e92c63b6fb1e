"""Administrators and Domain administrators pages, and the rank rules."""
from sqlalchemy import select

from panel.extensions import db
from panel.models import Admin, AuditEvent
from panel.services.admins import create_admin
from tests.conftest import ADMIN_PASSWORD, csrf_token, sign_in


def admin_named(app, name):
    with app.app_context():
        return db.session.scalar(select(Admin).where(Admin.username == name))


def post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/domains"), **data})


def test_add_global_admin_and_sign_in_as_it(app, client):
    response = post(client, "/admins/new", username="Second", password="long-enough-pass",
                    password2="long-enough-pass", active="y")
    assert response.status_code == 303
    assert "second" in client.get("/admins").get_data(as_text=True)
    other = app.test_client()
    assert sign_in(other, "second", "long-enough-pass").status_code == 302


def test_add_admin_form_errors_change_nothing(app, client):
    response = post(client, "/admins/new", username="Bad Name!", password="short",
                    password2="different")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2 to 64 characters" in html and "At least 10 characters." in html
    assert "The two passwords do not match." in html
    dup = post(client, "/admins/new", username="root", password="long-enough-pass",
               password2="long-enough-pass")
    assert dup.status_code == 422 and "already exists" in dup.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Admin).where(Admin.username == "bad name!")) is None


def test_domain_admin_with_domains_and_permissions(app, client, sandbox):
    response = post(client, "/domain-admins/new", username="dom", password="long-enough-pass",
                    password2="long-enough-pass", active="y", domains=["example.org"],
                    permissions=["aliases", "filters"])
    assert response.status_code == 303, response.get_data(as_text=True)
    dom = admin_named(app, "dom")
    assert dom.role == "domain" and dom.domains == ["example.org"]
    assert dom.permissions == ["aliases", "filters"]
    listing = client.get("/domain-admins").get_data(as_text=True)
    assert "dom" in listing and "example.org" in listing


def test_domain_admin_needs_a_known_domain(app, client):
    none = post(client, "/domain-admins/new", username="dom2", password="long-enough-pass",
                password2="long-enough-pass")
    assert none.status_code == 422 and "Pick at least one domain." in none.get_data(as_text=True)
    unknown = post(client, "/domain-admins/new", username="dom2", password="long-enough-pass",
                   password2="long-enough-pass", domains=["nope-not-there.test"])
    assert unknown.status_code == 422
    assert admin_named(app, "dom2") is None


def test_edit_changes_domains_permissions_and_password(app, client):
    with app.app_context():
        target = create_admin("dom3", "long-enough-pass", domains=["example.org"])
        target_id = target.id
    response = post(client, f"/domain-admins/{target_id}/edit", domains=["example.net"],
                    permissions=["quarantine"], active="y", password="brand-new-password",
                    password2="brand-new-password")
    assert response.status_code == 303, response.get_data(as_text=True)
    dom = admin_named(app, "dom3")
    assert dom.domains == ["example.net"] and dom.permissions == ["quarantine"]
    assert sign_in(app.test_client(), "dom3", "brand-new-password").status_code == 302
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.update"))
    assert event.changes["domains"] == [["example.org"], ["example.net"]]
    assert event.changes["password"] == "[redacted]"


def test_global_and_domain_admin_ids_do_not_cross_pages(app, client):
    with app.app_context():
        dom_id = create_admin("dom4", "long-enough-pass", domains=["example.org"]).id
    root_id = admin_named(app, "root").id
    assert client.get(f"/admins/{dom_id}/edit").status_code == 404
    assert client.get(f"/domain-admins/{root_id}/edit").status_code == 404


def test_cannot_disable_or_delete_yourself_or_the_last_global_admin(app, client):
    root_id = admin_named(app, "root").id
    response = post(client, f"/admins/{root_id}/delete")
    assert response.status_code == 422
    assert "your own account" in response.get_data(as_text=True)
    post(client, f"/admins/{root_id}/active")
    assert admin_named(app, "root").active


def test_disable_enable_and_delete(app, client):
    with app.app_context():
        other_id = create_admin("other", "long-enough-pass").id
    post(client, f"/admins/{other_id}/active")
    assert not admin_named(app, "other").active
    assert sign_in(app.test_client(), "other", "long-enough-pass").status_code == 401
    post(client, f"/admins/{other_id}/active")
    assert admin_named(app, "other").active
    page = client.get(f"/admins/{other_id}/delete").get_data(as_text=True)
    assert "Delete administrator other?" in page
    assert post(client, f"/admins/{other_id}/delete").status_code == 303
    assert admin_named(app, "other") is None


def test_reset_second_factors_is_audited(app, client):
    with app.app_context():
        other_id = create_admin("locked", "long-enough-pass").id
    response = post(client, f"/admins/{other_id}/reset-2fa")
    assert response.status_code == 303
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "admin.2fa_reset"))
    assert event is not None and event.target == "locked"


def test_domain_admin_cannot_reach_administrator_pages(app, anon):
    with app.app_context():
        create_admin("dom5", "long-enough-pass", domains=["example.org"])
        root_id = create_admin("root", ADMIN_PASSWORD).id
    sign_in(anon, "dom5", "long-enough-pass")
    me = admin_named(app, "dom5")
    for path in ("/admins", "/admins/new", f"/admins/{root_id}/edit", "/domain-admins",
                 f"/domain-admins/{me.id}/edit", "/domain-admins/new"):
        assert anon.get(path).status_code == 404, path
    # Not even their own record: no widening of domains or permissions.
    response = post(anon, f"/domain-admins/{me.id}/edit", domains=["example.net"],
                    permissions=["logs"], active="y")
    assert response.status_code == 404
    assert admin_named(app, "dom5").domains == ["example.org"]


def test_blank_domain_names_never_make_a_global_admin(app):
    with app.app_context():
        try:
            create_admin("blanky", "long-enough-pass", domains=[" ", ""])
        except ValueError as exc:
            assert "at least one domain" in str(exc)
        else:
            raise AssertionError("an admin was created from blank domain names")
        assert db.session.scalar(select(Admin).where(Admin.username == "blanky")) is None
