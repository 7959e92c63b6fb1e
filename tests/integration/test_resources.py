"""The Resources area end to end: the Flask app against the sandbox Mailcow on loopback."""
import pytest

from tests.conftest import HTMX, csrf_token, field_error, form_data, new_domain, signed_in_as
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api


def add_domain(sandbox, name=None):
    return new_domain(sandbox, "res", name)


def add_resource(sandbox, domain, description="Room 1", kind="location", bookings="0",
                 active="1"):
    answer = api(sandbox, "add", "resource", {"description": description, "kind": kind,
                                              "domain": domain, "multiple_bookings": bookings,
                                              "active": active})
    assert answer[0]["type"] == "success", answer
    return answer[0]["msg"][1]


def resource(sandbox, name):
    return api(sandbox, "get", f"resource/{name}")


def resources_of(sandbox, domain):
    found = api(sandbox, "get", "resource/all")
    return sorted(r["name"] for r in found if r["domain"] == domain) if isinstance(found, list) \
        else []


def form(client, path, **fields):
    return form_data(client, path, {"description": "Room 1", "kind": "location",
                                    "booking_mode": "free", "booking_limit": "", "active": "y"},
                     fields)


# -- list ------------------------------------------------------------------------------

def test_list_shows_columns_and_booking_note(client, sandbox):
    domain = add_domain(sandbox)
    add_resource(sandbox, domain, "Board Room", "location", "0")
    add_resource(sandbox, domain, "Projector", "thing", "-1", active="0")
    add_resource(sandbox, domain, "Team Car", "thing", "3")
    html = client.get(f"/resources?domain={domain}").get_data(as_text=True)
    for header in ("Description", "Alias", "Kind", "Domain", "Multiple bookings", "Active",
                   "Action"):
        assert f">{header}" in html
    row = html[html.index(f'id="resource-boardroom-at-{domain.replace(".", "-")}"'):]
    row = row[:row.index("</tr>")]
    assert "Board Room" in row and f"BoardRoom@{domain}" in row and "Location (room)" in row
    assert "Always free" in row and "Active" in row
    assert "Soft limit" in html and "Hard limit: 3" in html and "Inactive" in html
    # The note explains the three modes.
    assert "always show as free" in html and "show as busy when booked" in html
    assert "limit to a custom number" in html


