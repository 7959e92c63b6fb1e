"""What MailApp's mailbox adapter relies on to page one domain (panel/mailcow/mailboxes.py).

- A column's own search value ("@domain" on the username column, index 2) is ANDed with
  the global search over username, name and tags.
- `length: 0` answers the count alone, which pages domains one after the other.
- "@example.test" also matches usernames of a domain whose name begins with it
  (example.test.uk): the adapter checks for such domains and reads those whole.
- `get/alias/all/{domain}` answers `{}` for a domain without aliases.
"""
from __future__ import annotations

from .answers import search_body, searchable
from .conftest import _cleanup

PASSWORD = "S3cret-Pass1"


def add_people(api, domain, *people):
    for local, name, tags in people:
        api.write("add/mailbox", {"local_part": local, "domain": domain, "name": name,
                                  "quota": "256", "password": PASSWORD, "password2": PASSWORD,
                                  "tags": tags})


def adapter_body(domain: str, value: str = "", start: int = 0, length: int = 10) -> dict:
    """The body MailboxesApi sends for one domain: username, name and tags searchable."""
    columns = searchable(2, 7, 23)
    columns[2]["search"]["value"] = "@" + domain
    return search_body(value, columns=columns, start=start, length=length)


def usernames(answer: dict) -> list[str]:
    return [m["username"] for m in answer["data"]]


def test_the_domain_column_filter_ands_with_the_global_search(api, domain, new_domain):
    other = new_domain()
    api.write("add/domain", {"domain": other, "mailboxes": "10", "quota": "10240"})
    add_people(api, domain, ("anna", "Anna Vip", ["vip"]), ("ben", "Ben Plain", []))
    add_people(api, other, ("anna", "Anna Elsewhere", ["vip"]))
    found = api.post("search/mailbox", adapter_body(domain)).json()
    assert usernames(found) == [f"anna@{domain}", f"ben@{domain}"]
    assert found["recordsFiltered"] == 2
    by_tag = api.post("search/mailbox", adapter_body(domain, "vip")).json()
    assert usernames(by_tag) == [f"anna@{domain}"] and by_tag["recordsFiltered"] == 1
    by_name = api.post("search/mailbox", adapter_body(domain, "plain")).json()
    assert usernames(by_name) == [f"ben@{domain}"]


def test_length_zero_counts_without_rows(api, domain):
    add_people(api, domain, ("anna", "Anna", []), ("ben", "Ben", []), ("cleo", "Cleo", []))
    counted = api.post("search/mailbox", adapter_body(domain, length=0)).json()
    assert (counted["recordsTotal"], counted["recordsFiltered"], counted["data"]) == (3, 3, [])
    window = api.post("search/mailbox", adapter_body(domain, start=1, length=1)).json()
    assert usernames(window) == [f"ben@{domain}"] and window["recordsFiltered"] == 3


def test_a_longer_namesake_domain_matches_too(api, domain):
    namesake = domain + ".uk"
    api.write("add/domain", {"domain": namesake, "mailboxes": "10", "quota": "10240"})
    try:
        add_people(api, domain, ("anna", "Anna", []))
        add_people(api, namesake, ("zed", "Zed", []))
        found = api.post("search/mailbox", adapter_body(domain)).json()
        assert usernames(found) == [f"anna@{domain}", f"zed@{namesake}"]
        # The adapter's check: the domain column search finds the namesake.
        looked_up = api.post("search/domain", search_body(domain, columns=searchable(2),
                                                          length=100)).json()
        assert sorted(d["domain_name"] for d in looked_up["data"]) == [domain, namesake]
    finally:
        _cleanup(api, namesake)


def test_a_domain_without_aliases_lists_as_an_empty_object(api, domain):
    response = api.get(f"get/alias/all/{domain}")
    assert response.status_code == 200 and response.text == "{}"
