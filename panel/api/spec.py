"""The OpenAPI document, generated with apispec from the routes themselves.

Paths and methods come from Flask's URL map, who may call each route from its access
rule, and shapes from the marshmallow schemas a view names with `@documented`. A
route under /api/v1 is listed even if nobody documented it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema

from panel import access
from panel.api.schemas import ErrorOut

DOC_ATTR = "_api_doc"
HIDDEN_ATTR = "_api_doc_hidden"
API_PREFIX = "/api/v1/"
CONVERTER_RE = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?"
                          r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")
PARAM_TYPES = {"int": "integer", "float": "number"}
DESCRIPTION = """MailApp's REST API over its Mailcow server.

**Authenticate with header `X-API-Key`** carrying a key made on MailApp's *API keys* page
(the key is shown once, when it is made). The session cookie of the web interface is
never accepted here.

A key is read-only or read-write, may be limited to some domains (it then sees only those,
as a domain administrator would: anything else answers 404), to some source networks,
and may expire. Errors are JSON: `{"error": {"code", "message", "fields"}}`.
"""
ERRORS = {
    "400": ("BadRequest", "The body is not valid JSON."),
    "401": ("Unauthorized", "No key, a wrong, expired or revoked key, or a source address "
                            "the key may not be used from."),
    "403": ("Forbidden", "The key may not do this: read-only, limited to domains, or "
                         "lacking the permission."),
    "404": ("NotFound", "No such object, or it is outside the key's domains."),
    "422": ("Invalid", "Some values are not valid; `fields` says which and why."),
    "502": ("MailcowError", "Mailcow is unavailable or refused the change; the message is "
                            "Mailcow's own, in English."),
}


@dataclass(frozen=True)
class ApiDoc:
    summary: str
    tag: str
    description: str = ""
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    errors: tuple[int, ...] = field(default=())


def documented(summary: str, *, tag: str, description: str = "",
               query: type[Schema] | None = None, body: type[Schema] | None = None,
               response: type[Schema] | None = None, status: int = 200,
               errors: tuple[int, ...] = ()):
    """Describe an API view for the OpenAPI document (the route and rule say the rest)."""
    def decorate(view):
        setattr(view, DOC_ATTR, ApiDoc(summary, tag, description, query, body, response,
                                       status, tuple(errors)))
        return view
    return decorate


def hidden(view):
    """Leave a route out of the document (the catch-all for unknown API paths)."""
    setattr(view, HIDDEN_ATTR, True)
    return view


def openapi_path(rule_text: str) -> tuple[str, list[dict]]:
    """/v1/aliases/<int:alias_id> -> /v1/aliases/{alias_id} and its path parameters."""
    params = []
    for match in CONVERTER_RE.finditer(rule_text):
        params.append({"name": match["name"], "in": "path", "required": True,
                       "schema": {"type": PARAM_TYPES.get(match["converter"] or "", "string")}})
    return CONVERTER_RE.sub(lambda m: "{" + m["name"] + "}", rule_text), params


def _operation(endpoint: str, doc: ApiDoc | None, rule, has_path_params: bool) -> dict:
    doc = doc or ApiDoc(summary=endpoint.rsplit(".", 1)[-1].replace("_", " "), tag="other")
    operation: dict = {"summary": doc.summary, "tags": [doc.tag], "operationId": endpoint,
                       "responses": {}}
    if doc.description:
        operation["description"] = doc.description
    if doc.query is not None:
        operation["parameters"] = [{"in": "query", "schema": doc.query}]
    if doc.body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": doc.body}}}
    success: dict = {"description": {201: "Created.", 204: "Done."}.get(doc.status, "OK.")}
    if doc.response is not None:
        success["content"] = {"application/json": {"schema": doc.response}}
    operation["responses"][str(doc.status)] = success
    errors = set(doc.errors)
    if isinstance(rule, access.ApiRule):
        errors |= {401, 502}
        if rule.write or rule.global_only or rule.permission:
            errors.add(403)
        if rule.permission:
            operation["description"] = (operation.get("description", "") + "\n\nA key limited "
                                        f"to domains needs the `{rule.permission}` permission."
                                        ).strip()
        if rule.global_only:
            operation["description"] = (operation.get("description", "") +
                                        "\n\nOnly for keys without a domain scope.").strip()
    else:
        operation["security"] = []
    if has_path_params:
        errors.add(404)
    if doc.body is not None:
        errors |= {400, 422}
    if doc.query is not None:
        errors.add(422)
    for status in sorted(errors):
        operation["responses"][str(status)] = ERRORS[str(status)][0]
    return operation


def build_spec(app: Flask) -> dict:
    spec = APISpec(title="MailApp API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], info={"description": DESCRIPTION},
                   servers=[{"url": "/api"}])
    spec.components.security_scheme("ApiKey", {"type": "apiKey", "in": "header",
                                               "name": "X-API-Key"})
    spec.components.schema("Error", schema=ErrorOut)
    for name, text in ERRORS.values():
        spec.components.response(name, {"description": text, "content": {
            "application/json": {"schema": "Error"}}})
    by_path: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX):
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, HIDDEN_ATTR, False):
            continue
        path, params = openapi_path(rule.rule[len("/api"):])
        entry = by_path.setdefault(path, {"operations": {}, "parameters": params})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            entry["operations"][method.lower()] = _operation(
                rule.endpoint, getattr(view, DOC_ATTR, None), getattr(view, access.RULE_ATTR, None),
                bool(params))
    for path, entry in by_path.items():
        spec.path(path=path, operations=entry["operations"], parameters=entry["parameters"])
    document = spec.to_dict()
    document["security"] = [{"ApiKey": []}]
    return document
