"""DNS diagnostics end to end: the app asks a real NSD on loopback about zones we wrote."""
from __future__ import annotations

import re
import socket
import uuid

import pytest

from panel import create_app
from panel.services.admins import create_admin
from tests.conftest import HTMX, app_config, new_domain, sign_in, signed_in_as
from tests.conftest import mailcow_api as api
from tests.infra.nsd import nsd_available, serve_zones, txt_strings, zone_text

MAIL_HOST = "mail.sandbox.test"      # MAILCOW_HOSTNAME in tests/conftest.py
MAIL_HOST_IP = "192.0.2.25"


def add_domain(sandbox, name):
    new_domain(sandbox, name=name)
    dkim = api(sandbox, "get", f"dkim/{name}")
    if not dkim:
        api(sandbox, "add", "dkim", {"domains": name, "dkim_selector": "dkim",
                                     "key_size": "2048"})
        dkim = api(sandbox, "get", f"dkim/{name}")
    assert dkim.get("dkim_txt"), dkim
    return dkim


class Zones:
    def __init__(self, good: str, bad: str, port: int, unserved: str):
        self.good, self.bad, self.port, self.unserved = good, bad, port, unserved
        self.good_alias, self.bad_alias = f"alias-{good}", f"alias-{bad}"


@pytest.fixture(scope="session")
def nsd_zones(sandbox, tmp_path_factory):
    """NSD serving three zones on 127.0.0.1:<free port>: a mostly right domain, a mostly
    wrong one, and the mail host's own zone. Stopped at the end of the session."""
    if not nsd_available():
        pytest.skip("nsd is not installed (scripts/test.sh installs Debian's nsd)")
    suffix = uuid.uuid4().hex[:6]
    good, bad = f"dnsok{suffix}.test", f"dnsbad{suffix}.test"
    zones = {good: good_zone(good, add_domain(sandbox, good)["dkim_txt"]),
             bad: bad_zone(bad), "sandbox.test": zone_text("sandbox.test",
                                                           f"mail IN A {MAIL_HOST_IP}\n")}
    add_domain(sandbox, bad)
    unserved = f"dnsnone{suffix}.test"     # in Mailcow, but not on this DNS server
    add_domain(sandbox, unserved)
    for alias, target in ((f"alias-{good}", good), (f"alias-{bad}", bad)):
        answer = api(sandbox, "add", "alias-domain", {"alias_domain": alias,
                                                      "target_domain": target, "active": "1"})
        assert answer[0]["type"] == "success", answer
    zones[f"alias-{good}"] = zone_text(f"alias-{good}", f"""
@ IN MX 10 {MAIL_HOST}.
@ IN TXT "v=spf1 mx -all"
""")
    with serve_zones(tmp_path_factory.mktemp("nsd"), zones, probe=MAIL_HOST) as port:
        yield Zones(good, bad, port, unserved)


def good_zone(good: str, dkim_txt: str) -> str:
    """Mostly right: MX, SPF (with an extra include), DKIM split into strings with stray
    spaces, CNAMEs, SRVs; DMARC is missing; a few things wrong on purpose."""
    return zone_text(good, f"""
@ IN MX 10 {MAIL_HOST}.
@ IN TXT "v=spf1 mx include:_spf.example.net ~all"
dkim._domainkey IN TXT {txt_strings(dkim_txt.replace(";", "; "))}
autodiscover IN CNAME {MAIL_HOST}.
autoconfig IN CNAME webmail.example.net.
_autodiscover._tcp IN SRV 0 1 443 {MAIL_HOST}.
_imaps._tcp IN SRV 0 1 143 {MAIL_HOST}.
_submissions._tcp IN SRV 0 1 465 {MAIL_HOST}.
_mta-sts IN TXT "v=STSv1; id=20261122T0300"
_smtp._tls IN TXT "v=TLSRPTv1;"
""")


def bad_zone(bad: str) -> str:
    """Mostly wrong: present but pointing elsewhere or malformed; autodiscover uses an A
    record with the mail host's address (acceptable)."""
    return zone_text(bad, f"""
@ IN MX 10 mx.elsewhere.example.
@ IN TXT "v=spf1 include:spf.elsewhere.example -all"
_dmarc IN TXT "v=DMARC1; rua=mailto:reports@{bad}"
dkim._domainkey IN TXT "v=DKIM1;k=rsa;t=s;s=email;p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBwrong"
autodiscover IN A {MAIL_HOST_IP}
autoconfig IN A 198.51.100.7
""")


