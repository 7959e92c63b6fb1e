"""The Filters area end to end: the Flask app against the sandbox Mailcow on loopback."""
import json

import pytest

from panel.services.filters import PRESETS
from tests.conftest import (HTMX, csrf_token, field_error, form_data, new_domain, new_mailbox,
                            signed_in_as)
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api

SCRIPT = 'require "fileinto";\nif header :contains "Subject" "spam" { fileinto "Junk"; }'


def add_domain(sandbox):
    return new_domain(sandbox, "flt")


def add_mailbox(sandbox, domain, local="owner"):
    return new_mailbox(sandbox, domain, local)


def add_filter(sandbox, username, desc="test filter", kind="prefilter", active="1",
               script=SCRIPT):
    answer = api(sandbox, "add", "filter", {"username": username, "filter_type": kind,
                                            "script_desc": desc, "script_data": script,
                                            "active": active})
    assert answer[0]["type"] == "success", answer
    return next(f for f in filters_of(sandbox, username) if f["script_desc"] == desc)


def filters_of(sandbox, username):
    found = api(sandbox, "get", f"filters/{username}")
    return found if isinstance(found, list) else []


def form(client, path, **fields):
    return form_data(client, path, {"filter_type": "prefilter", "description": "Junk to folder",
                                    "script": SCRIPT, "active": "y"}, fields)


@pytest.fixture
def owner(sandbox):
    return add_mailbox(sandbox, add_domain(sandbox))


# -- list ------------------------------------------------------------------------------

def test_list_shows_columns_order_and_notes(client, sandbox):
    html = client.get("/filters").get_data(as_text=True)
    for header in ("ID", "Active", "Type", "Owner", "Description", "Action"):
        assert f">{header}" in html
    assert "only one of each is active" in html
    order = [html.index(step) for step in ("Global prefilter", "Prefilter", "User scripts",
                                           "Postfilter", "Global postfilter")]
    assert order == sorted(order)
    assert "stops the scripts after it" in html and "restarts Dovecot" in html
    assert "Newsletters to their folder" in html and "Holiday reply" in html
    assert 'href="/filters/global"' in html


