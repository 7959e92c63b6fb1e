"""The live DNS check: what a domain publishes, compared with what it should publish."""
from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver
from flask_babel import gettext as _

from panel.dns.records import DKIM, DMARC, MTA_STS, SPF, TLS_RPT, DnsRecord

CORRECT = "correct"
MISSING = "missing"
MISMATCH = "mismatch"
OPTIONAL = "optional"
FAILED = "failed"      # the lookup itself failed (timeout, SERVFAIL): nothing is known
STATUSES = (CORRECT, MISSING, MISMATCH, OPTIONAL, FAILED)

DEFAULT_TIMEOUT = 2.0
MAX_PARALLEL = 12


# -- resolver ------------------------------------------------------------------------

@dataclass(frozen=True)
class ResolverSpec:
    """Where lookups go: a host[:port] from MAILAPP_DNS_RESOLVER, or the system resolver."""
    host: str | None = None
    port: int = 53
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def parse(cls, text: str | None, timeout: float = DEFAULT_TIMEOUT) -> "ResolverSpec":
        text = (text or "").strip()
        if not text:
            return cls(None, 53, timeout)
        host, port = text, 53
        if text.startswith("["):                      # [2001:db8::1]:5353
            host, _sep, rest = text[1:].partition("]")
            if rest.startswith(":"):
                port = _port(rest[1:], text)
        elif text.count(":") == 1:                    # 127.0.0.1:5353 (a bare IPv6 has more)
            host, raw = text.split(":")
            port = _port(raw, text)
        if not host:
            raise ValueError(f"MAILAPP_DNS_RESOLVER={text!r} names no host")
        return cls(host, port, timeout)

    def describe(self) -> str:
        if self.host is None:
            return _("the system resolver")
        return f"{self.host}:{self.port}" if self.port != 53 else self.host

    def resolver(self) -> dns.resolver.Resolver:
        if self.host is None:
            res = dns.resolver.Resolver(configure=True)
        else:
            res = dns.resolver.Resolver(configure=False)
            res.nameservers = [self.host]
            res.port = self.port
        res.timeout = self.timeout
        res.lifetime = self.timeout
        return res


def _port(raw: str, text: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"MAILAPP_DNS_RESOLVER={text!r}: the port must be 1-65535")
    return int(raw)


@dataclass(frozen=True)
class Lookup:
    """One query's outcome: the values found (possibly none), or why nothing is known.

    Lookups run in worker threads without a request, so a failure is kept as a kind
    and a detail; `message` words it later, where translations are available.
    """
    values: tuple[str, ...] = ()
    failure: str | None = None    # "timeout", "no-config", "refused", "error"
    detail: str = ""
    seconds: float = DEFAULT_TIMEOUT

    @property
    def error(self) -> str | None:
        if self.failure is None:
            return None
        if self.failure == "timeout":
            return _("timed out after %(seconds)s s", seconds=f"{self.seconds:g}")
        if self.failure == "no-config":
            return _("no resolver is configured on this system (set MAILAPP_DNS_RESOLVER)")
        if self.failure == "refused":
            return _("the resolver could not answer (%(reason)s)", reason=self.detail)
        return _("lookup failed: %(reason)s", reason=self.detail)


def _format(rdata) -> str:
    kind = rdata.rdtype
    if kind == dns.rdatatype.TXT:
        # A TXT record may be split into several strings; they form one value.
        return b"".join(rdata.strings).decode("utf-8", "replace")
    if kind == dns.rdatatype.MX:
        return f"{rdata.preference} {rdata.exchange.to_text()}"
    if kind == dns.rdatatype.SRV:
        return f"{rdata.priority} {rdata.weight} {rdata.port} {rdata.target.to_text()}"
    return rdata.to_text()


