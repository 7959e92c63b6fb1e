"""The REST API's request and response shapes (marshmallow): they validate input, shape
output, and are what the OpenAPI document describes."""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from panel.forms.domains import DOMAIN_RE, SELECTOR_RE, TAG_RE, normalise_domain
from panel.mailcow import aliases as alias_wire
from panel.mailcow import mailboxes as mailbox_wire
from panel.mailcow.paging import PageRequest
from panel.services.domains import SORT_KEYS as DOMAIN_SORTS

LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
COMMENT_BYTES = 160  # Mailcow refuses longer alias comments


class DomainName(fields.String):
    """A domain name, lowercased and in punycode, checked like the Domains form does."""

    def _deserialize(self, value, attr, data, **kwargs):
        name = normalise_domain(super()._deserialize(value, attr, data, **kwargs))
        if not DOMAIN_RE.match(name):
            raise ValidationError("Enter a domain name such as example.org.")
        return name


class Address(fields.String):
    """An email address (lowercased domain); `catch_all` also allows "@domain"."""

    def __init__(self, *args, catch_all: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.catch_all = catch_all

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        local, at, domain = text.rpartition("@")
        domain = normalise_domain(domain)
        if not at or not DOMAIN_RE.match(domain) or len(local) > 64 or \
                (local and not LOCAL_PART_RE.match(local)) or (not local and not self.catch_all):
            raise ValidationError("Enter an email address such as name@example.org"
                                  + (" (or @example.org for every address of a domain)."
                                     if self.catch_all else "."))
        return f"{local}@{domain}"


def _comment(value: str) -> None:
    if len(value.encode()) > COMMENT_BYTES:
        raise ValidationError(f"At most {COMMENT_BYTES} bytes.")


# -- lists -------------------------------------------------------------------------------

class PageQuery(Schema):
    """Paging, search and sort of a list; the sort names are the list's own."""

    DEFAULT_SORT = ""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000),
                          metadata={"description": "Page number, from 1."})
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100),
                              metadata={"description": "Items per page, 1 to 100."})
    q = fields.String(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "Search text (a substring)."})
    dir = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]),
                        metadata={"description": "Sort direction."})

    def page_request(self, args: dict) -> PageRequest:
        return PageRequest(page=args["page"], per_page=args["per_page"], search=args["q"].strip(),
                           sort=args.get("sort") or self.DEFAULT_SORT,
                           descending=args["dir"] == "desc")


class DomainListQuery(PageQuery):
    DEFAULT_SORT = "domain"
    sort = fields.String(load_default="domain", validate=validate.OneOf(list(DOMAIN_SORTS)),
                         metadata={"description": "Sort by this column."})


class MailboxListQuery(PageQuery):
    DEFAULT_SORT = "username"
    sort = fields.String(load_default="username",
                         validate=validate.OneOf(mailbox_wire.SORTABLE),
                         metadata={"description": "Sort by this column."})
    domain = DomainName(metadata={"description": "Only mailboxes of this domain."})


class AliasListQuery(PageQuery):
    DEFAULT_SORT = "address"
    sort = fields.String(load_default="address",
                         validate=validate.OneOf(list(alias_wire.SORT_KEYS)),
                         metadata={"description": "Sort by this column."})
    domain = DomainName(metadata={"description": "Only aliases of this domain. Listing "
                                                 "without it reads every alias: slow on "
                                                 "large servers."})


# -- domains -----------------------------------------------------------------------------