def test_type_tabs_search_domain_and_paging(client, sandbox):
    domain = add_domain(sandbox)
    owner = add_mailbox(sandbox, domain)
    for n in range(11):
        add_filter(sandbox, owner, desc=f"Rule {n:02d}", kind="postfilter", active="0")
    add_filter(sandbox, owner, desc="The prefilter")
    html = client.get(f"/filters?domain={domain}&per_page=10").get_data(as_text=True)
    assert "Showing 1 to 10 of 12" in html
    html = client.get(f"/filters?domain={domain}&type=prefilter").get_data(as_text=True)
    assert "The prefilter" in html and "Rule 00" not in html and "Showing 1 to 1 of 1" in html
    assert 'aria-current="page">Prefilters' in html
    html = client.get(f"/filters?domain={domain}&type=postfilter&per_page=10&page=2",
                      headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and "Rule 10" in html and "type=postfilter" in html
    # The search form keeps the type tab.
    assert '<input type="hidden" name="type" value="prefilter">' in client.get(
        f"/filters?domain={domain}&type=prefilter").get_data(as_text=True)
    html = client.get("/filters?q=rule 07").get_data(as_text=True)
    assert "Rule 07" in html and "Rule 08" not in html
    # The search also looks into the scripts.
    assert "Newsletters to their folder" in client.get("/filters?q=List-Id").get_data(
        as_text=True)


# -- add -------------------------------------------------------------------------------

def test_add_form_offers_every_preset(client):
    html = client.get("/filters/new").get_data(as_text=True)
    for preset in PRESETS:
        assert f'<template data-preset="{preset.key}">' in html
        assert str(preset.title) in html
    assert "js/sieve-presets.js" in html and "<script>" not in html


def test_add_and_one_active_per_type(client, sandbox, app, owner):
    older = add_filter(sandbox, owner, desc="Older rule")
    response = client.post("/filters/new", data=form(client, "/filters/new", username=owner),
                           headers=HTMX)
    assert response.status_code == 204
    toast = json.loads(response.headers["HX-Trigger"])["mailapp:toast"][0]["message"]
    assert f"Filter for {owner} added." in toast and "“Older rule” is now inactive." in toast
    states = {f["script_desc"]: f["active"] for f in filters_of(sandbox, owner)}
    assert states == {"Older rule": 0, "Junk to folder": 1}
    audit = event(app, "filter.create")
    assert audit.outcome == "ok" and audit.changes["deactivated"] == [f"#{older['id']} Older rule"]
    assert audit.changes["script"] == SCRIPT


def test_syntax_error_is_shown_beside_the_editor(client, sandbox, app, owner):
    data = form(client, "/filters/new", username=owner, script="this is not sieve")
    response = client.post("/filters/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The sieve script is not valid: line 1: unknown command this" in \
        field_error(html, "script")
    # The script stays in the editor to be corrected, and nothing was stored.
    assert "this is not sieve</textarea>" in html
    assert "Mailcow refused the change." not in html
    assert filters_of(sandbox, owner) == []
    assert event(app, "filter.create").outcome == "failed"


@pytest.mark.parametrize("fields, field, message", [
    ({"description": ""}, "description", "This field is required."),
    ({"description": "0"}, "description", "is not accepted"),
    ({"script": ""}, "script", "This field is required."),
    ({"script": "   \n  "}, "script", "This field is required."),
    ({"filter_type": "midfilter"}, "filter_type", "Not a valid choice"),
    ({"username": "nobody"}, "username", "full address of a mailbox"),
])
def test_add_form_errors_sit_beside_fields(client, sandbox, owner, fields, field, message):
    data = form(client, "/filters/new", **{"username": owner, **fields})
    response = client.post("/filters/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(html, field)
    assert filters_of(sandbox, owner) == []


def test_add_for_a_missing_mailbox(client, sandbox):
    domain = add_domain(sandbox)
    response = client.post("/filters/new", data=form(client, "/filters/new",
                                                     username=f"ghost@{domain}"))
    assert response.status_code == 422
    assert f"There is no mailbox ghost@{domain}" in response.get_data(as_text=True)


def test_mailcow_timeout_and_error_show_a_banner(client, sandbox, faults, owner):
    data = form(client, "/filters/new", username=owner)
    faults.inject_fault("delay", path_prefix="/api/v1/add/filter", seconds=3, count=1)
    response = client.post("/filters/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 502 and "Mailcow is not answering" in html
    assert "Traceback" not in html
    faults.inject_fault("http500", path_prefix="/api/v1/get/filters", count=1)
    assert client.get("/filters").status_code == 502


# -- edit and delete -------------------------------------------------------------------

def test_edit_prefills_saves_and_refuses_bad_scripts(client, sandbox, app, owner):
    item = add_filter(sandbox, owner, active="0")
    html = client.get(f"/filters/{item['id']}/edit").get_data(as_text=True)
    assert 'value="test filter"' in html and "fileinto &#34;Junk&#34;" in html
    data = form(client, f"/filters/{item['id']}/edit", script="if true {", description="x")
    response = client.post(f"/filters/{item['id']}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="script-error"' in html
    assert "The sieve script is not valid: line " in html
    assert filters_of(sandbox, owner) == [item]
    data = form(client, f"/filters/{item['id']}/edit", filter_type="postfilter",
                description="Renamed", script="keep;\r\n")
    response = client.post(f"/filters/{item['id']}/edit", data=data)
    assert response.status_code == 303
    (now,) = filters_of(sandbox, owner)
    assert (now["filter_type"], now["script_desc"], now["script_data"], now["active"]) == \
        ("postfilter", "Renamed", "keep;\n", 1)
    changes = event(app, "filter.update").changes
    assert changes["filter_type"] == ["prefilter", "postfilter"]
    assert changes["active"] == [False, True]


def test_unknown_filter_is_404(client):
    assert client.get("/filters/999999/edit").status_code == 404
    assert client.get("/filters/999999/delete").status_code == 404


def test_delete_asks_first_then_deletes(client, sandbox, app, owner):
    item = add_filter(sandbox, owner)
    html = client.get(f"/filters/{item['id']}/delete").get_data(as_text=True)
    assert "It is active" in html and "This cannot be undone." in html
    token = csrf_token(client, f"/filters/{item['id']}/delete")
    response = client.post(f"/filters/{item['id']}/delete", data={"csrf_token": token})
    assert response.status_code == 303 and filters_of(sandbox, owner) == []
    assert event(app, "filter.delete").outcome == "ok"


def test_bulk_deactivate_and_delete(client, sandbox, owner):
    ids = [add_filter(sandbox, owner, desc="a")["id"],
           add_filter(sandbox, owner, desc="b", kind="postfilter")["id"]]
    token = csrf_token(client, "/filters")
    response = client.post("/filters/bulk", data={"csrf_token": token, "action": "deactivate",
                                                  "ids": ids})
    assert response.status_code == 303
    assert all(f["active"] == 0 for f in filters_of(sandbox, owner))
    html = client.post("/filters/bulk", data={"csrf_token": token, "action": "delete",
                                              "ids": ids}).get_data(as_text=True)
    assert "Delete 2 filters?" in html and len(filters_of(sandbox, owner)) == 2
    response = client.post("/filters/bulk", data={"csrf_token": token, "action": "delete",
                                                  "ids": ids, "confirm": "1"})
    assert response.status_code == 303 and filters_of(sandbox, owner) == []
    response = client.post("/filters/bulk", data={"csrf_token": token, "action": "activate",
                                                  "ids": ids})
    assert response.status_code == 303  # not an action offered: a warning, nothing done


# -- global filters --------------------------------------------------------------------

def test_global_filters_view_and_save(client, sandbox, app):
    html = client.get("/filters/global").get_data(as_text=True)
    assert "Global prefilter" in html and "Global postfilter" in html
    assert "restarts Dovecot" in html
    token = csrf_token(client, "/filters/global")
    response = client.post("/filters/global/prefilter",
                           data={"csrf_token": token, "prefilter-script": "nonsense here"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="prefilter-script-error"' in html
    assert "The sieve script is not valid: line 1: unknown command nonsense" in html
    script = 'require "fileinto";\nif header :is "X-Spam-Flag" "YES" { fileinto "Junk"; }\n'
    response = client.post("/filters/global/prefilter",
                           data={"csrf_token": token, "prefilter-script": script},
                           headers=HTMX)
    assert response.status_code == 204
    assert "Global prefilter saved." in response.headers["HX-Trigger"]
    assert "Dovecot could not be restarted" in response.headers["HX-Trigger"]
    assert api(sandbox, "get", "global_filters/all")["prefilter"] == script
    assert event(app, "global_filter.update").changes["script"][1] == script
    assert "X-Spam-Flag" in client.get("/filters/global").get_data(as_text=True)
    assert client.post("/filters/global/midfilter", data={"csrf_token": token}).status_code \
        == 404


# -- scope -----------------------------------------------------------------------------

@pytest.fixture
def scoped(app, sandbox, admin):
    a, b = add_domain(sandbox), add_domain(sandbox)
    mine = add_filter(sandbox, add_mailbox(sandbox, a), desc="Mine")
    theirs = add_filter(sandbox, add_mailbox(sandbox, b), desc="Theirs")
    return signed_in_as(app, "da-flt", [a], ["filters"]), a, b, mine, theirs


def test_domain_admin_sees_only_their_filters(scoped):
    c, a, b, mine, theirs = scoped
    html = c.get("/filters").get_data(as_text=True)
    assert "Mine" in html and "Theirs" not in html and b not in html
    assert "alice.smith@example.org" not in html and 'href="/filters/global"' not in html
    assert c.get(f"/filters?domain={b}").status_code == 404
    assert c.get("/filters/global").status_code == 404


def test_domain_admin_gets_404_on_b_and_b_is_unchanged(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    token = csrf_token(c, "/filters")
    for path in ("edit", "delete"):
        assert c.get(f"/filters/{theirs['id']}/{path}").status_code == 404
    assert c.post(f"/filters/{theirs['id']}/delete", data={"csrf_token": token}).status_code \
        == 404
    data = form(c, "/filters/new", description="Hijack")
    assert c.post(f"/filters/{theirs['id']}/edit", data=data).status_code == 404
    assert c.post("/filters/new", data=form(c, "/filters/new",
                                            username=f"owner@{b}")).status_code == 404
    assert c.post("/filters/global/prefilter",
                  data={"csrf_token": token, "prefilter-script": "keep;"}).status_code == 404
    response = c.post("/filters/bulk", data={"csrf_token": token, "action": "delete",
                                             "ids": [mine["id"], theirs["id"]], "confirm": "1"})
    assert response.status_code == 404
    assert filters_of(sandbox, f"owner@{b}") == [theirs]
    assert filters_of(sandbox, f"owner@{a}") == [mine]


def test_domain_admin_without_the_permission_is_refused(app, sandbox, admin):
    c = signed_in_as(app, "da-noflt", [add_domain(sandbox)], ["aliases"])
    assert c.get("/filters").status_code == 404
    assert c.get("/filters/new").status_code == 404