@pytest.fixture
def dns_app(tmp_path, sandbox, nsd_zones):
    application = create_app(app_config(tmp_path, sandbox,
                                        MAILAPP_DNS_RESOLVER=f"127.0.0.1:{nsd_zones.port}"))
    with application.app_context():
        create_admin("root", "correct-horse-battery")
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def dns_client(dns_app):
    c = dns_app.test_client()
    assert sign_in(c).status_code == 302
    return c


ROW = re.compile(r'<tr class="dns-row [^"]*" data-name="([^"]+)" data-type="([A-Z]+)" '
                 r'data-status="([a-z]+)">(.*?)</tr>', re.S)


def rows(html: str) -> dict[tuple[str, str], tuple[str, str]]:
    return {(m[1], m[2]): (m[3], m[4]) for m in ROW.finditer(html)}


def summary(html: str) -> dict[str, int]:
    return {m[1]: int(m[2]) for m in re.finditer(
        r'<article class="dns-count-([a-z]+)"><header>[^<]*</header><p class="stat">(\d+)</p>',
        html)}


def test_page_renders_at_once_and_loads_results_lazily(dns_client, nsd_zones):
    html = dns_client.get(f"/dns?domain={nsd_zones.good}").get_data(as_text=True)
    assert f'hx-get="/dns/check?domain={nsd_zones.good}"' in html
    assert 'hx-trigger="load"' in html
    assert f"127.0.0.1:{nsd_zones.port}" in html        # the resolver in use is named
    assert "data-status=" not in html                    # no lookups on the first render


