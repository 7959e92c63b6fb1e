"""The sidebar: areas grouped in sections, each user seeing only what they may open."""
import re

from tests.conftest import new_domain, signed_in_as

SECTION = re.compile(r'<p class="nav-section"[^>]*>([^<]+)</p>')
LINK = re.compile(r'<a href="[^"]+"[^>]*>([^<]+)</a>')


def _sidebar(client) -> dict[str, list[str]]:
    html = client.get("/").get_data(as_text=True)
    aside = html[html.index('class="sidebar"'):html.index("</aside>")]
    parts = SECTION.split(aside)[1:]
    return {title: LINK.findall(body) for title, body in zip(parts[::2], parts[1::2])}


def test_global_administrator_sees_every_section_in_order(client):
    sections = _sidebar(client)
    assert list(sections) == ["Overview", "Mail setup", "Mail flow", "Operations",
                              "Access and settings"]
    assert sections["Overview"] == ["Home"]
    assert sections["Mail setup"][:3] == ["Domains", "Mailboxes", "Aliases"]
    assert "Queue" in sections["Operations"] and "DKIM" in sections["Mail flow"]
    assert "Administrators" in sections["Access and settings"]


def test_a_section_with_nothing_the_user_may_open_is_left_out(app, sandbox, admin):
    domain = new_domain(sandbox, "nav")
    sections = _sidebar(signed_in_as(app, "navscoped", domains=[domain],
                                     permissions=["mailboxes"]))
    assert "Mail flow" not in sections  # no permission reaches any of its areas
    assert sections["Access and settings"] == ["Audit log"]  # their own domain's events
    assert sections["Operations"] == ["DNS"]
    assert sections["Mail setup"][:2] == ["Domains", "Mailboxes"]
    assert "Aliases" not in sections["Mail setup"]


def test_the_phone_menu_and_the_sidebar_use_their_own_ids(client):
    html = client.get("/").get_data(as_text=True)
    ids = re.findall(r'id="(nav-[^"]+)"', html)
    assert ids and len(ids) == len(set(ids))
