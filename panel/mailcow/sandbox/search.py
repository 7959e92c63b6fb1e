"""search/domain and search/mailbox: DataTables server-side paging, as Mailcow's SSP class does it.

What Mailcow does with the request (its SSP class), and so what this does:
- The global `search.value` is tried on each entry of `columns` whose `searchable` is
  "true", the entry's position being its DataTables index. Without `columns` nothing is
  searched and every row matches. Recording 94 (value "ali", `columns: []`) does not
  contradict this: alice was the only mailbox on that server.
- A position Mailcow has no column for falls back to its first column (PHP's
  array_search() false indexes element 0), so a searchable column 0 searches the name.
- Columns without a table column behind them ("stats", the login and usage columns)
  make MariaDB fail; Mailcow then answers `{"error": "An SQL error occurred: ..."}`.
- `order[].column` needs `columns[that index].orderable == "true"`; otherwise, and
  without `order`, rows come in primary-key order.
- Matching is LIKE '%value%' with the value unescaped, so % and _ are wildcards.
- There is no other filter (no per-domain parameter): page one domain's mailboxes by
  searching the username column for "@domain".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import domains, mailboxes
from .php import intval, loose_equals_true_string
from .report import Call


@dataclass(frozen=True)
class Column:
    name: str
    search: str | None = None   # SQL matching one LIKE pattern; None: MariaDB has no such column
    order: str | None = None    # SQL to sort by; None: MariaDB has no such column


def _tag_match(table: str, key: str) -> str:
    return f"EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = x.{key} AND t.tag_name LIKE ?)"


DOMAIN_COLUMNS = {
    2: Column("domain", "x.domain LIKE ?", "x.domain"),
    3: Column("aliases", "x.aliases LIKE ?",
              "(SELECT COUNT(*) FROM alias a WHERE (a.domain = x.domain OR a.domain IN"
              " (SELECT alias_domain FROM alias_domain WHERE target_domain = x.domain))"
              " AND a.address != a.goto)"),
    4: Column("mailboxes", "x.mailboxes LIKE ?",
              "(SELECT COUNT(*) FROM mailbox m WHERE m.domain = x.domain AND m.kind = '')"),
    5: Column("quota", "x.quota LIKE ?",
              "(SELECT COALESCE(SUM(m.quota), 0) FROM mailbox m WHERE m.domain = x.domain"
              " AND m.kind = '')"),
    6: Column("stats", None,
              "(SELECT SUM(q.bytes) FROM quota2 q JOIN mailbox m ON m.username = q.username"
              " WHERE m.domain = x.domain)"),
    7: Column("defquota", "x.defquota LIKE ?", "x.defquota"),
    8: Column("maxquota", "x.maxquota LIKE ?", "x.maxquota"),
    10: Column("backupmx", "x.backupmx LIKE ?", "x.backupmx"),
    14: Column("tags", _tag_match("tags_domain", "domain"), None),
    15: Column("active", "x.active LIKE ?", "x.active"),
}
MAILBOX_COLUMNS = {
    2: Column("username", "x.username LIKE ?", "x.username"),
    3: Column("quota", "x.quota LIKE ?", "x.quota"),
    4: Column("last_mail_login", None,
              "(SELECT MAX(s.datetime) FROM sasl_log s WHERE s.service != 'SSO'"
              " AND s.username = x.username)"),
    5: Column("last_pw_change", None, "json_extract(x.attributes, '$.passwd_update')"),
    6: Column("in_use", None,
              "((SELECT q.bytes FROM quota2 q WHERE q.username = x.username) * 1.0 / x.quota)"),
    7: Column("name", "x.name LIKE ?", "x.name COLLATE NOCASE"),
    20: Column("messages", None, "(SELECT q.messages FROM quota2 q WHERE q.username = x.username)"),
    23: Column("tags", _tag_match("tags_mailbox", "username"), None),
    24: Column("active", "x.active LIKE ?", "x.active"),
}
TABLES = {
    "domain": ("domain", "domain", "1 = 1", DOMAIN_COLUMNS),
    "mailbox": ("mailbox", "username", "x.kind = ''", MAILBOX_COLUMNS),
}


class SqlError(Exception):
    pass


def _column(columns: dict[int, Column], index: Any) -> Column:
    try:
        return columns[int(index)]
    except (TypeError, ValueError, KeyError):
        return next(iter(columns.values()))


def _unknown(prefix: str, column: Column, clause: str) -> SqlError:
    return SqlError("SQLSTATE[42S22]: Column not found: 1054 Unknown column"
                    f" '{prefix}.{column.name}' in '{clause} clause'")


def _listed(request: dict, key: str) -> list:
    value = request.get(key)
    if isinstance(value, dict):  # form-encoded arrays arrive keyed "0", "1", ...
        value = [value[k] for k in sorted(value, key=lambda k: intval(k))]
    return [v if isinstance(v, dict) else {} for v in value] if isinstance(value, list) else []


def _search_value(holder: dict) -> Any:
    search = holder.get("search")
    return search.get("value") if isinstance(search, dict) else None


def _where(request: dict, columns: dict[int, Column], prefix: str) -> tuple[list[str], list]:
    clauses, params = [], []
    value = _search_value(request)
    listed = _listed(request, "columns")
    if value not in (None, ""):
        alternatives = []
        for position, asked in enumerate(listed):
            if loose_equals_true_string(asked.get("searchable")):
                column = _column(columns, position)
                if column.search is None:
                    raise _unknown(prefix, column, "where")
                alternatives.append(column.search)
                params.append(f"%{value}%")
        if alternatives:
            clauses.append("(" + " OR ".join(alternatives) + ")")
    for asked in listed:
        own = _search_value(asked)
        if loose_equals_true_string(asked.get("searchable")) and own not in (None, ""):
            column = _column(columns, asked.get("data"))
            if column.search is None or column.search.startswith("EXISTS"):
                raise _unknown(prefix, column, "where")  # per-column search has no tag join
            clauses.append(column.search)
            params.append(f"%{own}%")
    return clauses, params


def _order(request: dict, columns: dict[int, Column], prefix: str) -> list[str]:
    listed = _listed(request, "columns")
    terms = []
    for asked in _listed(request, "order"):
        position = intval(asked.get("column"))
        if not 0 <= position < len(listed) or not loose_equals_true_string(
                listed[position].get("orderable")):
            continue
        column = _column(columns, position)
        if column.order is None:
            raise _unknown(prefix, column, "order")
        terms.append(f"{column.order} {'ASC' if asked.get('dir') == 'asc' else 'DESC'}")
    return terms


def _tie_broken(order: list[str], key: str) -> list[str]:
    """Equal rows come in primary-key order, as MariaDB's GROUP BY leaves them."""
    if order and order[-1].split()[0] == key:
        return order
    return [*order, key]


def run(call: Call, kind: str, request: dict) -> dict:
    """The DataTables answer, or Mailcow's `{"error": ...}` where its SQL would fail."""
    table, key, scope, columns = TABLES[kind]
    prefix = "d" if kind == "domain" else "m"
    try:
        where, params = _where(request, columns, prefix)
        order = _order(request, columns, prefix)
    except SqlError as exc:
        return {"error": f"An SQL error occurred: {exc}"}
    condition = " AND ".join([scope, *where])
    total = call.conn.execute(f"SELECT COUNT(*) FROM {table} x WHERE {condition}",
                              params).fetchone()[0]
    sql = (f"SELECT x.{key} FROM {table} x WHERE {condition}"
           f" ORDER BY {', '.join(_tie_broken(order, f'x.{key}'))}")
    length = intval(request.get("length"))
    if request.get("start") is not None and length != -1:
        sql += f" LIMIT {max(0, length)} OFFSET {max(0, intval(request['start']))}"
    keys = [row[0] for row in call.conn.execute(sql, params)]
    data = (domains.details_many(call.conn, keys) if kind == "domain"
            else mailboxes.details_many(call.conn, keys))
    return {"draw": intval(request.get("draw")), "recordsTotal": total,
            "recordsFiltered": total, "data": data}
