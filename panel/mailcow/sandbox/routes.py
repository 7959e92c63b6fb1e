"""Which handler answers each /api/v1/{action}/{category}[/{object}[/{extra}]] route."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import alias_domains, aliases, dkim, domains, mailboxes, passwords, ratelimits, search
from . import resources
from .report import Call

# Sub-routes Mailcow has but the sandbox does not model; they must not fall through
# to the plain category handler (add/domain/template is not add/domain).
UNMODELLED_OBJECTS = {"template", "footer", "datatables"}

ADD: dict[str, Callable[[Call, dict], Any]] = {
    "domain": domains.add,
    "alias-domain": alias_domains.add,
    "mailbox": mailboxes.add,
    "alias": aliases.add,
    "resource": resources.add,
    "dkim": dkim.add,
    "dkim_duplicate": dkim.duplicate,
}

# edit: the name Mailcow gives `items` when it merges them into the attributes.
EDIT: dict[str, tuple[str | None, Callable[[Call, dict], Any]]] = {
    "domain": ("domain", domains.edit),
    "alias-domain": ("alias_domain", alias_domains.edit),
    "mailbox": ("username", mailboxes.edit),
    "mailbox/custom-attribute": ("mailboxes", mailboxes.edit_custom_attributes),
    "tls_policy": ("username", mailboxes.edit_tls_policy),
    "quarantine_notification": ("username", mailboxes.edit_quarantine_notification),
    "quarantine_category": ("username", mailboxes.edit_quarantine_category),
    "alias": ("id", aliases.edit),
    "resource": ("name", resources.edit),
    "rl-domain": ("object", lambda call, data: ratelimits.edit(call, "domain", data)),
    "rl-mbox": ("object", lambda call, data: ratelimits.edit(call, "mailbox", data)),
    "passwordpolicy": (None, passwords.edit),
}

# delete: items come as a list under this name; tag routes also name the object.
DELETE: dict[str, tuple[str, str | None, Callable[[Call, dict], Any]]] = {
    "domain": ("domain", None, domains.delete),
    "domain/tag": ("tags", "domain", domains.delete_tags),
    "alias-domain": ("alias_domain", None, alias_domains.delete),
    "mailbox": ("username", None, mailboxes.delete),
    "mailbox/tag": ("tags", "username", mailboxes.delete_tags),
    "alias": ("id", None, aliases.delete),
    "resource": ("name", None, resources.delete),
    "dkim": ("domains", None, dkim.delete),
}

SEARCH = {"domain", "mailbox"}
MAILCOW_VERSION = "2026-07a"  # the release the recordings were made with


def pick(table: dict, category: str | None, obj: str | None):
    """Mailcow switches on the category, then on a few special objects."""
    if obj in UNMODELLED_OBJECTS:
        return None
    return table.get(f"{category}/{obj}") or table.get(category)


class RouteNotFound(Exception):
    pass


def _tags(args: dict) -> list[str] | None:
    value = args.get("tags")
    return value.split(",") if value else None


def _domain(call: Call, obj, extra, args) -> tuple[Any, bool]:
    if obj == "all":
        return domains.details_many(call.conn, domains.names(call, _tags(args))), True
    return domains.details(call, obj), True


def _alias_domain(call: Call, obj, extra, args) -> tuple[Any, bool]:
    if obj == "all":
        return [d for d in (alias_domains.details(call, n) for n in alias_domains.names(call))
                if d], True
    return alias_domains.details(call, obj), True


def _mailbox(call: Call, obj, extra, args) -> tuple[Any, bool]:
    tags = _tags(args)
    if obj in ("all", "reduced"):
        wanted = extra.split(",") if extra else domains.names(call)
        names = [u for d in wanted for u in mailboxes.usernames(call, d, tags)]
        return mailboxes.details_many(call.conn, names, reduced=obj == "reduced"), True
    if tags is None:
        return mailboxes.details(call, obj), True
    return mailboxes.details_many(call.conn, mailboxes.usernames(call, obj, tags)), False


def _alias(call: Call, obj, extra, args) -> tuple[Any, bool]:
    if obj == "all":
        wanted = extra.split(",") if extra else (domains.names(call) + alias_domains.names(call))
        return aliases.in_domains(call, wanted), True
    return aliases.details(call, obj), True


def _resource(call: Call, obj, extra, args) -> tuple[Any, bool]:
    """get/resource/all walks every domain; Mailcow has no per-domain resource route."""
    if obj == "all":
        return resources.in_domains(call, domains.names(call)), True
    return resources.details(call, obj), True


def _dkim(call: Call, obj, extra, args) -> tuple[Any, bool]:
    return dkim.details(call, obj), True


def _rl_domain(call: Call, obj, extra, args) -> tuple[Any, bool]:
    if obj == "all":
        found = []
        for name in domains.names(call) + alias_domains.names(call):
            limit = ratelimits.get(call, "domain", name)
            if limit:
                found.append({**limit, "domain": name})
        return found, True
    return ratelimits.get(call, "domain", obj), True


def _rl_mailbox(call: Call, obj, extra, args) -> tuple[Any, bool]:
    if obj == "all":
        found = []
        for domain in domains.names(call):
            for username in mailboxes.usernames(call, domain):
                limit = ratelimits.get(call, "mailbox", username)
                if limit:
                    found.append({**limit, "mailbox": username})
        return found, True
    return ratelimits.get(call, "mailbox", obj), True


def _password_policy(call: Call, obj, extra, args) -> tuple[Any, bool]:
    if obj == "html":
        return passwords.policy_html(call.conn), True
    return passwords.policy(call.conn), True


# What Mailcow answers on its status routes when its dockerapi container has no Docker
# engine behind it (recorded/more/50_, 51_, 53_, 54_): the sandbox has none either.
NO_DOCKERAPI = {"type": "danger", "msg": "dockerapi stub: no docker engine on this host"}


def _status(call: Call, obj, extra, args) -> tuple[Any, bool]:
    if obj == "version":
        return {"version": MAILCOW_VERSION}, True
    if obj == "containers":
        return None, True
    if obj in ("host", "container"):
        return NO_DOCKERAPI, True
    if obj == "vmail":
        return {"type": "info", "disk": "", "used": None, "total": None,
                "used_percent": None}, True
    raise RouteNotFound(f"status/{obj}")


GET = {
    "domain": _domain,
    "alias-domain": _alias_domain,
    "mailbox": _mailbox,
    "alias": _alias,
    "resource": _resource,
    "dkim": _dkim,
    "rl-domain": _rl_domain,
    "rl-mbox": _rl_mailbox,
    "passwordpolicy": _password_policy,
    "status": _status,
}
# Status answers are printed compactly, not pretty-printed like the other reads.
COMPACT_READS = {"status"}


def _merge_areas() -> None:
    """Fold in the routes of the area modules under sandbox/areas/."""
    from . import areas

    for module in areas.modules():
        for table, name in ((ADD, "ADD"), (EDIT, "EDIT"), (DELETE, "DELETE"), (GET, "GET")):
            extra = getattr(module, name, {})
            clash = set(extra) & set(table)
            if clash:
                raise RuntimeError(f"{module.__name__}: {name} routes {sorted(clash)} exist")
            table.update(extra)
        COMPACT_READS.update(getattr(module, "COMPACT_READS", ()))


_merge_areas()


def read(call: Call, category: str | None, obj: str | None, extra: str | None,
         args: dict) -> tuple[Any, bool]:
    """(data, answer {} rather than [] when there is none)."""
    handler = GET.get(category)
    if handler is None or obj in UNMODELLED_OBJECTS:
        raise RouteNotFound(category)
    return handler(call, obj, extra, args)


def find(call: Call, category: str | None, request: dict) -> dict:
    if category not in SEARCH:
        raise RouteNotFound(category)
    return search.run(call, category, request)
