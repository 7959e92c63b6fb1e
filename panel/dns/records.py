"""The DNS records a domain needs to receive and send mail through a Mailcow server."""
from __future__ import annotations

from dataclasses import dataclass

from panel.mailcow.dkim import DkimKey


@dataclass(frozen=True)
class DnsRecord:
    name: str
    type: str
    value: str
    optional: bool = False
    purpose: str = ""


def expected_records(domain: str, mail_host: str, dkim: DkimKey | None) -> list[DnsRecord]:
    """What to publish for `domain` when Mailcow runs at `mail_host`.

    Values follow Mailcow's own DNS guide: MX to the mail host, SPF allowing the MX,
    a strict DMARC policy, the DKIM key Mailcow generated, and the client discovery
    names. A missing DKIM key is reported by the caller, not invented here.
    """
    host = mail_host.rstrip(".")
    records = [
        DnsRecord(domain, "MX", f"10 {host}.", purpose="Inbound mail goes to this server"),
        DnsRecord(domain, "TXT", "v=spf1 mx a -all",
                  purpose="SPF: only this domain's MX may send for it"),
        DnsRecord(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=reject",
                  purpose="DMARC: reject mail that fails SPF and DKIM alignment"),
    ]
    if dkim is not None:
        records.append(DnsRecord(dkim.record_name, "TXT", dkim.txt,
                                 purpose=f"DKIM public key ({dkim.length} bits)"))
    records += [
        DnsRecord(f"autodiscover.{domain}", "CNAME", f"{host}.",
                  purpose="Outlook / ActiveSync account discovery"),
        DnsRecord(f"autoconfig.{domain}", "CNAME", f"{host}.",
                  purpose="Thunderbird account discovery"),
        DnsRecord(f"_autodiscover._tcp.{domain}", "SRV", f"0 1 443 {host}.",
                  purpose="Autodiscover service location"),
        DnsRecord(f"_imaps._tcp.{domain}", "SRV", f"0 1 993 {host}.", optional=True,
                  purpose="IMAP over TLS"),
        DnsRecord(f"_submission._tcp.{domain}", "SRV", f"0 1 587 {host}.", optional=True,
                  purpose="Mail submission with STARTTLS"),
        DnsRecord(f"_submissions._tcp.{domain}", "SRV", f"0 1 465 {host}.", optional=True,
                  purpose="Mail submission over TLS"),
    ]
    return records
