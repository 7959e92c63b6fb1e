"""Who may use which route and see which domain: the single source of scoping.

Every view declares a rule with one of the decorators below. A `before_request`
hook enforces the rule, and refuses (fail closed) any endpoint that declares none;
`tests/unit/test_access_declarations.py` fails if a registered endpoint has no rule.
Out-of-scope objects answer 404, never 403, so nothing about them leaks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import abort, current_app, request
from flask_login import current_user

RULE_ATTR = "_access_rule"


@dataclass(frozen=True)
class Rule:
    name: str
    needs_login: bool
    allows: Callable[[object], bool]


PUBLIC = Rule("public", needs_login=False, allows=lambda user: True)
SIGNED_IN = Rule("signed_in", needs_login=True, allows=lambda user: True)
GLOBAL_ADMIN = Rule("global_admin", needs_login=True,
                    allows=lambda user: getattr(user, "is_global", False))


def domain_admin(permission: str | None = None):
    """Global administrators, and domain administrators (holding `permission` if named).

    The rule only admits the user; the view must still scope every object it reads or
    changes with `require_domain` / `visible_domains`.
    """
    def allows(user) -> bool:
        if getattr(user, "is_global", False):
            return True
        return getattr(user, "role", None) == "domain" and \
            (permission is None or user.may(permission))
    return _declare(Rule(f"domain_admin:{permission or '*'}", needs_login=True, allows=allows))


def _declare(rule: Rule):
    def decorate(view):
        setattr(view, RULE_ATTR, rule)
        return view
    return decorate


public = _declare(PUBLIC)
signed_in = _declare(SIGNED_IN)
global_admin = _declare(GLOBAL_ADMIN)


def rule_for(endpoint: str | None) -> Rule | None:
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, RULE_ATTR, None)


def enforce() -> object | None:
    """before_request: apply the endpoint's rule; unknown routes fall through to 404."""
    if request.endpoint is None:
        return None
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("Route %s declares no access rule; refused", request.endpoint)
        abort(404)
    if not rule.needs_login:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not rule.allows(current_user):
        abort(404)
    return None


def visible_domains(user) -> set[str] | None:
    """The domains a user may see; None means all (a global administrator)."""
    if getattr(user, "is_global", False):
        return None
    return {d.lower() for d in getattr(user, "domains", ())}


def require_domain(user, domain: str) -> str:
    """Return the domain if the user may act on it, else answer 404."""
    scope = visible_domains(user)
    if scope is not None and (domain or "").lower() not in scope:
        abort(404)
    return domain


def _api_refusal(principal, write: bool, permission: str | None,
                 global_only: bool) -> str | None:
    if not getattr(principal, "is_api_key", False):
        return "not_an_api_key"
    if write and not principal.writable:
        return "read_only"
    if global_only and not principal.is_global:
        return "global_only"
    if permission is not None and not principal.may(permission):
        return "permission"
    return None


@dataclass(frozen=True)
class ApiRule(Rule):
    """A REST API route. Callers authenticate with an `X-API-Key` header, never with the
    session cookie: `enforce` lets these through (needs_login is False) and
    panel.api.auth checks the key, then `refusal` for what the key may do."""

    write: bool = False
    permission: str | None = None
    global_only: bool = False

    def refusal(self, principal) -> str | None:
        """Why the key may not use this route ("read_only", "global_only",
        "permission"), or None when it may."""
        return _api_refusal(principal, self.write, self.permission, self.global_only)


def api_key(write: bool = False, permission: str | None = None, global_only: bool = False):
    """REST API callers holding a key: `write` needs a read-write key, `global_only` an
    unscoped one, `permission` a scoped key holding it. As with domain administrators,
    the view still scopes every object with `require_domain` / `visible_domains`."""
    scope = "global" if global_only else permission or "*"
    return _declare(ApiRule(
        name=f"api_key:{'rw' if write else 'ro'}:{scope}", needs_login=False,
        allows=lambda principal: _api_refusal(principal, write, permission, global_only) is None,
        write=write, permission=permission, global_only=global_only))
