"""The BCC maps area end to end: the Flask app against the sandbox Mailcow on loopback."""
import sqlite3

import pytest

from tests.conftest import HTMX, csrf_token, form_data, new_domain, new_mailbox, signed_in_as
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api


def add_domain(sandbox):
    return new_domain(sandbox, "bcc")


def add_mailbox(sandbox, domain, local="alice"):
    return new_mailbox(sandbox, domain, local)


def add_map(sandbox, local, bcc="archive@elsewhere.test", kind="sender", active="1"):
    answer = api(sandbox, "add", "bcc", {"local_dest": local, "bcc_dest": bcc, "type": kind,
                                         "active": active})
    assert answer[0]["type"] == "success", answer
    want = local if "@" in local else f"@{local}"
    return next(m for m in api(sandbox, "get", "bcc/all")
                if m["local_dest"] == want and m["type"] == kind)


def maps_of(sandbox, domain):
    found = api(sandbox, "get", "bcc/all")
    return [m for m in found if m["domain"] == domain] if isinstance(found, list) else []


def form(client, path, **fields):
    return form_data(client, path, {"local_dest": "", "type": "sender",
                                    "bcc_dest": "archive@elsewhere.test", "active": "y"}, fields)


def test_list_shows_columns_note_search_and_paging(client, sandbox):
    domain = add_domain(sandbox)
    for i in range(3):
        add_mailbox(sandbox, domain, f"user{i}")
        add_map(sandbox, f"user{i}@{domain}", bcc=f"copy{i}@elsewhere.test")
    html = client.get("/bcc").get_data(as_text=True)
    assert "BCC maps" in html and "The local destination is not informed" not in html
    assert "if the copy cannot be delivered the local destination is not informed" in html
    for header in ("Local destination", "BCC type", "BCC destination", "Domain", "Active"):
        assert header in html
    html = client.get("/bcc?q=copy1@elsewhere", headers=HTMX).get_data(as_text=True)
    assert f"user1@{domain}" in html and f"user0@{domain}" not in html
    assert "<html" not in html
    html = client.get(f"/bcc?q={domain}&per_page=10&sort=bcc&dir=desc").get_data(as_text=True)
    assert html.index("copy2@") < html.index("copy1@") < html.index("copy0@")
    assert "Showing 1 to 3 of 3" in html


def test_add_for_a_domain_and_a_mailbox(client, sandbox, app):
    domain = add_domain(sandbox)
    mailbox = add_mailbox(sandbox, domain)
    response = client.post("/bcc/new", data=form(client, "/bcc/new", local_dest=domain.upper()))
    assert response.status_code == 303
    response = client.post("/bcc/new", data=form(client, "/bcc/new", local_dest=mailbox,
                                                 type="rcpt", bcc_dest="Audit@Elsewhere.test",
                                                 active=None), headers=HTMX)
    assert response.status_code == 204 and "HX-Location" in response.headers
    got = sorted((m["local_dest"], m["type"], m["bcc_dest"], m["active"])
                 for m in maps_of(sandbox, domain))
    assert got == [(f"@{domain}", "sender", "archive@elsewhere.test", 1),
                   (mailbox, "rcpt", "audit@elsewhere.test", 0)]
    assert event(app, "bcc.create").outcome == "ok"


