"""What the pages of domain-scoped areas (filters, sync jobs, resources, BCC maps) share:
the domains the current user may pick, the list's domain filter, and the mailbox a form
names as an item's owner."""
from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from panel import access
from panel.mailcow import NotFound, mailcow
from panel.mailcow.paging import PageRequest
from panel.views.listing import state_args


def domain_choices() -> list[str]:
    """The domains the current user manages (every domain for a global administrator)."""
    scope = access.visible_domains(current_user)
    return sorted(scope) if scope is not None else mailcow().domains.names()


def domain_filter() -> str:
    """The list's `domain` query arg, lowercased ("" for none); 404 when it is not the
    current user's."""
    domain = request.args.get("domain", "").strip().lower()
    if domain:
        access.require_domain(current_user, domain)
    return domain


def filtered_state_args(**filters: str) -> Callable[..., dict]:
    """`state_args` for a table whose links also keep these filters (an empty one is left
    out)."""
    def list_args(r: PageRequest, **changes) -> dict:
        return state_args(r, **{**{k: v or None for k, v in filters.items()}, **changes})
    return list_args


def prefill_owner(field, arg: str) -> None:
    """On a GET, a mailbox named in the query arg `arg` fills the owner field (404 when its
    domain is not the current user's)."""
    owner = request.args.get(arg, "").strip().lower()
    if owner:
        access.require_domain(current_user, owner.rpartition("@")[2])
        field.data = owner


def owner_exists(field) -> bool:
    """Whether the mailbox the owner field names exists (404 when its domain is not the
    current user's); if not, the field says so."""
    owner = field.data
    access.require_domain(current_user, owner.rpartition("@")[2])
    try:
        mailcow().mailboxes.get(owner)
    except NotFound:
        field.errors = [_("There is no mailbox %(name)s.", name=owner)]
        return False
    return True
