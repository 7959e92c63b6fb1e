"""API: domains — list, get; create and delete for keys without a domain scope."""
from __future__ import annotations

from flask import url_for

from panel import access
from panel.api import bp
from panel.api.auth import current_principal
from panel.api.parsing import body, page_json, query
from panel.api.schemas import DomainCreate, DomainListQuery, DomainOut, DomainPage
from panel.api.spec import documented
from panel.api.usage import audited
from panel.forms.domains import DOMAIN_RE
from panel.mailcow import NotFound, mailcow
from panel.mailcow.domains import Domain, DomainSettings
from panel.services.domains import list_domains

TAG = "domains"


def load_domain(name: str) -> Domain:
    """The domain if the key may see it; otherwise 404, whether it exists or not."""
    name = name.lower()
    access.require_domain(current_principal(), name)
    if not DOMAIN_RE.match(name):
        raise NotFound(name)
    return mailcow().domains.get(name)


@bp.get("/v1/domains")
@access.api_key()
@documented("List domains", tag=TAG, query=DomainListQuery, response=DomainPage,
            description="Paged; `q` searches names and tags. A key limited to domains "
                        "sees only those.")
def domains_list():
    req = DomainListQuery().page_request(query(DomainListQuery))
    return page_json(list_domains(mailcow(), current_principal(), req), DomainOut)


@bp.get("/v1/domains/<name>")
@access.api_key()
@documented("Get a domain", tag=TAG, response=DomainOut)
def domain_get(name: str):
    return DomainOut().dump(load_domain(name))


@bp.post("/v1/domains")
@access.api_key(write=True, global_only=True)
@documented("Create a domain", tag=TAG, body=DomainCreate, response=DomainOut, status=201,
            description="Quotas are in MiB. Mailcow also makes the domain's DKIM key.")
def domain_create():
    data = body(DomainCreate)
    name = data.pop("domain")
    selector, key_size = data.pop("dkim_selector"), data.pop("dkim_key_size")
    settings = DomainSettings(**data)
    mc = mailcow()
    audited("domain.create", target=name, domain=name,
            changes={**data, "dkim_selector": selector, "dkim_key_size": key_size},
            call=lambda: mc.domains.add(name, settings, selector, key_size))
    return DomainOut().dump(mc.domains.get(name)), 201, \
        {"Location": url_for("api.domain_get", name=name)}


@bp.delete("/v1/domains/<name>")
@access.api_key(write=True, global_only=True)
@documented("Delete a domain", tag=TAG, status=204,
            description="Mailcow deletes only domains without mailboxes.")
def domain_delete(name: str):
    domain = load_domain(name)
    mc = mailcow()
    audited("domain.delete", target=domain.name, domain=domain.name,
            call=lambda: mc.domains.delete([domain.name]))
    return "", 204
