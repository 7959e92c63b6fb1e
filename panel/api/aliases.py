"""API: aliases — list, create, get, change destinations (and more), delete."""
from __future__ import annotations

from flask import url_for

from panel import access
from panel.api import bp
from panel.api.auth import current_principal
from panel.api.errors import ApiError
from panel.api.parsing import body, page_json, query
from panel.api.schemas import AliasCreate, AliasListQuery, AliasOut, AliasPage, AliasUpdate
from panel.api.spec import documented
from panel.api.usage import audited
from panel.mailcow import mailcow
from panel.mailcow.aliases import Alias, AliasSettings, added_id, local_page

TAG = "aliases"


def load_alias(alias_id: int) -> Alias:
    """The alias if it belongs to one of the key's domains; otherwise 404."""
    alias = mailcow().aliases.get(alias_id)
    access.require_domain(current_principal(), alias.domain)
    return alias


@bp.get("/v1/aliases")
@access.api_key()
@documented("List aliases", tag=TAG, query=AliasListQuery, response=AliasPage,
            description="Mailcow cannot page aliases, so MailApp reads them whole (per "
                        "domain when `domain` is given or the key is limited to domains) and "
                        "pages them itself. `q` searches address, destinations and the "
                        "public comment. Mailboxes' own addresses are not listed.",
            errors=(404,))
def aliases_list():
    args = query(AliasListQuery)
    req = AliasListQuery().page_request(args)
    principal = current_principal()
    aliases = mailcow().aliases
    if args.get("domain"):
        found = aliases.in_domains([access.require_domain(principal, args["domain"])])
    elif principal.is_global:
        found = aliases.all()
    else:
        found = aliases.in_domains(sorted(access.visible_domains(principal)))
    return page_json(local_page(found, req), AliasOut)


@bp.post("/v1/aliases")
@access.api_key(write=True, permission="aliases")
@documented("Create an alias", tag=TAG, body=AliasCreate, response=AliasOut, status=201,
            description="`@domain` as the address makes a catch-all.", errors=(404,))
def alias_create():
    data = body(AliasCreate)
    address = data.pop("address")
    domain = access.require_domain(current_principal(), address.rpartition("@")[2])
    settings = AliasSettings(**data)
    mc = mailcow()
    outcome = audited("alias.create", target=address, domain=domain, changes=data,
                      call=lambda: mc.aliases.add(address, settings))
    alias_id = added_id(outcome)
    if alias_id is None:  # Mailcow skipped it without a refusal (e.g. it forwards to itself)
        raise ApiError(502, "mailcow_refused", "Mailcow did not add the alias: "
                       + ("; ".join(outcome.messages + outcome.warnings) or "no reason given"))
    return AliasOut().dump(mc.aliases.get(alias_id)), 201, \
        {"Location": url_for("api.alias_get", alias_id=alias_id)}


@bp.get("/v1/aliases/<int:alias_id>")
@access.api_key()
@documented("Get an alias", tag=TAG, response=AliasOut)
def alias_get(alias_id: int):
    return AliasOut().dump(load_alias(alias_id))


@bp.patch("/v1/aliases/<int:alias_id>")
@access.api_key(write=True, permission="aliases")
@documented("Change an alias's destinations", tag=TAG, body=AliasUpdate, response=AliasOut,
            description="`goto` replaces the destinations; `active`, `sogo_visible` and the "
                        "comments may change too. Fields left out stay as they are.")
def alias_update(alias_id: int):
    alias = load_alias(alias_id)
    data = body(AliasUpdate)
    settings = AliasSettings.of(alias)
    for name, value in data.items():
        setattr(settings, name, value)
    if "goto" in data:
        settings.special = None
        if alias.address in data["goto"]:
            raise ApiError(422, "invalid", "Some values are not valid; see `fields`.",
                           {"goto": "An alias cannot forward to itself."})
    mc = mailcow()
    before = AliasOut().dump(alias)
    changes = {k: [before.get(k), v] for k, v in data.items()}
    audited("alias.update", target=alias.address, domain=alias.domain, changes=changes,
            call=lambda: mc.aliases.edit(alias.id, settings))
    return AliasOut().dump(mc.aliases.get(alias.id))


@bp.delete("/v1/aliases/<int:alias_id>")
@access.api_key(write=True, permission="aliases")
@documented("Delete an alias", tag=TAG, status=204)
def alias_delete(alias_id: int):
    alias = load_alias(alias_id)
    mc = mailcow()
    audited("alias.delete", target=alias.address, domain=alias.domain,
            call=lambda: mc.aliases.delete([alias.id]))
    return "", 204
