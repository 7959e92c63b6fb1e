"""The DNS records a domain needs to receive and send mail through a Mailcow server."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from panel.mailcow.dkim import DkimKey

# How a published value is judged (see panel.dns.check): most records must carry the
# exact value, a few are judged by what they say rather than how they say it.
EXACT = "exact"        # CNAME / MX / SRV: the target (and port) must match
SPF = "spf"            # must authorise the mail host; extra mechanisms are fine
DMARC = "dmarc"        # must exist with a policy
DKIM = "dkim"          # the public key must be the one Mailcow signs with
MTA_STS = "mta-sts"    # v=STSv1 with an id; the id is the domain owner's choice
TLS_RPT = "tls-rpt"    # v=TLSRPTv1 with a rua= address


@dataclass(frozen=True)
class DnsRecord:
    name: str
    type: str
    value: str
    optional: bool = False
    purpose: object = ""  # a lazy translated string
    rule: str = EXACT


def _srv(domain: str, host: str, service: str, port: int, purpose: object,
         optional: bool = True) -> DnsRecord:
    return DnsRecord(f"_{service}._tcp.{domain}", "SRV", f"0 1 {port} {host}.",
                     optional=optional, purpose=purpose)


def expected_records(domain: str, mail_host: str, dkim: DkimKey | None,
                     alias_domain: bool = False) -> list[DnsRecord]:
    """What to publish for `domain` when Mailcow runs at `mail_host`.

    Values follow Mailcow's own DNS guide: MX to the mail host, SPF allowing the MX,
    a strict DMARC policy, the DKIM key Mailcow generated, the client discovery
    names and service records, and MTA-STS / TLS reporting as optional hardening.
    An alias domain only receives and signs mail (clients configure the target
    domain), so, as in Mailcow's own check, it needs no discovery or service records.
    A missing DKIM key is reported by the caller, not invented here.
    """
    host = mail_host.rstrip(".")
    records = [
        DnsRecord(domain, "MX", f"10 {host}.", purpose=_l("Inbound mail goes to this server")),
        DnsRecord(domain, "TXT", "v=spf1 mx a -all", rule=SPF,
                  purpose=_l("SPF: only this domain's MX may send for it")),
        DnsRecord(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=reject", rule=DMARC,
                  purpose=_l("DMARC: reject mail that fails SPF and DKIM alignment")),
    ]
    if dkim is not None:
        records.append(DnsRecord(dkim.record_name, "TXT", dkim.txt, rule=DKIM,
                                 purpose=_l("DKIM public key (%(bits)s bits)", bits=dkim.length)))
    if alias_domain:
        return records + _transport_security(domain, host, policy_host=False)
    records += [
        DnsRecord(f"autodiscover.{domain}", "CNAME", f"{host}.",
                  purpose=_l("Outlook / ActiveSync account discovery")),
        DnsRecord(f"autoconfig.{domain}", "CNAME", f"{host}.",
                  purpose=_l("Thunderbird account discovery")),
        _srv(domain, host, "autodiscover", 443, _l("Autodiscover service location"),
             optional=False),
        _srv(domain, host, "imaps", 993, _l("IMAP over TLS")),
        _srv(domain, host, "submission", 587, _l("Mail submission with STARTTLS")),
        _srv(domain, host, "submissions", 465, _l("Mail submission over TLS")),
        _srv(domain, host, "pop3s", 995, _l("POP3 over TLS")),
        _srv(domain, host, "caldavs", 443, _l("CalDAV (SOGo calendars) over TLS")),
        DnsRecord(f"_caldavs._tcp.{domain}", "TXT", "path=/SOGo/dav/", optional=True,
                  purpose=_l("CalDAV path on the server")),
        _srv(domain, host, "carddavs", 443, _l("CardDAV (SOGo address books) over TLS")),
        DnsRecord(f"_carddavs._tcp.{domain}", "TXT", "path=/SOGo/dav/", optional=True,
                  purpose=_l("CardDAV path on the server")),
    ]
    return records + _transport_security(domain, host, policy_host=True)


def _transport_security(domain: str, host: str, policy_host: bool) -> list[DnsRecord]:
    """MTA-STS and TLS reporting (optional); the policy host only for a real domain."""
    records = []
    if policy_host:
        records.append(DnsRecord(f"mta-sts.{domain}", "CNAME", f"{host}.", optional=True,
                                 purpose=_l("MTA-STS: host serving the policy file")))
    records += [
        DnsRecord(f"_mta-sts.{domain}", "TXT", "v=STSv1; id=<policy id>", optional=True,
                  rule=MTA_STS, purpose=_l("MTA-STS: senders must use TLS to reach the MX")),
        DnsRecord(f"_smtp._tls.{domain}", "TXT", f"v=TLSRPTv1; rua=mailto:postmaster@{domain}",
                  optional=True, rule=TLS_RPT,
                  purpose=_l("TLS reporting: where senders report TLS failures")),
    ]
    return records
