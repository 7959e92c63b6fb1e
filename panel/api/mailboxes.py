"""API: mailboxes — list, create, get, password, sending on/off, sender addresses."""
from __future__ import annotations

from flask import url_for

from panel import access
from panel.api import bp
from panel.api.auth import current_principal
from panel.api.errors import ApiError
from panel.api.parsing import body, page_json, query
from panel.api.schemas import (
    MailboxCreate,
    MailboxListQuery,
    MailboxOut,
    MailboxPage,
    PasswordChange,
    SenderAddresses,
    SenderAddressesOut,
    SendingChange,
    SendingOut,
)
from panel.api.spec import documented
from panel.api.usage import audited
from panel.forms.domains import DOMAIN_RE
from panel.mailcow import NotFound, mailcow
from panel.mailcow.mailboxes import Mailbox, MailboxSettings
from panel.mailcow.wire import mib

TAG = "mailboxes"


def load_mailbox(username: str) -> Mailbox:
    """The mailbox if the key may see its domain; otherwise 404, existing or not."""
    username = username.strip().lower()
    local, at, domain = username.rpartition("@")
    access.require_domain(current_principal(), domain)
    if not (local and at and DOMAIN_RE.match(domain)):
        raise NotFound(username)
    mailbox = mailcow().mailboxes.get(username)
    access.require_domain(current_principal(), mailbox.domain)
    return mailbox


def check_sender_scope(addresses: list[str]) -> None:
    """A key limited to domains may only let mailboxes send as addresses of its domains."""
    principal = current_principal()
    if principal.is_global:
        return
    allowed = {d.lower() for d in principal.domains}
    outside = [a for a in addresses if a == "*" or a.rpartition("@")[2] not in allowed]
    if outside:
        raise ApiError(422, "invalid", "Some values are not valid; see `fields`.", {
            "addresses": "Outside this key's domains: " + ", ".join(outside)})


@bp.get("/v1/mailboxes")
@access.api_key()
@documented("List mailboxes", tag=TAG, query=MailboxListQuery, response=MailboxPage,
            description="Paged through Mailcow's server-side search; `q` searches "
                        "username, name and tags. With `domain`, only that domain's "
                        "mailboxes. A key limited to several domains gets them domain "
                        "by domain.", errors=(404,))
def mailboxes_list():
    args = query(MailboxListQuery)
    req = MailboxListQuery().page_request(args)
    principal = current_principal()
    if args.get("domain"):
        domains = [access.require_domain(principal, args["domain"])]
    else:
        scope = access.visible_domains(principal)
        domains = None if scope is None else sorted(scope)
    return page_json(mailcow().mailboxes.search(req, domains), MailboxOut)


@bp.post("/v1/mailboxes")
@access.api_key(write=True, permission="mailboxes")
@documented("Create a mailbox", tag=TAG, body=MailboxCreate, response=MailboxOut, status=201,
            errors=(404,))
def mailbox_create():
    data = body(MailboxCreate)
    domain = access.require_domain(current_principal(), data["domain"])
    mc = mailcow()
    try:
        default_quota = mc.domains.get(domain).default_mailbox_quota
    except NotFound:
        raise ApiError(422, "invalid", "Some values are not valid; see `fields`.",
                       {"domain": f"Mailcow has no domain {domain}."}) from None
    quota_mib = data.get("quota_mib") or mib(default_quota)
    settings = MailboxSettings(name=data["name"], quota_mib=quota_mib, active=data["active"],
                               force_pw_update=data["force_pw_update"],
                               smtp_access=data["sending_enabled"], tags=data["tags"])
    username = f"{data['local_part'].lower()}@{domain}"
    changes = {k: v for k, v in data.items() if k != "password"}
    audited("mailbox.create", target=username, domain=domain, changes=changes,
            call=lambda: mc.mailboxes.add(data["local_part"].lower(), domain,
                                          data["password"], settings))
    return MailboxOut().dump(mc.mailboxes.get(username)), 201, \
        {"Location": url_for("api.mailbox_get", username=username)}


@bp.get("/v1/mailboxes/<username>")
@access.api_key()
@documented("Get a mailbox", tag=TAG, response=MailboxOut)
def mailbox_get(username: str):
    return MailboxOut().dump(load_mailbox(username))


@bp.put("/v1/mailboxes/<username>/password")
@access.api_key(write=True, permission="mailboxes")
@documented("Set a mailbox's password", tag=TAG, body=PasswordChange, status=204,
            description="Mailcow checks the password against its password policy.")
def mailbox_set_password(username: str):
    mailbox = load_mailbox(username)
    data = body(PasswordChange)
    mc = mailcow()
    audited("mailbox.password", target=mailbox.username, domain=mailbox.domain,
            call=lambda: mc.mailboxes.set_password(mailbox.username, data["password"]))
    return "", 204


@bp.put("/v1/mailboxes/<username>/sending")
@access.api_key(write=True, permission="protocol_access")
@documented("Allow or stop sending", tag=TAG, body=SendingChange, response=SendingOut,
            description="Switches the mailbox's SMTP access (Mailcow's `smtp_access`); "
                        "receiving is not affected.")
def mailbox_set_sending(username: str):
    mailbox = load_mailbox(username)
    enabled = body(SendingChange)["enabled"]
    mc = mailcow()
    audited("mailbox.sending", target=mailbox.username, domain=mailbox.domain,
            changes={"sending_enabled": [mailbox.sending_enabled, enabled]},
            call=lambda: mc.mailboxes.set_sending(mailbox.username, enabled))
    return SendingOut().dump(mc.mailboxes.get(mailbox.username))


@bp.get("/v1/mailboxes/<username>/sender-addresses")
@access.api_key()
@documented("Who a mailbox may send as", tag=TAG, response=SenderAddressesOut,
            description="Besides itself and the aliases that point at it (always allowed): "
                        "addresses, `@domain` for a whole domain, `*` for anyone.")
def mailbox_sender_addresses(username: str):
    return SenderAddressesOut().dump(load_mailbox(username))


@bp.put("/v1/mailboxes/<username>/sender-addresses")
@access.api_key(write=True, permission="mailboxes")
@documented("Set who a mailbox may send as", tag=TAG, body=SenderAddresses,
            response=SenderAddressesOut,
            description="Replaces the list (Mailcow's `sender_acl`); an empty list resets it. "
                        "Addresses must be aliases or domains Mailcow knows. A key limited "
                        "to domains may only name addresses of those domains.")
def mailbox_set_sender_addresses(username: str):
    mailbox = load_mailbox(username)
    addresses = body(SenderAddresses)["addresses"]
    check_sender_scope(addresses)
    mc = mailcow()
    audited("mailbox.sender_addresses", target=mailbox.username, domain=mailbox.domain,
            changes={"addresses": [list(mailbox.sender_acl), addresses]},
            call=lambda: mc.mailboxes.set_sender_acl(mailbox.username, addresses))
    return SenderAddressesOut().dump(mc.mailboxes.get(mailbox.username))
