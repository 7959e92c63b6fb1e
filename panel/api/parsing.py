"""Reading API requests (query string, JSON body) through their schemas, and writing pages."""
from __future__ import annotations

from flask import request
from marshmallow import Schema

from panel.api.errors import ApiError
from panel.mailcow.paging import Page


def query(schema: type[Schema]) -> dict:
    """The validated query arguments; unknown ones are refused (422) like body fields."""
    return schema().load(request.args.to_dict())


def body(schema: type[Schema]) -> dict:
    """The validated JSON body; 400 when it is not JSON, 422 when a value is wrong."""
    data = request.get_json(force=True, silent=True)
    if data is None:
        if not request.get_data():
            raise ApiError(400, "bad_request", "Send a JSON object as the request body.")
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.")
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", "The request body must be a JSON object.",
                       {"_schema": "Expected a JSON object."})
    return schema().load(data)


def page_json(page: Page, item: type[Schema]) -> dict:
    return {"items": item(many=True).dump(page.items), "total": page.total,
            "page": page.request.page, "per_page": page.request.per_page, "pages": page.pages}