class DomainCreate(Schema):
    domain = DomainName(required=True, validate=validate.Length(max=253))
    description = fields.String(load_default="", validate=validate.Length(max=255))
    max_mailboxes = fields.Integer(load_default=10, validate=validate.Range(min=0, max=1_000_000))
    max_aliases = fields.Integer(load_default=400, validate=validate.Range(min=0, max=1_000_000))
    quota_mib = fields.Integer(load_default=10240,
                               validate=validate.Range(min=1, max=100_000_000),
                               metadata={"description": "Total of all mailbox quotas, MiB."})
    max_mailbox_quota_mib = fields.Integer(load_default=10240,
                                           validate=validate.Range(min=1, max=100_000_000))
    default_mailbox_quota_mib = fields.Integer(load_default=3072,
                                               validate=validate.Range(min=1, max=100_000_000))
    active = fields.Boolean(load_default=True)
    gal = fields.Boolean(load_default=True)
    backupmx = fields.Boolean(load_default=False)
    relay_all_recipients = fields.Boolean(load_default=False)
    relay_unknown_only = fields.Boolean(load_default=False)
    rate_limit_value = fields.Integer(load_default=0,
                                      validate=validate.Range(min=0, max=10_000_000))
    rate_limit_frame = fields.String(load_default="s",
                                     validate=validate.OneOf(["s", "m", "h", "d"]))
    tags = fields.List(fields.String(validate=validate.Regexp(TAG_RE)), load_default=list,
                       validate=validate.Length(max=25))
    dkim_selector = fields.String(load_default="dkim", validate=validate.Regexp(SELECTOR_RE))
    dkim_key_size = fields.Integer(load_default=2048,
                                   validate=validate.OneOf([1024, 2048, 3072, 4096]))

    @validates_schema
    def consistent_quotas(self, data, **kwargs):
        errors = {}
        if data.get("default_mailbox_quota_mib", 0) > data.get("max_mailbox_quota_mib", 0):
            errors["default_mailbox_quota_mib"] = ["Cannot be larger than "
                                                   "max_mailbox_quota_mib."]
        if data.get("max_mailbox_quota_mib", 0) > data.get("quota_mib", 0):
            errors["max_mailbox_quota_mib"] = ["Cannot be larger than quota_mib."]
        if (data.get("relay_all_recipients") or data.get("relay_unknown_only")) and \
                not data.get("backupmx"):
            errors["backupmx"] = ["Relay options only apply when backupmx is true."]
        if errors:
            raise ValidationError(errors)


class Itself(fields.Nested):
    """A nested object built from attributes of the object itself (no attribute of its own)."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return obj


class RateLimitOut(Schema):
    value = fields.Integer(attribute="rate_limit_value")
    frame = fields.String(attribute="rate_limit_frame")


class DomainOut(Schema):
    name = fields.String()
    description = fields.String()
    active = fields.Boolean()
    mailboxes = fields.Integer()
    max_mailboxes = fields.Integer()
    aliases = fields.Integer()
    max_aliases = fields.Integer()
    quota_bytes = fields.Integer(attribute="quota_total")
    quota_allocated_bytes = fields.Integer(attribute="quota_used",
                                           metadata={"description": "Sum of mailbox quotas."})
    max_mailbox_quota_bytes = fields.Integer(attribute="max_mailbox_quota")
    default_mailbox_quota_bytes = fields.Integer(attribute="default_mailbox_quota")
    bytes_stored = fields.Integer()
    messages = fields.Integer()
    backupmx = fields.Boolean()
    relay_all_recipients = fields.Boolean()
    relay_unknown_only = fields.Boolean()
    gal = fields.Boolean()
    rate_limit = Itself(RateLimitOut, metadata={"description": "Messages per frame; 0 is none."})
    tags = fields.List(fields.String())
    created = fields.DateTime(allow_none=True)
    modified = fields.DateTime(allow_none=True)


# -- mailboxes ---------------------------------------------------------------------------

class MailboxCreate(Schema):
    local_part = fields.String(required=True, validate=[validate.Length(min=1, max=64),
                                                        validate.Regexp(LOCAL_PART_RE)],
                               metadata={"description": "The part before the @."})
    domain = DomainName(required=True)
    name = fields.String(load_default="", validate=validate.Length(max=255))
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=1, max=500),
                             metadata={"description": "Checked against Mailcow's "
                                                      "password policy."})
    quota_mib = fields.Integer(validate=validate.Range(min=1, max=100_000_000),
                               metadata={"description": "MiB; the domain's default when "
                                                        "left out."})
    active = fields.Boolean(load_default=True)
    force_pw_update = fields.Boolean(load_default=False)
    sending_enabled = fields.Boolean(load_default=True,
                                     metadata={"description": "SMTP access (smtp_access)."})
    tags = fields.List(fields.String(validate=validate.Regexp(TAG_RE)), load_default=list,
                       validate=validate.Length(max=25))


class PasswordChange(Schema):
    password = fields.String(required=True, load_only=True,
                             validate=validate.Length(min=1, max=500))


class SendingChange(Schema):
    enabled = fields.Boolean(required=True,
                             metadata={"description": "May the mailbox send mail (SMTP)?"})


class SendingOut(Schema):
    username = fields.String()
    enabled = fields.Boolean(attribute="sending_enabled")


class SenderAddress(fields.String):
    """An address, "@domain" for a whole domain, or "*" for any sender."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if text == "*":
            return text
        if text.startswith("@"):
            domain = normalise_domain(text[1:])
            if DOMAIN_RE.match(domain):
                return "@" + domain
        else:
            try:
                return Address()._deserialize(text, attr, data, **kwargs)
            except ValidationError:
                pass
        raise ValidationError("Enter an address, @domain for a whole domain, or * for any.")


