"""Mailcow logs end to end: the app against the sandbox's get/logs routes."""
import re

import pytest

from panel.mailcow.logs import SOURCES
from tests.conftest import HTMX, signed_in_as
ROWS = re.compile(r'<tr class="log-entry log-level-([a-z]+)">(.*?)</tr>', re.S)

# A column only that source has, and a value its demo entries carry.
EXPECTED = {
    "postfix": ("Program", "postfix/qmgr"),
    "dovecot": ("Program", "imap-login: Login: user=&lt;"),
    "sogo": ("Program", "sogod"),
    "netfilter": ("Priority", "Banning 198.51.100.0/24 for 30 minutes"),
    "autodiscover": ("User agent", "Thunderbird/128.5.0"),
    "watchdog": ("Health points", "Dovecot"),
    "acme": ("Message", "Certificate validation done"),
    "api": ("URI", "/api/v1/get/domain/all"),
    "ratelimited": ("Rate limit", "mailcow(RL"),
    "cron": ("Program", "crond"),
    "ui": ("Call", "Mailbox bob.jones@example.org"),
    "sasl": ("App password", "#3"),
    "rspamd-history": ("Top symbols", "BAYES_SPAM (+5.1)"),
}


def rows(html):
    return ROWS.findall(html)


@pytest.mark.parametrize("source", SOURCES)
def test_every_source_renders_with_its_own_columns(client, source):
    response = client.get(f"/logs?source={source}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    column, value = EXPECTED[source]
    assert f">{column}</th>" in html
    assert value in html
    found = rows(html)
    assert found, html
    # Times come from unix stamps (numbers or strings) or MySQL datetimes alike.
    assert all(re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00">', cells)
               for _, cells in found)
    assert 'aria-current="page">' in html


def test_priorities_are_badges(client):
    html = client.get("/logs?source=postfix&count=1000").get_data(as_text=True)
    levels = {level for level, _ in rows(html)}
    assert {"off", "warn", "bad"} <= levels        # info, warning, err
    assert '<span class="badge warn">warning</span>' in html
    assert '<span class="badge bad">err</span>' in html


def test_count_limits_the_entries(client):
    assert len(rows(client.get("/logs?source=postfix&count=25").get_data(as_text=True))) == 25
    many = rows(client.get("/logs?source=postfix&count=1000").get_data(as_text=True))
    assert 25 < len(many) < 1000


def test_text_filter_keeps_matching_entries_only(client):
    html = client.get("/logs?source=postfix&count=1000&q=DEFERRED").get_data(as_text=True)
    found = rows(html)
    assert found and all("deferred" in cells.lower() for _, cells in found)
    assert "contain “DEFERRED”" in html
    html = client.get("/logs?source=postfix&q=no-such-text-anywhere").get_data(as_text=True)
    assert not rows(html) and "contain “no-such-text-anywhere”" in html
    assert "None of the last" in html


def test_filter_and_polling_answer_only_the_table(client):
    response = client.get("/logs?source=dovecot&count=50&q=failed&refresh=1",
                          headers={**HTMX, "HX-Target": "log-table"})
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="log-table" hx-get="/logs?source=dovecot&amp;count=50'
                           '&amp;q=failed&amp;refresh=1" hx-trigger="every 10s"')
    assert "<nav" not in html and "<h1>" not in html
    off = client.get("/logs?source=dovecot", headers={**HTMX, "HX-Target": "log-table"})
    assert "hx-trigger" not in off.get_data(as_text=True)


def test_switching_tabs_answers_the_panel(client):
    html = client.get("/logs?source=sasl", headers={**HTMX, "HX-Target": "log-panel"}) \
        .get_data(as_text=True)
    assert '<nav class="log-sources"' in html and "<h1>" not in html
    assert "SASL logins" in html


def test_unknown_source_and_count_fall_back(client):
    html = client.get("/logs?source=../../etc&count=7").get_data(as_text=True)
    assert '<h2 id="log-title">Postfix</h2>' in html
    assert '<option value="100" selected>' in html


def test_secrets_are_never_shown(client):
    html = client.get("/logs?source=ui").get_data(as_text=True)
    assert "&#34;password&#34;: &#34;*&#34;" in html or '"password": "*"' in html


@pytest.mark.parametrize("kind, seconds, expected", [
    ("http500", 0, "Mailcow answered with a server error (HTTP 500)"),
    ("html200", 0, "Mailcow answered with a web page instead of JSON"),
    ("delay", 3, "Mailcow did not answer within 2 seconds"),
])
def test_mailcow_failure_is_a_banner(client, faults, kind, seconds, expected):
    faults.inject_fault(kind, path_prefix="/api/v1/get/logs/", seconds=seconds)
    for headers in ({}, {**HTMX, "HX-Target": "log-table"}):
        response = client.get("/logs?source=postfix&refresh=1", headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 502
        assert expected in html and "Traceback" not in html
    assert response.headers["HX-Retarget"] == "#banner"


def test_domain_admins_do_not_see_logs_even_with_the_logs_permission(app, sandbox, admin):
    c = signed_in_as(app, "da-logs", ["example.org"], ["logs"])
    assert c.get("/logs").status_code == 404
    assert c.get("/logs?source=postfix", headers=HTMX).status_code == 404
    assert 'href="/logs"' not in c.get("/").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(anon):
    assert anon.get("/logs").status_code == 302
