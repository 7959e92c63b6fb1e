"""DNS diagnostics: a domain's expected records next to what resolvers really return."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from panel import access
from panel.dns.check import STATUSES, ResolverSpec, check_domain
from panel.dns.records import expected_records
from panel.htmx import is_htmx
from panel.mailcow import NotFound, mailcow

bp = Blueprint("dns", __name__, url_prefix="/dns")


def _choices() -> tuple[list[str], dict[str, str]]:
    """The domains and the alias domains (name -> target) the user may check."""
    scope = access.visible_domains(current_user)
    domains = sorted(scope) if scope is not None else mailcow().domains.names()
    visible = set(domains)
    aliases = {a.name: a.target_domain for a in mailcow().alias_domains.all()
               if a.target_domain.lower() in visible}
    return domains, dict(sorted(aliases.items()))


def _chosen(domains: list[str], aliases: dict[str, str]) -> str | None:
    """The domain asked for (scoped: another's domain is a 404), else the first one."""
    name = (request.args.get("domain") or "").strip().lower()
    if not name:
        return domains[0] if domains else None
    if name in aliases:
        return name
    access.require_domain(current_user, name)
    try:
        return mailcow().domains.get(name).name
    except NotFound:
        abort(404)


def _resolver() -> tuple[ResolverSpec | None, str | None]:
    settings = current_app.extensions["settings"]
    try:
        return ResolverSpec.parse(settings.dns_resolver), None
    except ValueError as exc:
        return None, str(exc)


@bp.get("")
@access.domain_admin()
def index():
    domains, aliases = _choices()
    domain = _chosen(domains, aliases)
    spec, spec_error = _resolver()
    settings = current_app.extensions["settings"]
    return render_template("dns/index.html", domains=domains, aliases=aliases, domain=domain,
                           mail_host=settings.mail_hostname,
                           resolver=spec.describe() if spec else None, spec_error=spec_error)


@bp.get("/check")
@access.domain_admin()
def check():
    """The slow part: every lookup. The page asks for it once it has rendered."""
    domains, aliases = _choices()
    domain = _chosen(domains, aliases)
    if domain is None:
        abort(404)
    spec, spec_error = _resolver()
    settings = current_app.extensions["settings"]
    report = None
    dkim = None
    if spec is not None:
        dkim = mailcow().dkim.get(domain)
        records = expected_records(domain, settings.mail_hostname, dkim,
                                   alias_domain=domain in aliases)
        report = check_domain(domain, settings.mail_hostname, records, spec)
    context = dict(domains=domains, aliases=aliases, domain=domain,
                   mail_host=settings.mail_hostname,
                   resolver=spec.describe() if spec else None, spec_error=spec_error,
                   report=report, dkim=dkim, statuses=STATUSES)
    if is_htmx():
        return render_template("dns/_results.html", **context)
    return render_template("dns/index.html", **context)
