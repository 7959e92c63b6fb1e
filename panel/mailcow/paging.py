"""DataTables server-side requests, the paging language of Mailcow's `search/*` routes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    page: int = 1
    per_page: int = 25
    search: str = ""
    sort: str = ""
    descending: bool = False


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    request: PageRequest
    extra: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    @property
    def first_index(self) -> int:
        return 0 if not self.items else (self.request.page - 1) * self.request.per_page + 1

    @property
    def last_index(self) -> int:
        return (self.request.page - 1) * self.request.per_page + len(self.items)


def datatables_body(req: PageRequest, columns: dict[str, int], searchable: list[str]) -> dict:
    """Build the body Mailcow expects; `columns` maps our sort names to DataTables indexes.

    Mailcow only applies the search value to columns listed as searchable, so every
    column we want searched is listed by its index.
    """
    listed: dict[int, bool] = {columns[name]: True for name in searchable}
    width = max(columns.values()) + 1
    body_columns = [
        {"data": str(i), "name": "", "searchable": "true" if listed.get(i) else "false",
         "orderable": "true", "search": {"value": "", "regex": "false"}}
        for i in range(width)
    ]
    order = []
    if req.sort in columns:
        order.append({"column": columns[req.sort], "dir": "desc" if req.descending else "asc"})
    return {
        "draw": 1,
        "start": (req.page - 1) * req.per_page,
        "length": req.per_page,
        "search": {"value": req.search, "regex": False},
        "order": order,
        "columns": body_columns,
    }
