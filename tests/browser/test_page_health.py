"""No console errors and no Content-Security-Policy violations on any screen, light or dark.

Every browser test already fails on a console error (see the `new_page` fixture); this one
walks every area in the navigation and the domain pages, and proves the watch works.
"""
from __future__ import annotations


import pytest

from .conftest import DESKTOP

pytestmark = pytest.mark.browser


def _domain_pages(page) -> list[str]:
    page.goto("/domains")
    href = page.locator("#domain-table tbody tr td:first-child a").first.get_attribute("href")
    return ["/domains/new", href, f"{href}/edit", f"{href}/delete"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_screen_is_clean(new_page, console, scheme):
    page = new_page(viewport=DESKTOP, color_scheme=scheme)
    response = page.goto("/domains")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp

    areas = page.locator(".sidebar nav a").evaluate_all("links => links.map(a => a.href)")
    assert any(a.endswith("/domains") for a in areas)
    for url in areas + _domain_pages(page):
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("load")
        assert page.locator("h1").count() >= 1, url

    # The theme switch and a copy button run their script without complaint.
    page.goto(_domain_pages(page)[1])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("button[data-copy]").first.click()
    page.locator(".toast").first.wait_for()
    page.locator("[data-theme-toggle]").click()
    assert page.evaluate("document.documentElement.dataset.theme") in ("light", "dark")
    assert console.errors == []


def test_the_watch_catches_inline_style_and_script(new_page, console):
    """A canary: inline style and script really are refused, and the refusal is caught."""
    page = new_page()
    page.goto("/domains")
    page.evaluate("""() => {
        const p = document.createElement('p');
        p.setAttribute('style', 'color: red');
        document.body.append(p);
        const s = document.createElement('script');
        s.textContent = 'window.__inlineRan = true';
        document.body.append(s);
    }""")
    page.wait_for_timeout(100)
    assert page.evaluate("window.__inlineRan === undefined")
    caught = [e for e in console.errors if "Content Security Policy" in e or "CSP violation" in e]
    assert any("style-src" in e for e in caught), console.errors
    assert any("script-src" in e for e in caught), console.errors
    console.errors.clear()  # expected here; any other test would fail on them
