"""Every route declares who may use it; a route without a rule is refused."""
from flask import Blueprint

from panel import access


def test_every_registered_endpoint_declares_an_access_rule(app):
    with app.app_context():
        missing = [rule.endpoint for rule in app.url_map.iter_rules()
                   if access.rule_for(rule.endpoint) is None]
    assert missing == [], f"routes without an access rule: {missing}"


def test_a_route_without_a_rule_is_refused_even_when_signed_in(tmp_path, sandbox):
    from panel import create_app
    from tests.conftest import app_config, sign_in
    from panel.services.admins import create_admin

    app = create_app(app_config(tmp_path, sandbox))
    bp = Blueprint("undeclared", __name__)

    @bp.get("/undeclared")
    def undeclared():
        return "secret"

    app.register_blueprint(bp)
    with app.app_context():
        create_admin("root", "correct-horse-battery")
    client = app.test_client()
    sign_in(client)
    response = client.get("/undeclared")
    assert response.status_code == 404
    assert b"secret" not in response.data


def test_global_only_pages_send_anonymous_users_to_login(anon):
    response = anon.get("/domains")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
