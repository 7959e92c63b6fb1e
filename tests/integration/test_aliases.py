"""The Aliases area end to end: the Flask app against the sandbox Mailcow on loopback."""
import csv
import io
import uuid

import pytest
from sqlalchemy import select

from panel.extensions import db
from panel.mailcow import mailcow
from panel.models import AuditEvent
from panel.services.admins import create_admin
from panel.services.aliases import cache_for
from tests.conftest import csrf_token, sign_in
from tests.conftest import mailcow_api as api

HTMX = {"HX-Request": "true"}


def unique(prefix="al"):
    return f"{prefix}{uuid.uuid4().hex[:8]}.test"


def add_domain(sandbox, name=None):
    name = name or unique()
    answer = api(sandbox, "add", "domain", {
        "domain": name, "active": "1", "mailboxes": "10", "aliases": "50", "defquota": "100",
        "maxquota": "200", "quota": "1000"})
    assert not any(m["type"] == "danger" for m in answer), answer
    return name


def add_alias(sandbox, address, goto="dest@remote.test", **attrs):
    answer = api(sandbox, "add", "alias", {"address": address, "goto": goto, "active": "1",
                                          **attrs})
    assert answer[0]["type"] == "success", answer
    return int(answer[0]["msg"][2])


def get_alias(sandbox, alias_id):
    return api(sandbox, "get", f"alias/{alias_id}")


def aliases_of(sandbox, domain):
    found = api(sandbox, "get", f"alias/all/{domain}")
    return {a["address"]: a for a in found} if isinstance(found, list) else {}


def form(client, path="/aliases/new", **fields):
    data = {"csrf_token": csrf_token(client, path), "address": "", "goto": "",
            "target": "addresses", "public_comment": "", "private_comment": "",
            "sogo_visible": "y", "active": "y"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def audit(app, action, target):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == action, AuditEvent.target == target)).all()


@pytest.fixture
def scoped(app, sandbox):
    """A domain administrator of A (with the aliases permission), and B beside it."""
    a, b = add_domain(sandbox, unique("mine")), add_domain(sandbox, unique("theirs"))
    with app.app_context():
        create_admin("da", "correct-horse-battery", domains=[a],
                     permissions=["aliases", "alias_domains"])
    c = app.test_client()
    assert sign_in(c, "da").status_code == 302
    return c, a, b


# -- list ------------------------------------------------------------------------------

def test_list_shows_the_columns_and_the_note(client, sandbox):
    domain = add_domain(sandbox)
    alias_id = add_alias(sandbox, f"info@{domain}", "a@remote.test,b@remote.test",
                         public_comment="Front desk", private_comment="ticket 42",
                         sogo_visible="1")
    html = client.get(f"/aliases?domain={domain}").get_data(as_text=True)
    for header in ("ID", "Alias", "Goto address(es)", "Domain", "SOGo visible", "Public comment",
                   "Private comment", "Internal", "Active", "Actions"):
        assert f">{header}" in html, header
    row = html[html.index(f'id="alias-{alias_id}"'):]
    row = row[:row.index("</tr>")]
    assert f"info@{domain}" in row and "a@remote.test" in row and "b@remote.test" in row
    assert "Front desk" in row and "ticket 42" in row and ">Active<" in row
    assert "does not receive mail sent to my-alias@alias-domain" in html
    assert "Expand over alias domains" in html