@pytest.mark.parametrize("fields, field, message", [
    ({"local_dest": ""}, "local_dest", "This field is required."),
    ({"local_dest": "not a domain"}, "local_dest", "Enter a domain"),
    ({"bcc_dest": "a@b.test, c@d.test"}, "bcc_dest", "Enter one e-mail address"),
    ({"bcc_dest": "nobody"}, "bcc_dest", "Enter one e-mail address"),
    ({"type": "both"}, "type", "Not a valid choice"),
])
def test_add_form_errors_sit_beside_fields(client, sandbox, fields, field, message):
    domain = add_domain(sandbox)
    data = form(client, "/bcc/new", local_dest=domain)
    data.update(fields)
    response = client.post("/bcc/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert "Nothing was saved" in html
    assert maps_of(sandbox, domain) == []


def test_unknown_destination_is_refused_beside_the_field(client, sandbox):
    domain = add_domain(sandbox)
    response = client.post("/bcc/new", data=form(client, "/bcc/new",
                                                 local_dest=f"ghost@{domain}"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="local_dest-error"' in html and "mailbox or alias" in html
    assert maps_of(sandbox, domain) == []


def test_mailcow_refusal_shows_as_banner(client, sandbox, app):
    domain = add_domain(sandbox)
    add_map(sandbox, domain)
    response = client.post("/bcc/new", data=form(client, "/bcc/new", local_dest=domain))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mailcow refused the change." in html
    assert f"A BCC map for @{domain} of type “sender” already exists" in html
    assert len(maps_of(sandbox, domain)) == 1
    assert event(app, "bcc.create").outcome == "failed"


def test_timeout_shows_a_banner_and_changes_nothing(client, sandbox, faults):
    domain = add_domain(sandbox)
    data = form(client, "/bcc/new", local_dest=domain)
    faults.inject_fault("delay", path_prefix="/api/v1/add/bcc", seconds=3, count=1)
    response = client.post("/bcc/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 502
    assert "Mailcow is not answering" in html and "Traceback" not in html
    faults.inject_fault("http500", path_prefix="/api/v1/get/bcc", count=1)
    response = client.get("/bcc")
    assert response.status_code == 502 and "Mailcow" in response.get_data(as_text=True)


def test_edit_prefills_and_saves(client, sandbox, app):
    domain = add_domain(sandbox)
    m = add_map(sandbox, domain)
    html = client.get(f"/bcc/{m['id']}/edit").get_data(as_text=True)
    assert 'value="archive@elsewhere.test"' in html and domain in html
    data = {"csrf_token": csrf_token(client, f"/bcc/{m['id']}/edit"), "type": "rcpt",
            "bcc_dest": "new@elsewhere.test"}
    response = client.post(f"/bcc/{m['id']}/edit", data=data)
    assert response.status_code == 303
    (now,) = maps_of(sandbox, domain)
    assert (now["type"], now["bcc_dest"], now["active"]) == ("rcpt", "new@elsewhere.test", 0)
    assert event(app, "bcc.update").changes["bcc_dest"] == ["archive@elsewhere.test",
                                                            "new@elsewhere.test"]


def test_edit_error_changes_nothing_and_edit_refusal_is_a_banner(client, sandbox):
    domain = add_domain(sandbox)
    m = add_map(sandbox, domain)
    add_map(sandbox, domain, kind="rcpt")
    token = csrf_token(client, f"/bcc/{m['id']}/edit")
    response = client.post(f"/bcc/{m['id']}/edit", data={"csrf_token": token, "type": "sender",
                                                         "bcc_dest": "x"})
    assert response.status_code == 422 and 'id="bcc_dest-error"' in response.get_data(True)
    response = client.post(f"/bcc/{m['id']}/edit", data={"csrf_token": token, "type": "rcpt",
                                                         "bcc_dest": "y@elsewhere.test",
                                                         "active": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Mailcow refused the change." in html
    assert "already exists" in html
    assert sorted(x["bcc_dest"] for x in maps_of(sandbox, domain)) == [
        "archive@elsewhere.test", "archive@elsewhere.test"]


def test_unknown_map_is_404(client):
    assert client.get("/bcc/999999/edit").status_code == 404
    assert client.get("/bcc/999999/delete").status_code == 404


def test_delete_asks_first_then_deletes(client, sandbox, app):
    domain = add_domain(sandbox)
    m = add_map(sandbox, domain)
    html = client.get(f"/bcc/{m['id']}/delete").get_data(as_text=True)
    assert "Delete the BCC map for" in html and "archive@elsewhere.test stops receiving" in html
    assert len(maps_of(sandbox, domain)) == 1
    token = csrf_token(client, f"/bcc/{m['id']}/delete")
    assert client.post(f"/bcc/{m['id']}/delete", data={"csrf_token": token}).status_code == 303
    assert maps_of(sandbox, domain) == []
    assert event(app, "bcc.delete").outcome == "ok"


def test_bulk_confirms_with_the_count_then_acts(client, sandbox):
    domain = add_domain(sandbox)
    ids = [add_map(sandbox, domain, kind=k)["id"] for k in ("sender", "rcpt")]
    token = csrf_token(client, "/bcc")
    for action, title in (("deactivate", "Deactivate 2 BCC maps?"),
                          ("activate", "Activate 2 BCC maps?"),
                          ("delete", "Delete 2 BCC maps?")):
        response = client.post("/bcc/bulk", data={"csrf_token": token, "action": action,
                                                  "ids": ids})
        assert response.status_code == 200 and title in response.get_data(as_text=True)
    assert [m["active"] for m in maps_of(sandbox, domain)] == [1, 1]
    response = client.post("/bcc/bulk", data={"csrf_token": token, "action": "deactivate",
                                              "ids": ids, "confirm": "1"})
    assert response.status_code == 303
    assert [m["active"] for m in maps_of(sandbox, domain)] == [0, 0]
    response = client.post("/bcc/bulk", data={"csrf_token": token, "action": "delete",
                                              "ids": ids, "confirm": "1"})
    assert response.status_code == 303 and maps_of(sandbox, domain) == []


def test_bulk_partial_failure_lists_the_failed(client, sandbox, app):
    domain = add_domain(sandbox)
    good = add_map(sandbox, domain)
    legacy = add_map(sandbox, domain, kind="rcpt")
    # Older Mailcow releases stored several BCC addresses in one map; Mailcow now refuses
    # to edit such a map until it holds a single address.
    with sqlite3.connect(sandbox.db_path) as conn:
        conn.execute("UPDATE bcc_maps SET bcc_dest = 'a@x.test,b@x.test' WHERE id = ?",
                     (legacy["id"],))
    token = csrf_token(client, "/bcc")
    response = client.post("/bcc/bulk", data={"csrf_token": token, "action": "deactivate",
                                              "ids": [good["id"], legacy["id"]], "confirm": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not every entry was changed" in html
    failed = html[html.index("Failed"):]
    assert f"{domain} → a@x.test,b@x.test" in failed
    assert "is not a single valid e-mail address" in html
    done = html[html.index(">Done<"):html.index("Failed")]
    assert f"{domain} → archive@elsewhere.test" in done
    states = {m["id"]: m["active"] for m in maps_of(sandbox, domain)}
    assert states == {good["id"]: 0, legacy["id"]: 1}
    assert event(app, "bcc.update").outcome == "failed"


def test_bulk_without_selection_warns(client):
    token = csrf_token(client, "/bcc")
    response = client.post("/bcc/bulk", data={"csrf_token": token, "action": "delete"},
                           follow_redirects=True)
    assert "Select at least one BCC map" in response.get_data(as_text=True)


# -- scope -----------------------------------------------------------------------------

@pytest.fixture
def scoped(app, sandbox, admin):
    a, b = add_domain(sandbox), add_domain(sandbox)
    mine, theirs = add_map(sandbox, a), add_map(sandbox, b)
    return signed_in_as(app, "da-bcc", [a], ["bcc_maps"]), a, b, mine, theirs


def test_domain_admin_sees_only_their_maps(scoped):
    c, a, b, mine, theirs = scoped
    html = c.get("/bcc").get_data(as_text=True)
    assert a in html and b not in html
    html = c.get(f"/bcc?q={b}").get_data(as_text=True)
    assert f"<code>{b}</code>" not in html and "No BCC map matches" in html


def test_domain_admin_gets_404_on_b_and_b_is_unchanged(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    token = csrf_token(c, "/bcc")
    assert c.get(f"/bcc/{theirs['id']}/edit").status_code == 404
    assert c.get(f"/bcc/{theirs['id']}/delete").status_code == 404
    assert c.post(f"/bcc/{theirs['id']}/edit", data={"csrf_token": token, "type": "rcpt",
                                                     "bcc_dest": "x@y.test"}).status_code == 404
    assert c.post(f"/bcc/{theirs['id']}/delete", data={"csrf_token": token}).status_code == 404
    for action in ("deactivate", "delete"):
        response = c.post("/bcc/bulk", data={"csrf_token": token, "action": action,
                                             "ids": [mine["id"], theirs["id"]], "confirm": "1"})
        assert response.status_code == 404
    response = c.post("/bcc/new", data={"csrf_token": token, "local_dest": b, "type": "rcpt",
                                        "bcc_dest": "spy@elsewhere.test", "active": "y"})
    assert response.status_code == 404
    assert maps_of(sandbox, b) == [theirs]
    assert maps_of(sandbox, a) == [mine]


def test_domain_admin_works_in_their_domain(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    mailbox = add_mailbox(sandbox, a)
    response = c.post("/bcc/new", data=form(c, "/bcc/new", local_dest=mailbox, type="rcpt"))
    assert response.status_code == 303
    assert any(m["local_dest"] == mailbox for m in maps_of(sandbox, a))


def test_domain_admin_without_the_permission_is_refused(app, sandbox, admin):
    c = signed_in_as(app, "da-nobcc", [add_domain(sandbox)], ["aliases"])
    assert c.get("/bcc").status_code == 404
    assert c.get("/bcc/new").status_code == 404
