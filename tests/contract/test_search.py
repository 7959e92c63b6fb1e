"""search/domain and search/mailbox: DataTables paging (recordings 93, 94 and SSP's rules)."""
from __future__ import annotations

import pytest

from .answers import GIB, search_body, searchable

PEOPLE = [("alice", "Alice Adams", "2048"), ("bob", "Bob Brown", "1024"),
          ("carol", "carol Clark", "512"), ("dave", "Dave Davis", "1024"),
          ("erin", "Erin Evans", "256")]


@pytest.fixture
def people(api, domain):
    for local, name, quota in PEOPLE:
        api.write("add/mailbox", {"local_part": local, "domain": domain, "name": name,
                                  "quota": quota, "password": "S3cret-Pass1",
                                  "password2": "S3cret-Pass1"})
    return [f"{local}@{domain}" for local, _, _ in PEOPLE]


def mailboxes(api, **request) -> dict:
    response = api.post("search/mailbox", search_body(**request))
    assert response.status_code == 200, response.text
    return response.json()


def usernames(answer: dict) -> list[str]:
    return [m["username"] for m in answer["data"]]


def test_pages_through_one_domain(api, domain, people):
    scope = {"value": "@" + domain, "columns": searchable(2)}
    first = mailboxes(api, **scope, start=0, length=2, draw=7)
    assert (first["draw"], first["recordsTotal"], first["recordsFiltered"]) == (7, 5, 5)
    assert usernames(first) == people[:2]  # without an order: primary-key order
    assert usernames(mailboxes(api, **scope, start=4, length=2)) == people[4:]
    assert usernames(mailboxes(api, **scope, start=0, length=-1)) == people


def test_rows_are_full_mailbox_objects(api, domain, people):
    found = mailboxes(api, value="@" + domain, columns=searchable(2), length=1)
    assert found["data"] == [api.get_json(f"get/mailbox/{people[0]}")]


def test_sorts_by_quota_and_name(api, domain, people):
    scope = {"value": "@" + domain, "columns": searchable(2), "length": 10}
    by_quota = mailboxes(api, **scope, order=[{"column": 3, "dir": "desc"}])
    assert [m["quota"] for m in by_quota["data"]] == [2 * GIB, GIB, GIB, GIB // 2, GIB // 4]
    # Ties keep primary-key order; names sort without regard to case.
    assert usernames(by_quota)[1:3] == [people[1], people[3]]
    by_name = mailboxes(api, **scope, order=[{"column": 7, "dir": "asc"}])
    assert [m["name"] for m in by_name["data"]] == [
        "Alice Adams", "Bob Brown", "carol Clark", "Dave Davis", "Erin Evans"]


def test_order_needs_an_orderable_column(api, domain, people):
    columns = searchable(2)
    columns[3]["orderable"] = "false"
    found = mailboxes(api, value="@" + domain, columns=columns,
                      order=[{"column": 3, "dir": "desc"}])
    assert usernames(found) == people


def test_search_applies_only_to_searchable_columns(api, domain, people):
    in_names = mailboxes(api, value="clark", columns=searchable(7), length=50)
    assert people[2] in usernames(in_names)
    in_usernames = mailboxes(api, value="clark", columns=searchable(2), length=50)
    assert people[2] not in usernames(in_usernames)


def test_per_column_search_narrows_further(api, domain, people):
    columns = searchable(2, 7)
    columns[7]["search"]["value"] = "brown"
    found = mailboxes(api, value="@" + domain, columns=columns)
    assert usernames(found) == [people[1]]


def test_without_columns_the_search_value_is_ignored(api, domain, people):
    everything = mailboxes(api, length=1)["recordsTotal"]
    ignored = mailboxes(api, value="matches-nothing-at-all", length=1)
    assert ignored["recordsTotal"] == ignored["recordsFiltered"] == everything >= 5


def test_a_column_without_a_table_column_is_an_sql_error(api):
    answer = mailboxes(api, value="x", columns=searchable(4))
    assert answer == {"error": "An SQL error occurred: SQLSTATE[42S22]: Column not found: 1054"
                               " Unknown column 'm.last_mail_login' in 'where clause'"}


def test_domain_search_finds_by_tag_and_answers_domain_objects(api, domain):
    api.write("edit/domain", {"items": [domain], "attr": {"tags": ["ct-search-tag"]}})
    response = api.post("search/domain", search_body("ct-search-tag", columns=searchable(14),
                                                      order=[{"column": 2, "dir": "asc"}]))
    found = response.json()
    assert (found["recordsTotal"], found["recordsFiltered"]) == (1, 1)
    assert found["data"] == [api.get_json(f"get/domain/{domain}")]
    assert found["data"][0]["tags"] == ["ct-search-tag"]


def test_domains_sort_by_mailbox_count(api, domain, people, new_domain):
    other = new_domain()
    api.write("add/domain", {"domain": other})
    found = api.post("search/domain", search_body(
        ".test", columns=searchable(2), length=500,
        order=[{"column": 4, "dir": "desc"}])).json()
    names = [d["domain_name"] for d in found["data"]]
    assert names.index(domain) < names.index(other)
    assert found["data"][names.index(domain)]["mboxes_in_domain"] == 5


def test_search_is_post_only(api):
    assert api.get("search/domain").status_code == 405
