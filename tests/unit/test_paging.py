"""The DataTables body MailApp sends to Mailcow's search routes."""
from panel.mailcow.domains import SEARCH_COLUMNS, SEARCHABLE
from panel.mailcow.paging import Page, PageRequest, datatables_body


def test_body_pages_sorts_and_lists_searchable_columns():
    body = datatables_body(PageRequest(page=3, per_page=25, search="exa", sort="mailboxes",
                                       descending=True), SEARCH_COLUMNS, SEARCHABLE)
    assert body["start"] == 50 and body["length"] == 25
    assert body["search"] == {"value": "exa", "regex": False}
    assert body["order"] == [{"column": 4, "dir": "desc"}]
    searchable = [i for i, c in enumerate(body["columns"]) if c["searchable"] == "true"]
    # Mailcow ignores the search value unless columns are listed as searchable.
    assert searchable == [2, 14]


def test_unknown_sort_sends_no_order():
    body = datatables_body(PageRequest(sort="nope"), SEARCH_COLUMNS, SEARCHABLE)
    assert body["order"] == []


def test_page_arithmetic():
    page = Page(items=list(range(10)), total=95, request=PageRequest(page=10, per_page=10))
    assert page.pages == 10
    assert (page.first_index, page.last_index) == (91, 100)
    assert Page(items=[], total=0, request=PageRequest()).first_index == 0
