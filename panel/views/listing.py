"""Reading a table's state (search, sort, page) from the query string, and back."""
from __future__ import annotations

from flask import request

from panel.mailcow.paging import PageRequest

PER_PAGE_CHOICES = (10, 25, 50, 100)


def page_request(sortable: tuple[str, ...], default_sort: str) -> PageRequest:
    args = request.args
    sort = args.get("sort", default_sort)
    if sort not in sortable:
        sort = default_sort
    try:
        page = max(1, int(args.get("page", 1)))
    except ValueError:
        page = 1
    try:
        per_page = int(args.get("per_page", 25))
    except ValueError:
        per_page = 25
    if per_page not in PER_PAGE_CHOICES:
        per_page = 25
    return PageRequest(page=page, per_page=per_page, search=args.get("q", "").strip()[:200],
                       sort=sort, descending=args.get("dir") == "desc")


def state_args(req: PageRequest, **changes) -> dict:
    """Query args describing a table state, for links that keep everything else."""
    state = {"q": req.search or None, "sort": req.sort, "dir": "desc" if req.descending else None,
             "page": req.page if req.page > 1 else None,
             "per_page": req.per_page if req.per_page != 25 else None}
    state.update(changes)
    return {k: v for k, v in state.items() if v is not None}
