"""The domain form checks what Mailcow would refuse before anything is sent."""
import pytest
from werkzeug.datastructures import MultiDict

from panel.forms.domains import DomainAddForm, normalise_domain, parse_tags

VALID = {"domain": "example.org", "max_aliases": "400", "max_mailboxes": "10",
         "default_mailbox_quota_mib": "1024", "max_mailbox_quota_mib": "2048",
         "quota_mib": "10240", "rate_limit_value": "0", "rate_limit_frame": "s",
         "dkim_selector": "dkim", "dkim_key_size": "2048", "active": "y"}


def make(app, **changes):
    data = {**VALID, **changes}
    with app.test_request_context(method="POST", data=MultiDict(data)):
        form = DomainAddForm(meta={"csrf": False})
        form.validate()
        return form


def test_valid_form_gives_settings(app):
    form = make(app, tags="b, a, b", description="  Hi ")
    assert not form.errors
    s = form.settings()
    assert s.tags == ["b", "a"] and s.description == "Hi" and s.active and not s.gal


@pytest.mark.parametrize("name", ["", "nodot", "bad name.org", "-x.org", "a..b.org", "x.o"])
def test_invalid_domain_names(app, name):
    assert "domain" in make(app, domain=name).errors


def test_idn_becomes_punycode_and_case_is_folded():
    assert normalise_domain(" Bücher.Example. ") == "xn--bcher-kva.example"


def test_quota_rules(app):
    errors = make(app, default_mailbox_quota_mib="4096", max_mailbox_quota_mib="2048").errors
    assert "default_mailbox_quota_mib" in errors
    errors = make(app, max_mailbox_quota_mib="20000").errors
    assert "max_mailbox_quota_mib" in errors
    assert "quota_mib" in make(app, quota_mib="0").errors
    assert "max_mailboxes" in make(app, max_mailboxes="abc").errors


def test_relay_options_need_backup_mx(app):
    assert "relay_unknown_only" in make(app, relay_unknown_only="y").errors
    assert not make(app, backupmx="y", relay_unknown_only="y").errors


def test_bad_tag_and_selector(app):
    assert "tags" in make(app, tags="ok, <script>").errors
    assert "dkim_selector" in make(app, dkim_selector="has space").errors
    assert "dkim_key_size" in make(app, dkim_key_size="512").errors


def test_parse_tags_drops_blanks():
    assert parse_tags(" , x ,, y") == ["x", "y"]
