"""Forwarding host use cases (global administrators only): list, add, spam filter on/off,
delete, bulk — all audited."""
from __future__ import annotations

import ipaddress

from flask_babel import lazy_gettext as _l

from panel.audit import audited, record
from panel.mailcow import Mailcow, MailcowRefused, Outcome
from panel.mailcow.fwdhosts import ForwardingHost, added_hosts
from panel.mailcow.paging import Page, PageRequest
from panel.services.fetched_lists import BulkResult, paginate, worded, worded_call

BULK_ACTIONS = ("filter_on", "filter_off", "delete")


def _address_key(h: ForwardingHost):
    try:
        net = ipaddress.ip_network(h.host, strict=False)
    except ValueError:
        return (2, 0, h.host)
    return (0 if net.version == 4 else 1, int(net.network_address), h.host)


SORT_KEYS = {
    "host": _address_key,
    "source": lambda h: (h.source.strip().lower(), _address_key(h)),
    "spam_filter": lambda h: (h.spam_filter, _address_key(h)),
}
REFUSALS = {
    "invalid_host": _l("It is not an IP address or network, and Mailcow could not resolve "
                       "the name to any address (SPF, MX or A/AAAA records)"),
}


def list_hosts(mc: Mailcow, req: PageRequest) -> Page[ForwardingHost]:
    return paginate(mc.fwdhosts.all(), req, SORT_KEYS, "host", lambda h: (h.host, h.source))


def find(mc: Mailcow, host: str) -> ForwardingHost | None:
    return next((h for h in mc.fwdhosts.all() if h.host == host), None)


def add_host(mc: Mailcow, hostname: str, spam_filter: bool) -> list[str]:
    """Add the address, network or name; returns the entries Mailcow made of it."""
    outcome = audited("fwdhost.create", target=hostname, domain=None,
                      changes={"hostname": hostname, "spam_filter": spam_filter},
                      call=worded_call(lambda: mc.fwdhosts.add(hostname, spam_filter),
                                       REFUSALS))
    return added_hosts(outcome) or [hostname]


def set_spam_filter(mc: Mailcow, host: ForwardingHost, spam_filter: bool) -> Outcome:
    return audited("fwdhost.update", target=host.host, domain=None,
                   changes={"spam_filter": [host.spam_filter, spam_filter]},
                   call=worded_call(lambda: mc.fwdhosts.set_spam_filter([host.host],
                                                                        spam_filter), REFUSALS))


def delete_host(mc: Mailcow, host: ForwardingHost) -> Outcome:
    return audited("fwdhost.delete", target=host.host, domain=None,
                   changes={"source": host.source},
                   call=worded_call(lambda: mc.fwdhosts.delete([host.host]), REFUSALS))


def bulk(mc: Mailcow, action: str, hosts: list[ForwardingHost]) -> BulkResult[ForwardingHost]:
    """Spam filter on/off or delete for all of them in ONE Mailcow call; after a refusal
    the list is read again to tell which entries changed."""
    assert action in BULK_ACTIONS
    names = [h.host for h in hosts]
    wanted = action == "filter_on"
    try:
        if action == "delete":
            mc.fwdhosts.delete(names)
        else:
            mc.fwdhosts.set_spam_filter(names, wanted)
    except MailcowRefused as exc:
        now = {h.host: h for h in mc.fwdhosts.all()}
        if action == "delete":
            failed = [h for h in hosts if h.host in now]
        else:
            failed = [h for h in hosts if h.host not in now or now[h.host].spam_filter != wanted]
        result = BulkResult([h for h in hosts if h not in failed], failed,
                            worded(exc, REFUSALS).messages)
    else:
        result = BulkResult(list(hosts), [])
    verb = "delete" if action == "delete" else "update"
    changes = None if action == "delete" else {"spam_filter": wanted}
    for h in result.done:
        record(f"fwdhost.{verb}", target=h.host, changes=changes,
               detail=f"bulk {action} of {len(hosts)}")
    for h in result.failed:
        record(f"fwdhost.{verb}", target=h.host, changes=changes, outcome="failed",
               detail="; ".join(result.messages))
    return result
