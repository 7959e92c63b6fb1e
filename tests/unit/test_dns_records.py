"""The DNS records suggested for a new domain."""
from panel.dns.records import expected_records
from panel.mailcow.dkim import DkimKey


def test_records_point_at_the_mail_host_and_carry_the_real_dkim_key():
    key = DkimKey("example.org", "dkim", 2048, "v=DKIM1;k=rsa;t=s;s=email;p=MIIBIjAN", "MIIBIjAN")
    records = {(r.name, r.type): r for r in expected_records("example.org", "mail.example.net", key)}
    assert records[("example.org", "MX")].value == "10 mail.example.net."
    assert records[("example.org", "TXT")].value.startswith("v=spf1 mx")
    assert records[("_dmarc.example.org", "TXT")].value.startswith("v=DMARC1;")
    assert records[("dkim._domainkey.example.org", "TXT")].value == key.txt
    assert records[("autodiscover.example.org", "CNAME")].value == "mail.example.net."
    assert records[("autoconfig.example.org", "CNAME")].value == "mail.example.net."


def test_no_dkim_record_is_invented_without_a_key():
    assert all("_domainkey" not in r.name for r in expected_records("a.org", "mx.a.org", None))