def test_search_domain_filter_sort_and_paging(client, sandbox):
    one, two = add_domain(sandbox), add_domain(sandbox)
    for n in range(12):
        add_resource(sandbox, one, f"Desk {n:02d}", "thing")
    add_resource(sandbox, two, "Desk 99", "thing")
    html = client.get(f"/resources?domain={one}&per_page=10").get_data(as_text=True)
    assert "Showing 1 to 10 of 12" in html and "Desk 00" in html and "Desk 11" not in html
    html = client.get(f"/resources?domain={one}&per_page=10&page=2").get_data(as_text=True)
    assert "Showing 11 to 12 of 12" in html and "Desk 11" in html
    # Paging links keep the domain filter.
    assert f"domain={one}" in html
    html = client.get(f"/resources?domain={one}&sort=description&dir=desc",
                      headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and html.index("Desk 11") < html.index("Desk 00")
    html = client.get("/resources?q=desk 99").get_data(as_text=True)
    assert f"Desk99@{two}" in html and f"Desk00@{one}" not in html
    html = client.get(f"/resources?domain={two}&q=desk 0").get_data(as_text=True)
    assert "No resource matches" in html


# -- add -------------------------------------------------------------------------------

def test_add_with_each_booking_mode(client, sandbox, app):
    domain = add_domain(sandbox)
    cases = [("Room A", "location", "free", "", 0), ("Team B", "group", "soft", "", -1),
             ("Van C", "thing", "hard", "4", 4)]
    for description, kind, mode, limit, number in cases:
        data = form(client, "/resources/new", domain=domain, description=description,
                    kind=kind, booking_mode=mode, booking_limit=limit)
        response = client.post("/resources/new", data=data)
        assert response.status_code == 303, response.get_data(as_text=True)
        name = description.replace(" ", "") + "@" + domain
        got = resource(sandbox, name)
        assert (got["kind"], got["multiple_bookings"], got["description"], got["active"]) == \
            (kind, number, description, 1)
    audit = event(app, "resource.create", f"VanC@{domain}")
    assert audit.outcome == "ok" and audit.domain == domain and audit.actor == "root"
    assert audit.changes["booking_limit"] == 4


def test_add_over_htmx_answers_a_client_redirect_with_toast(client, sandbox):
    domain = add_domain(sandbox)
    data = form(client, "/resources/new", domain=domain, active=None)
    response = client.post("/resources/new", data=data, headers=HTMX)
    assert response.status_code == 204
    assert "/resources?q=Room1" in response.headers["HX-Location"]
    assert "Room1@" + domain in response.headers["HX-Trigger"]
    assert resource(sandbox, f"Room1@{domain}")["active"] == 0


@pytest.mark.parametrize("fields, field, message", [
    ({"description": ""}, "description", "This field is required."),
    ({"description": "—!?"}, "description", "Use at least one letter"),
    ({"description": "0"}, "description", "is not accepted"),
    ({"kind": "room"}, "kind", "Not a valid choice"),
    ({"booking_mode": "hard", "booking_limit": ""}, "booking_limit", "how many bookings"),
    ({"booking_mode": "hard", "booking_limit": "0"}, "booking_limit", "between 1 and 1000"),
    ({"booking_mode": "hard", "booking_limit": "x"}, "booking_limit", "Not a valid integer"),
    ({"booking_mode": "sometimes"}, "booking_mode", "Not a valid choice"),
    ({"domain": ""}, "domain", "Not a valid choice"),
])
def test_add_form_errors_sit_beside_fields(client, sandbox, fields, field, message):
    domain = add_domain(sandbox)
    data = form(client, "/resources/new", **{"domain": domain, **fields})
    response = client.post("/resources/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(html, field)
    assert "Nothing was saved" in html
    assert resources_of(sandbox, domain) == []


def test_unknown_domain_is_not_offered(client, sandbox):
    response = client.post("/resources/new", data=form(client, "/resources/new",
                                                       domain="nowhere-at-all.test"))
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_mailcow_refusal_shows_as_banner(client, sandbox, app):
    domain = add_domain(sandbox)
    add_resource(sandbox, domain, "Room 1")
    api(sandbox, "add", "mailbox", {"local_part": "hall", "domain": domain, "quota": "10",
                                    "password": "S3cret-Pass1", "password2": "S3cret-Pass1"})
    for description, text in (("Room-1", f"Room1@{domain} already exists"),
                              ("Hall", f"Hall@{domain} already exists")):
        response = client.post("/resources/new", data=form(client, "/resources/new",
                                                           domain=domain,
                                                           description=description))
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Mailcow refused the change." in html and text in html
    assert resources_of(sandbox, domain) == [f"Room1@{domain}"]
    assert event(app, "resource.create", f"Hall@{domain}").outcome == "failed"


# -- edit and delete -------------------------------------------------------------------

def test_edit_prefills_and_saves(client, sandbox, app):
    domain = add_domain(sandbox)
    name = add_resource(sandbox, domain, "Room 1", "location", "5")
    html = client.get(f"/resources/{name}/edit").get_data(as_text=True)
    assert 'value="Room 1"' in html and 'value="5"' in html
    assert '<option selected value="hard">' in html or 'value="hard" selected' in html
    data = form(client, f"/resources/{name}/edit", description="Big Hall", kind="group",
                booking_mode="soft", booking_limit="5", active=None)
    response = client.post(f"/resources/{name}/edit", data=data, headers=HTMX)
    assert response.status_code == 204 and "saved" in response.headers["HX-Trigger"]
    got = resource(sandbox, name)
    assert (got["description"], got["kind"], got["multiple_bookings"], got["active"]) == \
        ("Big Hall", "group", -1, 0)
    audit = event(app, "resource.update", name)
    assert audit.changes["description"] == ["Room 1", "Big Hall"]
    assert audit.changes["booking_mode"] == ["hard", "soft"]


def test_edit_form_error_changes_nothing(client, sandbox):
    domain = add_domain(sandbox)
    name = add_resource(sandbox, domain, "Room 1")
    data = form(client, f"/resources/{name}/edit", description="", booking_mode="hard")
    response = client.post(f"/resources/{name}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="description-error"' in html and 'id="booking_limit-error"' in html
    assert resource(sandbox, name)["description"] == "Room 1"


def test_unknown_resource_is_404(client, sandbox):
    domain = add_domain(sandbox)
    assert client.get(f"/resources/Nobody@{domain}/edit").status_code == 404
    assert client.get(f"/resources/Nobody@{domain}/delete").status_code == 404


def test_delete_asks_first_then_deletes(client, sandbox, app):
    domain = add_domain(sandbox)
    name = add_resource(sandbox, domain, "Room 1")
    html = client.get(f"/resources/{name}/delete").get_data(as_text=True)
    assert f"Delete resource {name}?" in html and "every booking it holds" in html
    assert resource(sandbox, name)
    response = client.post(f"/resources/{name}/delete",
                           data={"csrf_token": csrf_token(client, f"/resources/{name}/delete")})
    assert response.status_code == 303
    assert resources_of(sandbox, domain) == []
    assert event(app, "resource.delete", name).outcome == "ok"


# -- bulk ------------------------------------------------------------------------------

def test_bulk_activate_deactivate_delete_one_call_each(client, sandbox, app, count_writes):
    domain = add_domain(sandbox)
    names = [add_resource(sandbox, domain, f"Room {n}") for n in range(3)]
    token = csrf_token(client, "/resources")
    back = f"/resources?domain={domain}"
    response = client.post("/resources/bulk", data={"csrf_token": token, "action": "deactivate",
                                                    "names": names, "back": back})
    assert response.status_code == 303 and response.headers["Location"].endswith(back)
    assert [resource(sandbox, n)["active"] for n in names] == [0, 0, 0]
    response = client.post("/resources/bulk", data={"csrf_token": token, "action": "activate",
                                                    "names": names[:2]}, headers=HTMX)
    assert response.status_code == 204 and "2 resources activated" in response.headers[
        "HX-Trigger"]
    assert [resource(sandbox, n)["active"] for n in names] == [1, 1, 0]
    # Delete asks first and lists what goes.
    html = client.post("/resources/bulk", data={"csrf_token": token, "action": "delete",
                                                "names": names}).get_data(as_text=True)
    assert "Delete 3 resources?" in html and all(n in html for n in names)
    assert len(resources_of(sandbox, domain)) == 3
    response = client.post("/resources/bulk", data={"csrf_token": token, "action": "delete",
                                                    "names": names, "confirm": "1"})
    assert response.status_code == 303
    assert resources_of(sandbox, domain) == []
    assert [(verb, path) for verb, path, _ in count_writes] == [
        ("edit", "resource"), ("edit", "resource"), ("delete", "resource")]
    assert event(app, "resource.delete", names[0]).detail == "bulk delete of 3"


def test_bulk_without_selection_warns(client, sandbox):
    token = csrf_token(client, "/resources")
    response = client.post("/resources/bulk", data={"csrf_token": token, "action": "delete"})
    assert response.status_code == 303
    assert "Select at least one resource" in client.get("/resources").get_data(as_text=True)


# -- scope -----------------------------------------------------------------------------

@pytest.fixture
def scoped(app, sandbox, admin):
    """A domain administrator of A, and B's resource they must never reach."""
    a, b = add_domain(sandbox), add_domain(sandbox)
    mine, theirs = add_resource(sandbox, a, "Room A"), add_resource(sandbox, b, "Room B")
    return signed_in_as(app, "da-res", [a], ["resources"]), a, b, mine, theirs


def test_domain_admin_sees_only_their_resources(scoped):
    c, a, b, mine, theirs = scoped
    html = c.get("/resources").get_data(as_text=True)
    assert mine in html and theirs not in html and b not in html
    html = c.get(f"/resources?q={theirs}").get_data(as_text=True)
    assert f"<code>{theirs}</code>" not in html and "No resource matches" in html
    assert c.get(f"/resources?domain={b}").status_code == 404
    html = c.get("/resources/new").get_data(as_text=True)
    assert f'value="{a}"' in html and b not in html


def test_domain_admin_gets_404_on_b_and_b_is_unchanged(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    before = resource(sandbox, theirs)
    token = csrf_token(c, "/resources")
    assert c.get(f"/resources/{theirs}/edit").status_code == 404
    assert c.get(f"/resources/{theirs}/delete").status_code == 404
    assert c.post(f"/resources/{theirs}/edit", data={"csrf_token": token, "description": "X",
                                                      "kind": "thing",
                                                      "booking_mode": "free"}).status_code == 404
    assert c.post(f"/resources/{theirs}/delete", data={"csrf_token": token}).status_code == 404
    # A name pretending to be in A but not existing there is simply not found.
    assert c.get(f"/resources/Room{b}@{a}/edit").status_code == 404
    for action in ("deactivate", "delete"):
        response = c.post("/resources/bulk", data={"csrf_token": token, "action": action,
                                                   "names": [mine, theirs], "confirm": "1"})
        assert response.status_code == 404
    response = c.post("/resources/new", data={"csrf_token": token, "domain": b,
                                              "description": "Sneaky", "kind": "thing",
                                              "booking_mode": "free"})
    assert response.status_code == 404
    assert resource(sandbox, theirs) == before
    assert resources_of(sandbox, b) == [theirs]
    assert resource(sandbox, mine)["active"] == 1


def test_domain_admin_works_in_their_domain(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    response = c.post("/resources/new", data=form(c, "/resources/new", domain=a,
                                                  description="Desk 7", kind="thing"))
    assert response.status_code == 303
    assert f"Desk7@{a}" in resources_of(sandbox, a)
    token = csrf_token(c, "/resources")
    response = c.post("/resources/bulk", data={"csrf_token": token, "action": "deactivate",
                                               "names": [mine]})
    assert response.status_code == 303 and resource(sandbox, mine)["active"] == 0


def test_domain_admin_without_the_permission_is_refused(app, sandbox, admin):
    c = signed_in_as(app, "da-nores", [add_domain(sandbox)], ["aliases"])
    assert c.get("/resources").status_code == 404
    assert c.get("/resources/new").status_code == 404