def test_search_domain_filter_and_htmx_table_only(client, sandbox):
    d1, d2 = add_domain(sandbox), add_domain(sandbox)
    add_alias(sandbox, f"needle-sales@{d1}")
    add_alias(sandbox, f"other@{d1}")
    add_alias(sandbox, f"needle-sales@{d2}")
    response = client.get(f"/aliases?q=needle-sales&domain={d1}", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f"needle-sales@{d1}" in html and f"other@{d1}" not in html
    assert f"needle-sales@{d2}" not in html
    # The table's links keep the domain filter (state in the address bar).
    full = client.get(f"/aliases?domain={d1}&per_page=10").get_data(as_text=True)
    assert "<html" in full and f'<option value="{d1}" selected' in full
    assert f"domain={d1}" in full[full.index('id="alias-table"'):]


def test_paging_over_the_cached_list(client, sandbox):
    domain = add_domain(sandbox)
    for i in range(12):
        add_alias(sandbox, f"p{i:02d}@{domain}")
    first = client.get(f"/aliases?domain={domain}&per_page=10").get_data(as_text=True)
    second = client.get(f"/aliases?domain={domain}&per_page=10&page=2").get_data(as_text=True)
    assert f"p00@{domain}" in first and f"p11@{domain}" not in first
    assert f"p11@{domain}" in second and "Showing 11 to 12 of 12" in second


def test_whole_list_is_fetched_once_and_invalidated_by_our_writes(app, client, sandbox):
    domain = add_domain(sandbox)
    add_alias(sandbox, f"first@{domain}")
    client.get("/aliases")
    with app.app_context():
        cache = cache_for(mailcow())
    fetches = cache.fetches
    # Added behind MailApp's back: the cached list does not know it yet...
    add_alias(sandbox, f"behind@{domain}")
    html = client.get(f"/aliases?q=behind@{domain}", headers=HTMX).get_data(as_text=True)
    assert f"<strong>behind@{domain}</strong>" not in html
    client.get("/aliases?page=2")
    assert cache.fetches == fetches  # search and paging reuse the parsed list
    # ...until MailApp itself writes an alias.
    response = client.post("/aliases/new", data=form(client, address=f"ours@{domain}",
                                                     goto="x@remote.test"))
    assert response.status_code == 303
    html = client.get(f"/aliases?q={domain}").get_data(as_text=True)
    assert f"<strong>ours@{domain}</strong>" in html
    assert f"<strong>behind@{domain}</strong>" in html
    assert cache.fetches == fetches + 1


# -- add / edit ------------------------------------------------------------------------

def test_add_alias_with_several_destinations(app, client, sandbox):
    domain = add_domain(sandbox)
    response = client.post("/aliases/new", data=form(
        client, address=f"Team@{domain.upper()}",
        goto="a@remote.test, b@remote.test\nc@remote.test",
        public_comment="pub", private_comment="priv", internal="y"))
    assert response.status_code == 303
    found = aliases_of(sandbox, domain)[f"Team@{domain}"]
    assert found["goto"] == "a@remote.test,b@remote.test,c@remote.test"
    assert found["public_comment"] == "pub" and found["private_comment"] == "priv"
    assert found["internal"] == 1 and found["sogo_visible"] == 1 and found["active"] == 1
    assert audit(app, "alias.create", f"Team@{domain}")[0].outcome == "ok"


def test_add_catch_all_and_special_targets(client, sandbox):
    domain = add_domain(sandbox)
    assert client.post("/aliases/new", data=form(
        client, address=f"@{domain}", goto="all@remote.test")).status_code == 303
    for address, target, goto in (("trap", "learn_spam", "spam@localhost"),
                                  ("ham", "learn_ham", "ham@localhost"),
                                  ("void", "discard", "null@localhost")):
        response = client.post("/aliases/new", data=form(client, address=f"{address}@{domain}",
                                                         target=target))
        assert response.status_code == 303, response.get_data(as_text=True)
        assert aliases_of(sandbox, domain)[f"{address}@{domain}"]["goto"] == goto
    found = aliases_of(sandbox, domain)[f"@{domain}"]
    assert found["is_catch_all"] == 1
    html = client.get(f"/aliases?domain={domain}").get_data(as_text=True)
    assert "Catch-all" in html and "Learn as spam" in html and "Discard" in html


@pytest.mark.parametrize("fields, field, message", [
    ({"address": ""}, "address", "This field is required."),
    ({"address": "no-at-sign"}, "address", "Enter an address such as"),
    ({"address": "a b@x.test"}, "address", "Enter an address such as"),
    ({"address": "x@nodot"}, "address", "Enter an address such as"),
    ({"goto": ""}, "goto", "Enter at least one destination"),
    ({"goto": "not-an-email"}, "goto", "Not a valid address: not-an-email"),
    ({"goto": "same@{d}"}, "goto", "cannot forward to itself"),
    ({"public_comment": "x" * 161}, "public_comment", "At most 160 bytes."),
    ({"private_comment": "é" * 81}, "private_comment", "At most 160 bytes."),
    ({"target": "bogus"}, "target", "Not a valid choice"),
])
def test_form_errors_beside_fields_nothing_created(client, sandbox, fields, field, message):
    domain = add_domain(sandbox)
    data = {"address": f"same@{domain}", "goto": "ok@remote.test"}
    data.update({k: v.format(d=domain) for k, v in fields.items()})
    response = client.post("/aliases/new", data=form(client, **data))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html[html.index(f'id="{field}-error"') if field != "target" else
                 html.index('class="field-error"'):]
    assert message in error[:400]
    assert "Nothing was saved" in html
    assert aliases_of(sandbox, domain) == {}


@pytest.mark.parametrize("case", ["duplicate", "foreign_domain", "invalid_goto_edit"])
def test_mailcow_refusals_are_readable_banners(client, sandbox, case):
    domain = add_domain(sandbox)
    if case == "duplicate":
        add_alias(sandbox, f"dup@{domain}")
        response = client.post("/aliases/new", data=form(client, address=f"dup@{domain}",
                                                         goto="x@remote.test"))
        expected = f"dup@{domain} already exists as an alias"
    elif case == "foreign_domain":
        response = client.post("/aliases/new", data=form(client, address="x@nowhere-else.test",
                                                         goto="x@remote.test"))
        expected = "nowhere-else.test"
    else:
        alias_id = add_alias(sandbox, f"e@{domain}")
        # The form accepts it, Mailcow does not (identical to the alias after a rename).
        response = client.post(f"/aliases/{alias_id}/edit", data=form(
            client, f"/aliases/{alias_id}/edit", address=f"e2@{domain}", goto=f"e2@{domain}"))
        expected = None
    html = response.get_data(as_text=True)
    if expected is None:
        assert response.status_code == 422 and "cannot forward to itself" in html
        return
    assert response.status_code == 422
    assert "Mailcow refused the change." in html and expected in html
    assert "notice-error" in html


def test_edit_prefills_and_saves(app, client, sandbox):
    domain = add_domain(sandbox)
    alias_id = add_alias(sandbox, f"ed@{domain}", "old@remote.test", public_comment="before")
    html = client.get(f"/aliases/{alias_id}/edit").get_data(as_text=True)
    assert "old@remote.test" in html and 'value="before"' in html
    response = client.post(f"/aliases/{alias_id}/edit", data=form(
        client, f"/aliases/{alias_id}/edit", address=f"ed@{domain}",
        goto="new1@remote.test\nnew2@remote.test", public_comment="after", active=None))
    assert response.status_code == 303
    now = get_alias(sandbox, alias_id)
    assert now["goto"] == "new1@remote.test,new2@remote.test"
    assert now["public_comment"] == "after" and now["active"] == 0
    event = audit(app, "alias.update", f"ed@{domain}")[0]
    assert event.changes["public_comment"] == ["before", "after"]


def test_edit_to_a_special_target_and_rename(client, sandbox):
    domain = add_domain(sandbox)
    alias_id = add_alias(sandbox, f"r@{domain}")
    response = client.post(f"/aliases/{alias_id}/edit", data=form(
        client, f"/aliases/{alias_id}/edit", address=f"renamed@{domain}", target="discard"))
    assert response.status_code == 303
    now = get_alias(sandbox, alias_id)
    assert now["address"] == f"renamed@{domain}" and now["goto"] == "null@localhost"


def test_htmx_add_answers_client_redirect_and_toast(client, sandbox):
    domain = add_domain(sandbox)
    response = client.post("/aliases/new", headers=HTMX,
                           data=form(client, address=f"hx@{domain}", goto="x@remote.test"))
    assert response.status_code == 204
    assert "/aliases" in response.headers["HX-Location"]
    assert f"Alias hx@{domain} added." in response.headers["HX-Trigger"]


# -- enable/disable, delete ------------------------------------------------------------

def test_enable_disable_returns_the_row_for_htmx(app, client, sandbox):
    domain = add_domain(sandbox)
    alias_id = add_alias(sandbox, f"tog@{domain}")
    token = csrf_token(client, "/aliases")
    response = client.post(f"/aliases/{alias_id}/active", headers=HTMX,
                           data={"csrf_token": token, "active": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.startswith(f'<tr id="alias-{alias_id}"')
    assert ">Inactive<" in html and "disabled" in response.headers["HX-Trigger"]
    assert get_alias(sandbox, alias_id)["active"] == 0
    response = client.post(f"/aliases/{alias_id}/active", data={"csrf_token": token,
                                                                "active": "1"})
    assert response.status_code == 303 and get_alias(sandbox, alias_id)["active"] == 1
    assert len(audit(app, "alias.update", f"tog@{domain}")) == 2


def test_delete_asks_then_deletes(app, client, sandbox):
    domain = add_domain(sandbox)
    alias_id = add_alias(sandbox, f"del@{domain}", "keep@remote.test")
    html = client.get(f"/aliases/{alias_id}/delete").get_data(as_text=True)
    assert f"Delete alias del@{domain}?" in html and "keep@remote.test" in html
    assert get_alias(sandbox, alias_id)
    response = client.post(f"/aliases/{alias_id}/delete",
                           data={"csrf_token": csrf_token(client, "/aliases")})
    assert response.status_code == 303
    assert not get_alias(sandbox, alias_id)
    assert client.get(f"/aliases/{alias_id}/edit").status_code == 404
    assert audit(app, "alias.delete", f"del@{domain}")[0].outcome == "ok"


# -- bulk --------------------------------------------------------------------------------

def test_bulk_deactivate_activate_in_one_call(app, client, sandbox):
    domain = add_domain(sandbox)
    ids = [add_alias(sandbox, f"b{i}@{domain}") for i in range(3)]
    token = csrf_token(client, "/aliases")
    response = client.post("/aliases/bulk", data={"csrf_token": token, "action": "deactivate",
                                                  "ids": ids[:2]})
    assert response.status_code == 303
    assert [get_alias(sandbox, i)["active"] for i in ids] == [0, 0, 1]
    response = client.post("/aliases/bulk", data={"csrf_token": token, "action": "activate",
                                                  "ids": ids})
    assert response.status_code == 303
    assert [get_alias(sandbox, i)["active"] for i in ids] == [1, 1, 1]
    assert "3 aliases enabled." in client.get("/aliases").get_data(as_text=True)


def test_bulk_sends_one_mailcow_call_with_all_ids(app, client, sandbox, monkeypatch):
    domain = add_domain(sandbox)
    ids = [add_alias(sandbox, f"one{i}@{domain}") for i in range(3)]
    client.get("/aliases")
    with app.app_context():
        mc = mailcow()
    calls = []
    original = mc.client.write
    monkeypatch.setattr(mc.client, "write",
                        lambda verb, path, body: calls.append((verb, path, body))
                        or original(verb, path, body))
    client.post("/aliases/bulk", data={"csrf_token": csrf_token(client, "/aliases"),
                                       "action": "deactivate", "ids": ids})
    assert calls == [("edit", "alias", {"items": [str(i) for i in ids],
                                        "attr": {"active": "0"}})]


def test_bulk_delete_confirms_with_the_count(app, client, sandbox):
    domain = add_domain(sandbox)
    ids = [add_alias(sandbox, f"x{i}@{domain}") for i in range(2)]
    keep = add_alias(sandbox, f"keep@{domain}")
    token = csrf_token(client, "/aliases")
    html = client.post("/aliases/bulk", data={"csrf_token": token, "action": "delete",
                                              "ids": ids}).get_data(as_text=True)
    assert "Delete 2 aliases?" in html and f"x0@{domain}" in html and f"x1@{domain}" in html
    assert all(get_alias(sandbox, i) for i in ids)  # nothing deleted yet
    response = client.post("/aliases/bulk", data={"csrf_token": token, "action": "delete",
                                                  "ids": ids, "confirm": "1"})
    assert response.status_code == 303
    assert not any(get_alias(sandbox, i) for i in ids) and get_alias(sandbox, keep)
    assert len(audit(app, "alias.delete", f"x0@{domain}")) == 1


def test_bulk_partial_failure_lists_the_failed_items(client, sandbox):
    domain = add_domain(sandbox)
    ids = [add_alias(sandbox, f"pf{i}@{domain}") for i in range(3)]
    client.get("/aliases")  # the list is cached now
    api(sandbox, "delete", "alias", [str(ids[1])])  # gone behind MailApp's back
    response = client.post("/aliases/bulk", data={"csrf_token": csrf_token(client, "/aliases"),
                                                  "action": "deactivate", "ids": ids})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    failed = html[html.index("alias-bulk-failed"):]
    failed = failed[:failed.index("</ul>")]
    assert f"pf1@{domain}" in failed and f"pf0@{domain}" not in failed
    assert "Mailcow refused 1 alias" in html
    assert get_alias(sandbox, ids[0])["active"] == 0 and get_alias(sandbox, ids[2])["active"] == 0


def test_bulk_without_selection_says_so(client):
    response = client.post("/aliases/bulk", data={"csrf_token": csrf_token(client, "/aliases"),
                                                  "action": "delete"})
    assert response.status_code == 303
    assert "Select at least one alias" in client.get("/aliases").get_data(as_text=True)


# -- expand over alias domains ----------------------------------------------------------

def test_expand_over_alias_domains_reports_each_item(app, client, sandbox):
    domain = add_domain(sandbox)
    ad1, ad2 = f"one-{domain}", f"two-{domain}"
    for ad in (ad1, ad2):
        api(sandbox, "add", "alias-domain", {"alias_domain": ad, "target_domain": domain,
                                             "active": "1"})
    sales = add_alias(sandbox, f"sales@{domain}", "s1@remote.test,s2@remote.test")
    catch = add_alias(sandbox, f"@{domain}", "all@remote.test")
    add_alias(sandbox, f"sales@{ad2}", "already@remote.test")  # will fail: exists
    token = csrf_token(client, "/aliases")
    response = client.post("/aliases/bulk", data={"csrf_token": token, "action": "expand",
                                                  "ids": [sales, catch]})
    assert response.status_code == 303 and "/aliases/expand?" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ad1 in html and ad2 in html and f"sales@{domain}" in html
    response = client.post("/aliases/expand", data={"csrf_token": token, "ids": [sales, catch],
                                                    "alias_domains": [ad1, ad2]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    on1, on2 = aliases_of(sandbox, ad1), aliases_of(sandbox, ad2)
    assert on1[f"sales@{ad1}"]["goto"] == "s1@remote.test,s2@remote.test"
    assert on1[f"@{ad1}"]["goto"] == "all@remote.test" and f"@{ad2}" in on2
    assert on2[f"sales@{ad2}"]["goto"] == "already@remote.test"  # untouched
    assert html.count(">Created<") == 3 and html.count(">Failed<") == 1
    assert f"sales@{ad2} already exists" in html
    assert audit(app, "alias.create", f"sales@{ad1}")[0].changes["expanded_from"] == \
        f"sales@{domain}"


def test_expand_needs_a_chosen_alias_domain(client, sandbox):
    domain = add_domain(sandbox)
    alias_id = add_alias(sandbox, f"solo@{domain}")
    html = client.get(f"/aliases/expand?ids={alias_id}").get_data(as_text=True)
    assert "have no alias domains" in html
    response = client.post("/aliases/expand", data={"csrf_token": csrf_token(client, "/aliases"),
                                                    "ids": [alias_id]})
    assert response.status_code == 422


# -- export ------------------------------------------------------------------------------

def test_export_streams_what_is_filtered(client, sandbox):
    domain = add_domain(sandbox)
    add_alias(sandbox, f"ex1@{domain}", "a@remote.test,b@remote.test",
              public_comment="=cmd()", private_comment="p")
    add_alias(sandbox, f"ex2@{domain}")
    other = add_domain(sandbox)
    add_alias(sandbox, f"ex1@{other}")
    response = client.get(f"/aliases/export.csv?domain={domain}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    assert f"aliases-{domain}-" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["address"] for r in rows] == [f"ex1@{domain}", f"ex2@{domain}"]
    assert rows[0]["goto"] == "a@remote.test,b@remote.test" and rows[0]["active"] == "1"
    assert rows[0]["public_comment"] == "'=cmd()"  # no formula for spreadsheets
    searched = client.get(f"/aliases/export.csv?domain={domain}&q=ex2").get_data(as_text=True)
    assert f"ex2@{domain}" in searched and f"ex1@{domain}" not in searched
    everything = client.get("/aliases/export.csv").get_data(as_text=True)
    assert f"ex1@{domain}" in everything and f"ex1@{other}" in everything


# -- scope -------------------------------------------------------------------------------

def test_domain_admin_sees_only_their_aliases(app, sandbox, scoped):
    c, a, b = scoped
    mine = add_alias(sandbox, f"mine@{a}")
    theirs = add_alias(sandbox, f"theirs@{b}")
    api(sandbox, "add", "alias-domain", {"alias_domain": f"ad-{a}", "target_domain": a,
                                         "active": "1"})
    on_alias_domain = add_alias(sandbox, f"x@ad-{a}")
    html = c.get("/aliases").get_data(as_text=True)
    assert f"mine@{a}" in html and f"x@ad-{a}" in html and b not in html
    assert c.get(f"/aliases?domain={b}").status_code == 404
    assert b not in c.get("/aliases/export.csv").get_data(as_text=True)
    assert c.get(f"/aliases/export.csv?domain={b}").status_code == 404
    for path in (f"/aliases/{theirs}/edit", f"/aliases/{theirs}/delete",
                 f"/aliases/expand?ids={theirs}"):
        assert c.get(path).status_code == 404, path
    assert c.get(f"/aliases/{mine}/edit").status_code == 200
    assert c.get(f"/aliases/{on_alias_domain}/edit").status_code == 200
    token = csrf_token(c, "/aliases")
    for data in ({"action": "delete", "ids": [mine, theirs], "confirm": "1"},
                 {"action": "deactivate", "ids": [theirs]}):
        assert c.post("/aliases/bulk", data={"csrf_token": token, **data}).status_code == 404
    assert c.post(f"/aliases/{theirs}/active",
                  data={"csrf_token": token, "active": "0"}).status_code == 404
    assert c.post(f"/aliases/{theirs}/delete", data={"csrf_token": token}).status_code == 404
    response = c.post("/aliases/new", data=form(c, address=f"sneak@{b}", goto="x@remote.test"))
    assert response.status_code == 404
    assert get_alias(sandbox, theirs)["active"] == 1 and get_alias(sandbox, mine)
    assert f"sneak@{b}" not in aliases_of(sandbox, b)
    response = c.post("/aliases/new", data=form(c, address=f"ok@{a}", goto="x@remote.test"))
    assert response.status_code == 303 and f"ok@{a}" in aliases_of(sandbox, a)


def test_domain_admin_without_the_permission_gets_404(app, sandbox):
    a = add_domain(sandbox)
    with app.app_context():
        create_admin("noalias", "correct-horse-battery", domains=[a], permissions=["mailboxes"])
    c = app.test_client()
    sign_in(c, "noalias")
    assert c.get("/aliases").status_code == 404


def test_signed_out_is_sent_to_login(anon):
    response = anon.get("/aliases")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