def test_a_mostly_right_domain(dns_client, nsd_zones):
    d = nsd_zones.good
    response = dns_client.get(f"/dns/check?domain={d}", headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = rows(html)
    status = {key: value[0] for key, value in found.items()}
    assert status[(d, "MX")] == "correct"
    assert status[(d, "TXT")] == "correct"                      # extra include is fine
    assert status[(f"_dmarc.{d}", "TXT")] == "missing"
    assert status[(f"dkim._domainkey.{d}", "TXT")] == "correct"  # split, spaced, same key
    assert status[(f"autodiscover.{d}", "CNAME")] == "correct"
    assert status[(f"autoconfig.{d}", "CNAME")] == "mismatch"
    assert status[(f"_autodiscover._tcp.{d}", "SRV")] == "correct"
    assert status[(f"_imaps._tcp.{d}", "SRV")] == "mismatch"     # wrong port
    assert status[(f"_submissions._tcp.{d}", "SRV")] == "correct"
    assert status[(f"_submission._tcp.{d}", "SRV")] == "optional"
    assert status[(f"_pop3s._tcp.{d}", "SRV")] == "optional"
    assert status[(f"_mta-sts.{d}", "TXT")] == "correct"
    assert status[(f"_smtp._tls.{d}", "TXT")] == "mismatch"     # no rua=
    # Current values are shown as published; the summary adds up the rows.
    assert "webmail.example.net." in found[(f"autoconfig.{d}", "CNAME")][1]
    assert "0 1 143 mail.sandbox.test." in found[(f"_imaps._tcp.{d}", "SRV")][1]
    counts = summary(html)
    assert sum(counts.values()) == len(found)
    for name in ("correct", "missing", "mismatch", "optional"):
        assert counts[name] == list(status.values()).count(name), name
    assert "failed" not in counts


def test_a_mostly_wrong_domain(dns_client, nsd_zones):
    d = nsd_zones.bad
    html = dns_client.get(f"/dns/check?domain={d}", headers=HTMX).get_data(as_text=True)
    found = rows(html)
    status = {key: value[0] for key, value in found.items()}
    assert status[(d, "MX")] == "mismatch"
    assert "no MX points at mail.sandbox.test" in found[(d, "MX")][1]
    assert status[(d, "TXT")] == "mismatch"
    assert "does not allow the mail host" in found[(d, "TXT")][1]
    assert status[(f"_dmarc.{d}", "TXT")] == "mismatch"
    assert "no valid policy" in found[(f"_dmarc.{d}", "TXT")][1]
    assert status[(f"dkim._domainkey.{d}", "TXT")] == "mismatch"
    assert status[(f"autodiscover.{d}", "CNAME")] == "correct"   # A = mail host's A
    assert status[(f"autoconfig.{d}", "CNAME")] == "mismatch"
    assert "198.51.100.7" in found[(f"autoconfig.{d}", "CNAME")][1]
    assert status[(f"_autodiscover._tcp.{d}", "SRV")] == "missing"
    assert status[(f"_mta-sts.{d}", "TXT")] == "optional"


def test_full_page_of_the_results_is_bookmarkable(dns_client, nsd_zones):
    html = dns_client.get(f"/dns/check?domain={nsd_zones.good}").get_data(as_text=True)
    assert "<h1>" in html and 'data-status="correct"' in html


def test_domain_detail_links_to_the_check(dns_client, nsd_zones):
    html = dns_client.get(f"/domains/{nsd_zones.good}").get_data(as_text=True)
    assert f'href="/dns?domain={nsd_zones.good}"' in html


def test_a_resolver_that_does_not_answer_times_out_per_row(tmp_path, sandbox, nsd_zones):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # bound, never read
    silent.bind(("127.0.0.1", 0))
    try:
        app = create_app(app_config(tmp_path, sandbox, MAILAPP_DNS_RESOLVER=(
            f"127.0.0.1:{silent.getsockname()[1]}")))
        c = signed_in_as(app, "root")
        response = c.get(f"/dns/check?domain={nsd_zones.good}", headers=HTMX)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        found = rows(html)
        assert found and all(s == "failed" for s, _ in found.values())
        assert all("timed out after 2 s" in cell for _, cell in found.values())
        assert summary(html)["failed"] == len(found)
        app.extensions["db_engine"].dispose()
    finally:
        silent.close()


def test_a_bad_resolver_setting_is_a_notice_not_an_error_page(tmp_path, sandbox, nsd_zones):
    app = create_app(app_config(tmp_path, sandbox, MAILAPP_DNS_RESOLVER="127.0.0.1:99999"))
    c = signed_in_as(app, "root")
    response = c.get(f"/dns?domain={nsd_zones.good}")
    assert response.status_code == 200
    assert "The DNS resolver setting is not usable" in response.get_data(as_text=True)
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("mine, theirs, option", [
    ("good", "bad", '<option value="{}" selected>'),
    ("good_alias", "bad_alias", '<option value="{}"'),
], ids=["domains", "alias-domains"])
def test_domain_admin_sees_only_their_domains(dns_app, nsd_zones, mine, theirs, option):
    """A domain administrator of the good zone: its alias domains too, nothing of the bad."""
    c = signed_in_as(dns_app, "da-dns", [nsd_zones.good], [])
    mine, theirs = getattr(nsd_zones, mine), getattr(nsd_zones, theirs)
    html = c.get("/dns").get_data(as_text=True)
    assert option.format(mine) in html
    assert theirs not in html
    assert c.get(f"/dns?domain={theirs}").status_code == 404
    assert c.get(f"/dns/check?domain={theirs}", headers=HTMX).status_code == 404
    assert c.get(f"/dns/check?domain={mine}", headers=HTMX).status_code == 200


def test_unknown_domain_is_404(dns_client):
    assert dns_client.get("/dns?domain=no-such-domain.test").status_code == 404
    assert dns_client.get("/dns/check?domain=no-such-domain.test").status_code == 404


def test_a_refusing_server_is_reported_per_row(dns_client, nsd_zones):
    # NSD is authoritative only: for a zone it does not serve it answers REFUSED.
    html = dns_client.get(f"/dns/check?domain={nsd_zones.unserved}", headers=HTMX) \
        .get_data(as_text=True)
    found = rows(html)
    assert found and all(s == "failed" for s, _ in found.values())
    assert all("the resolver could not answer (REFUSED)" in cell for _, cell in found.values())
    assert "Some lookups failed at 127.0.0.1:" in html


def test_an_alias_domain_needs_only_mail_records(dns_client, nsd_zones):
    alias = nsd_zones.good_alias
    page = dns_client.get(f"/dns?domain={alias}").get_data(as_text=True)
    assert f"is an alias domain of {nsd_zones.good}" in page
    assert f'href="/domains/{nsd_zones.good}"' in page
    found = rows(dns_client.get(f"/dns/check?domain={alias}", headers=HTMX)
                 .get_data(as_text=True))
    status = {key: value[0] for key, value in found.items()}
    assert status[(alias, "MX")] == "correct" and status[(alias, "TXT")] == "correct"
    assert status[(f"_dmarc.{alias}", "TXT")] == "missing"
    assert not any(name.startswith(("autodiscover.", "autoconfig.", "_imaps.", "mta-sts."))
                   for name, _ in found)

