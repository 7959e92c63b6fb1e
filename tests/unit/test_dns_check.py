"""How a published DNS value is judged against the expected record (no network)."""
import pytest

from panel.dns.check import Lookup, ResolverSpec, compare
from panel.dns.records import expected_records
from panel.mailcow.dkim import DkimKey

KEY = DkimKey("example.org", "dkim", 2048, "v=DKIM1;k=rsa;t=s;s=email;p=MIIBIjANBgkqAB",
              "MIIBIjANBgkqAB")
RECORDS = {(r.name, r.type): r for r in expected_records("example.org", "mail.example.net", KEY)}


def judge(name, rtype, *values, failure=None, detail="", **kw):
    check = compare(RECORDS[(name, rtype)], "example.org", "mail.example.net",
                    Lookup(tuple(values), failure, detail), **kw)
    return check.status, check.note


@pytest.mark.parametrize("values, status", [
    (("10 mail.example.net.",), "correct"),
    (("20 backup.example.com.", "10 MAIL.example.net."), "correct"),
    (("10 mx.other.example.",), "mismatch"),
    ((), "missing"),
])
def test_mx_must_point_at_the_mail_host(values, status):
    assert judge("example.org", "MX", *values)[0] == status


@pytest.mark.parametrize("spf, status", [
    ("v=spf1 mx -all", "correct"),
    ("v=spf1 mx include:_spf.google.com ~all", "correct"),
    ("v=spf1 a:mail.example.net -all", "correct"),
    ("v=spf1 +mx ip4:192.0.2.1 -all", "correct"),
    ("v=spf1 include:_spf.google.com -all", "mismatch"),
    ("v=spf1 -mx -all", "mismatch"),
    ("v=spf1 mx +all", "mismatch"),
    ("google-site-verification=abc", "missing"),
])
def test_spf_must_allow_the_mail_host(spf, status):
    assert judge("example.org", "TXT", spf)[0] == status


def test_two_spf_records_are_an_error():
    status, note = judge("example.org", "TXT", "v=spf1 mx -all", "v=spf1 a -all")
    assert status == "mismatch" and "2 SPF records" in note


@pytest.mark.parametrize("dmarc, status", [
    ("v=DMARC1; p=reject", "correct"),
    ("v=DMARC1;p=quarantine;rua=mailto:d@example.org", "correct"),
    ("v=DMARC1; p=none", "correct"),
    ("v=DMARC1; rua=mailto:d@example.org", "mismatch"),
    ("v=DMARC1; p=maybe", "mismatch"),
])
def test_dmarc_needs_a_policy(dmarc, status):
    assert judge("_dmarc.example.org", "TXT", dmarc)[0] == status


def test_dkim_compares_the_key_ignoring_whitespace_and_tag_order():
    name = "dkim._domainkey.example.org"
    assert judge(name, "TXT", "v=DKIM1; k=rsa; p=MIIBIjAN BgkqAB")[0] == "correct"
    assert judge(name, "TXT", "v=DKIM1; k=rsa; p=MIIBIjANOTHER")[0] == "mismatch"
    assert judge(name, "TXT")[0] == "missing"


def test_srv_compares_port_and_target_not_priority():
    name = "_imaps._tcp.example.org"
    assert judge(name, "SRV", "10 5 993 mail.example.net.")[0] == "correct"
    assert judge(name, "SRV", "0 1 143 mail.example.net.")[0] == "mismatch"
    assert judge(name, "SRV")[0] == "optional"                 # optional and absent


def test_cname_may_be_replaced_by_the_same_address():
    name = "autodiscover.example.org"
    host_a = Lookup(("192.0.2.1",))
    assert judge(name, "CNAME", host_addresses=host_a,
                 name_addresses=Lookup(("192.0.2.1",)))[0] == "correct"
    assert judge(name, "CNAME", host_addresses=host_a,
                 name_addresses=Lookup(("192.0.2.9",)))[0] == "mismatch"
    assert judge(name, "CNAME", "mail.example.net.")[0] == "correct"
    assert judge(name, "CNAME")[0] == "missing"


def test_optional_records_published_wrongly_are_mismatches():
    assert judge("_smtp._tls.example.org", "TXT", "v=TLSRPTv1;")[0] == "mismatch"
    assert judge("_mta-sts.example.org", "TXT", "v=STSv1; id=1")[0] == "correct"
    assert judge("_mta-sts.example.org", "TXT")[0] == "optional"


def test_a_failed_lookup_is_neither_missing_nor_wrong():
    status, note = judge("example.org", "MX", failure="timeout")
    assert status == "failed" and note == "timed out after 2 s"
    status, note = judge("example.org", "MX", failure="refused", detail="SERVFAIL")
    assert status == "failed" and "SERVFAIL" in note


@pytest.mark.parametrize("text, host, port", [
    ("", None, 53), ("127.0.0.1", "127.0.0.1", 53), ("127.0.0.1:5353", "127.0.0.1", 5353),
    ("::1", "::1", 53), ("[::1]:5300", "::1", 5300), ("ns.example.net:53", "ns.example.net", 53),
])
def test_resolver_setting(text, host, port):
    spec = ResolverSpec.parse(text)
    assert (spec.host, spec.port) == (host, port)


@pytest.mark.parametrize("text", ["127.0.0.1:0", "127.0.0.1:dns", ":53", "127.0.0.1:70000"])
def test_bad_resolver_setting_is_refused(text):
    with pytest.raises(ValueError):
        ResolverSpec.parse(text)