def lookup(spec: ResolverSpec, name: str, rtype: str) -> Lookup:
    """Ask once; absence (NXDOMAIN / no data) is an empty answer, failures are kept."""
    try:
        answer = spec.resolver().resolve(name, rtype, search=False, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return Lookup()
    except dns.resolver.NoResolverConfiguration:
        return Lookup(failure="no-config")
    except dns.exception.Timeout:
        return Lookup(failure="timeout", seconds=spec.timeout)
    except dns.resolver.NoNameservers as exc:
        return Lookup(failure="refused", detail=_short_reason(exc))
    except (dns.exception.DNSException, OSError) as exc:
        return Lookup(failure="error", detail=str(exc) or type(exc).__name__)
    if answer.rrset is None:
        return Lookup()
    wanted = dns.rdatatype.from_text(rtype)
    return Lookup(tuple(_format(r) for r in answer.rrset if r.rdtype == wanted))


def _short_reason(exc: Exception) -> str:
    text = str(exc)
    for code in ("SERVFAIL", "REFUSED", "NOTIMP", "FORMERR"):
        if code in text:
            return code
    return text[:120]


# -- comparison ----------------------------------------------------------------------

@dataclass(frozen=True)
class RecordCheck:
    record: DnsRecord
    status: str
    current: tuple[str, ...] = ()
    note: str = ""


def _host(value: str) -> str:
    return value.strip().rstrip(".").lower()


def _squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def _tags(value: str) -> dict[str, str]:
    """`k=v; k2=v2` tags (DKIM, DMARC, MTA-STS, TLS-RPT), names lower-cased."""
    tags = {}
    for part in value.split(";"):
        key, sep, val = part.partition("=")
        if sep:
            tags[key.strip().lower()] = val.strip()
    return tags


def _spf_verdict(record: DnsRecord, domain: str, host: str, spf: str) -> tuple[bool, str]:
    terms = spf.split()[1:]
    mechanisms = []
    for term in terms:
        if "=" in term.split(":")[0]:
            continue  # a modifier (redirect=, exp=)
        qualifier = term[0] if term[0] in "+-~?" else "+"
        mechanisms.append((qualifier, term.lstrip("+-~?").lower()))
    allowed = {m for q, m in mechanisms if q == "+"}
    if ("+", "all") in mechanisms:
        return False, _("“+all” lets the whole internet send as this domain")
    authorises = ("mx" in allowed or f"mx:{domain}" in allowed or f"a:{host}" in allowed
                  or f"mx:{host}" in allowed or (host == domain and "a" in allowed))
    if authorises:
        return True, ""
    redirect = next((t for t in terms if t.lower().startswith("redirect=")), None)
    if redirect:
        return False, _("delegates to %(target)s; make sure it allows %(host)s",
                        target=redirect.partition("=")[2], host=host)
    return False, _("does not allow the mail host: add “mx” or “a:%(host)s”", host=host)


def compare(record: DnsRecord, domain: str, host: str, found: Lookup,
            host_addresses: Lookup | None = None,
            name_addresses: Lookup | None = None) -> RecordCheck:
    """Judge one expected record against what the resolver returned for it."""
    if found.error:
        return RecordCheck(record, FAILED, (), found.error)
    values = found.values
    status, note = _judge(record, domain, host, values, host_addresses, name_addresses)
    if status == MISSING and record.optional:
        status = OPTIONAL
    return RecordCheck(record, status, values, note)


def _judge(record, domain, host, values, host_addresses, name_addresses) -> tuple[str, str]:
    host = _host(host)
    if record.type == "TXT":
        return _judge_txt(record, domain, host, values)
    if not values:
        if record.type == "CNAME" and name_addresses and name_addresses.values and \
                host_addresses and host_addresses.values:
            # Mailcow accepts address records that point where the mail host points.
            if set(name_addresses.values) == set(host_addresses.values):
                return CORRECT, _("address records instead of a CNAME, same address as "
                                  "the mail host")
            return MISMATCH, _("address records (%(found)s) differ from the mail host's",
                               found=", ".join(name_addresses.values))
        return MISSING, ""
    if record.type == "MX":
        if any(_host(v.split()[-1]) == host for v in values):
            return CORRECT, ""
        return MISMATCH, _("no MX points at %(host)s", host=host)
    if record.type == "CNAME":
        if _host(values[0]) == host:
            return CORRECT, ""
        return MISMATCH, _("points elsewhere")
    if record.type == "SRV":
        want_port, want_target = record.value.split()[2], _host(record.value.split()[3])
        for value in values:
            parts = value.split()
            if len(parts) == 4 and parts[2] == want_port and _host(parts[3]) == want_target:
                return CORRECT, ""
        return MISMATCH, _("target or port differs")
    if any(_squash(v).lower() == _squash(record.value).lower() for v in values):
        return CORRECT, ""
    return MISMATCH, ""


def _judge_txt(record, domain, host, values) -> tuple[str, str]:
    if record.rule == SPF:
        spf = [v for v in values if v.lower().startswith("v=spf1")]
        if not spf:
            return MISSING, ""
        if len(spf) > 1:
            return MISMATCH, _("%(n)s SPF records: receivers treat that as an error",
                               n=len(spf))
        ok, note = _spf_verdict(record, domain.lower(), host, spf[0])
        return (CORRECT if ok else MISMATCH), note
    if record.rule == DMARC:
        dmarc = [v for v in values if _squash(v).lower().startswith("v=dmarc1")]
        if not dmarc:
            return MISSING, ""
        if len(dmarc) > 1:
            return MISMATCH, _("%(n)s DMARC records: receivers ignore them all", n=len(dmarc))
        policy = _tags(dmarc[0]).get("p", "").lower()
        if policy not in ("none", "quarantine", "reject"):
            return MISMATCH, _("no valid policy (p=none, quarantine or reject)")
        if policy == "none":
            return CORRECT, _("p=none only monitors; failing mail is still delivered")
        return CORRECT, ""
    if record.rule == DKIM:
        keys = [v for v in values if "p=" in v.lower()]
        if not keys:
            return MISSING, ""
        want = _squash(_tags(record.value).get("p", ""))
        if any(_squash(_tags(v).get("p", "")) == want for v in keys):
            return CORRECT, ""
        return MISMATCH, _("a different public key is published")
    if record.rule == MTA_STS:
        sts = [v for v in values if _squash(v).lower().startswith("v=stsv1")]
        if not sts:
            return MISSING, ""
        if not _tags(sts[0]).get("id"):
            return MISMATCH, _("no id= tag")
        return CORRECT, ""
    if record.rule == TLS_RPT:
        rpt = [v for v in values if _squash(v).lower().startswith("v=tlsrptv1")]
        if not rpt:
            return MISSING, ""
        if not _tags(rpt[0]).get("rua"):
            return MISMATCH, _("no rua= reporting address")
        return CORRECT, ""
    if not values:
        return MISSING, ""
    if any(_squash(v).lower() == _squash(record.value).lower() for v in values):
        return CORRECT, ""
    return MISMATCH, ""


# -- the whole domain ----------------------------------------------------------------

@dataclass
class DnsReport:
    domain: str
    mail_host: str
    resolver: str
    checks: list[RecordCheck] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(c.status for c in self.checks)
        return {status: found.get(status, 0) for status in STATUSES}


def check_domain(domain: str, mail_host: str, records: list[DnsRecord],
                 spec: ResolverSpec) -> DnsReport:
    """Look every record up (in parallel, each bounded by the timeout) and judge it."""
    queries = {(r.name, r.type) for r in records}
    for r in records:
        if r.type == "CNAME":
            queries.add((r.name, "A"))        # address records in place of a CNAME
    queries.add((mail_host, "A"))
    ordered = sorted(queries)
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(ordered))) as pool:
        answers = dict(zip(ordered, pool.map(lambda q: lookup(spec, *q), ordered)))
    report = DnsReport(domain, mail_host, spec.describe())
    for r in records:
        report.checks.append(compare(r, domain, mail_host, answers[(r.name, r.type)],
                                     answers.get((mail_host, "A")),
                                     answers.get((r.name, "A"))))
    return report
