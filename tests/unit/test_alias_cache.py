"""The alias list cache and the alias service's searching, paging and export, without HTTP."""
import csv
import io
import time
from types import SimpleNamespace

from panel.mailcow.aliases import Alias
from panel.mailcow.alias_domains import AliasDomain
from panel.mailcow.paging import PageRequest
from panel.services import aliases as service
from panel.services.aliases import AliasCache, export_rows

GLOBAL = SimpleNamespace(is_global=True)


def alias(i, domain="example.test", **kw):
    return Alias(id=i, address=f"a{i:05d}@{domain}", domain=domain,
                 goto=(f"user{i % 7}@dest.test",), active=i % 3 != 0, **kw)


class FakeAliases:
    def __init__(self, items):
        self.items = items
        self.calls = []

    def all(self):
        self.calls.append("all")
        return list(self.items)

    def in_domains(self, domains):
        self.calls.append(tuple(domains))
        return [a for a in self.items if a.domain in domains]


class FakeMailcow:
    def __init__(self, items, alias_domains=()):
        self.aliases = FakeAliases(items)
        self.alias_domains = SimpleNamespace(all=lambda: list(alias_domains))


def test_cache_keeps_entries_for_the_ttl_and_forgets_on_invalidate():
    cache = AliasCache(ttl=0.2)
    answers = iter([[alias(1)], [alias(2)], [alias(3)]])
    assert cache.get(None, lambda: next(answers)).aliases[0].id == 1
    assert cache.get(None, lambda: next(answers)).aliases[0].id == 1
    cache.invalidate()
    assert cache.get(None, lambda: next(answers)).aliases[0].id == 2
    time.sleep(0.25)
    assert cache.get(None, lambda: next(answers)).aliases[0].id == 3
    assert cache.fetches == 3


def test_whole_list_fetched_once_then_searched_and_paged_locally():
    mc = FakeMailcow([alias(i) for i in range(100)])
    first = service.list_aliases(mc, GLOBAL, PageRequest(per_page=10))
    again = service.list_aliases(mc, GLOBAL, PageRequest(page=3, per_page=10, search="a0004"))
    assert first.total == 100 and [a.id for a in first.items][:2] == [0, 1]
    assert again.total == 10 and again.items == []  # 40..49 fit on one page
    assert mc.aliases.calls == ["all"]
    # A domain filter while the whole list is fresh needs no further call either.
    service.list_aliases(mc, GLOBAL, PageRequest(), "example.test")
    assert mc.aliases.calls == ["all"]
    service.invalidate(mc)
    service.list_aliases(mc, GLOBAL, PageRequest(), "example.test")
    assert mc.aliases.calls == ["all", ("example.test",)]


def test_domain_admin_fetches_only_their_domains_and_alias_domains():
    items = [alias(1, "mine.test"), alias(2, "theirs.test"),
             alias(3, "alias-mine.test", in_primary_domain="mine.test")]
    mc = FakeMailcow(items, [AliasDomain("alias-mine.test", "mine.test", True),
                             AliasDomain("alias-theirs.test", "theirs.test", True)])
    user = SimpleNamespace(is_global=False, domains=["mine.test"])
    page = service.list_aliases(mc, user, PageRequest())
    assert {a.id for a in page.items} == {1, 3}
    assert mc.aliases.calls == [("alias-mine.test", "mine.test")]
    assert service.visible_by_id(mc, user, [1, 3]) is not None
    assert service.visible_by_id(mc, user, [1, 2]) is None


def test_fifty_thousand_aliases_search_and_page_quickly():
    mc = FakeMailcow([alias(i, f"d{i % 200}.test") for i in range(50_000)])
    service.list_aliases(mc, GLOBAL, PageRequest())  # fills the cache, sorts once
    start = time.perf_counter()
    for n in range(10):
        page = service.list_aliases(mc, GLOBAL, PageRequest(page=n + 1, search=f"user{n % 7}"))
    elapsed = (time.perf_counter() - start) / 10
    assert page.total > 7000 and mc.aliases.calls == ["all"]
    assert elapsed < 0.5, f"{elapsed:.3f}s per request"


def test_export_rows_streams_csv_and_defuses_formulas():
    items = [Alias(id=1, address="@example.test", domain="example.test",
                   goto=("a@x.test", "b@x.test"), active=True, public_comment="=HYPERLINK()",
                   private_comment="+1", internal=True)]
    items += [alias(i) for i in range(2, 1200)]
    chunks = list(export_rows(items))
    assert len(chunks) == 3  # a chunk per 500 rows
    rows = list(csv.DictReader(io.StringIO("".join(chunks))))
    assert len(rows) == 1199
    first = rows[0]
    assert first["address"] == "@example.test" and first["goto"] == "a@x.test,b@x.test"
    assert first["public_comment"] == "'=HYPERLINK()" and first["private_comment"] == "'+1"
    assert first["internal"] == "1" and first["active"] == "1"


def test_expansion_keeps_local_part_and_catch_all():
    assert service.expansion(alias(5), "alias.test") == "a00005@alias.test"
    catch = Alias(id=9, address="@example.test", domain="example.test", goto=("x@y.test",),
                  active=True, is_catch_all=True)
    assert service.expansion(catch, "alias.test") == "@alias.test"