class SenderAddresses(Schema):
    addresses = fields.List(SenderAddress(), required=True, validate=validate.Length(max=200),
                            metadata={"description": "Who the mailbox may send as besides "
                                                     "itself and its aliases. Empty resets."})


class SenderAddressesOut(Schema):
    username = fields.String()
    addresses = fields.List(fields.String(), attribute="sender_acl")


class MailboxOut(Schema):
    username = fields.String()
    local_part = fields.String()
    domain = fields.String()
    name = fields.String()
    active = fields.Boolean()
    quota_bytes = fields.Integer(attribute="quota", metadata={"description": "0 is unlimited."})
    quota_used_bytes = fields.Integer(attribute="quota_used")
    messages = fields.Integer()
    sending_enabled = fields.Boolean()
    imap_access = fields.Boolean()
    pop3_access = fields.Boolean()
    smtp_access = fields.Boolean()
    sieve_access = fields.Boolean()
    sogo_access = fields.Boolean()
    eas_access = fields.Boolean()
    dav_access = fields.Boolean()
    force_pw_update = fields.Boolean()
    tls_enforce_in = fields.Boolean()
    tls_enforce_out = fields.Boolean()
    tags = fields.List(fields.String())
    sender_addresses = fields.List(fields.String(), attribute="sender_acl")
    rate_limit = Itself(RateLimitOut)
    password_updated = fields.DateTime(allow_none=True)
    last_mail_login = fields.DateTime(allow_none=True)
    created = fields.DateTime(allow_none=True)
    modified = fields.DateTime(allow_none=True)


# -- aliases -----------------------------------------------------------------------------

class AliasCreate(Schema):
    address = Address(required=True, catch_all=True,
                      metadata={"description": "The alias, or @domain for a catch-all."})
    goto = fields.List(Address(), required=True, validate=validate.Length(min=1, max=200),
                       metadata={"description": "Where mail to the alias goes."})
    active = fields.Boolean(load_default=True)
    sogo_visible = fields.Boolean(load_default=False)
    public_comment = fields.String(load_default="", validate=_comment)
    private_comment = fields.String(load_default="", validate=_comment)

    @validates_schema
    def goto_not_itself(self, data, **kwargs):
        if data.get("address") and data["address"] in data.get("goto", []):
            raise ValidationError({"goto": ["An alias cannot forward to itself."]})


class AliasUpdate(Schema):
    goto = fields.List(Address(), validate=validate.Length(min=1, max=200),
                       metadata={"description": "The new destinations, replacing the old."})
    active = fields.Boolean()
    sogo_visible = fields.Boolean()
    public_comment = fields.String(validate=_comment)
    private_comment = fields.String(validate=_comment)

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("Send at least one of goto, active, sogo_visible, "
                                  "public_comment, private_comment.")


class AliasOut(Schema):
    id = fields.Integer()
    address = fields.String()
    domain = fields.String()
    goto = fields.List(fields.String())
    special = fields.String(allow_none=True, metadata={
        "description": "discard, learn_spam or learn_ham when the alias feeds one of those."})
    active = fields.Boolean()
    is_catch_all = fields.Boolean()
    sogo_visible = fields.Boolean()
    public_comment = fields.String()
    private_comment = fields.String()
    created = fields.DateTime(allow_none=True)
    modified = fields.DateTime(allow_none=True)


# -- envelopes ---------------------------------------------------------------------------

def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A page envelope: items plus where they sit in the whole list."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item)),
        "total": fields.Integer(metadata={"description": "Matching items in all pages."}),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
        "pages": fields.Integer(),
    }, name=name)


DomainPage = page_of(DomainOut, "DomainPage")
MailboxPage = page_of(MailboxOut, "MailboxPage")
AliasPage = page_of(AliasOut, "AliasPage")


class ErrorDetail(Schema):
    code = fields.String(metadata={"description": "Stable, for programs: missing_api_key, "
                                                  "invalid_api_key, api_key_expired, "
                                                  "api_key_revoked, network_not_allowed, "
                                                  "read_only_key, forbidden, not_found, "
                                                  "invalid, mailcow_refused, "
                                                  "mailcow_unavailable, …"})
    message = fields.String(metadata={"description": "For people."})
    fields_ = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields",
                          attribute="fields",
                          metadata={"description": "Per field messages (422)."})


class ErrorOut(Schema):
    error = fields.Nested(ErrorDetail)
