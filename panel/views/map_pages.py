"""The handlers the list-of-entries pages share (BCC maps, recipient maps, TLS policy maps,
forwarding hosts; filters, sync jobs, resources and DKIM keys for some): the list page, the
safe way back to it, a change with Mailcow's refusal kept for the page, the delete page,
and the bulk action (`run_bulk`), with the maps' confirmation
(templates/maps/bulk_confirm.html) and result page (maps/bulk_result.html) in
`bulk_action`.

The areas pass their own user-facing sentences in, already translated (or as functions of
the count for plural forms), so every string stays a literal `_()` / `ngettext()` call in
the area's module where the catalog extractor finds it.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused
from panel.mailcow.paging import PageRequest
from panel.services.fetched_lists import BulkResult
from panel.views import listing

T = TypeVar("T")


def back_url(bp: Blueprint) -> str:
    """Where a form's "back" field says to return, if it points into this area's pages
    (never to another site); otherwise the area's list."""
    target = request.form.get("back", "")
    return target if target.startswith(bp.url_prefix) and "//" not in target \
        else url_for(f"{bp.name}.index")


def list_page(folder: str, page: Any, req: PageRequest, *,
              state_args: Callable[..., dict] = listing.state_args, **context: Any) -> str:
    """The list (templates/<folder>/index.html), or only its table for an htmx swap."""
    template = f"{folder}/_table.html" if is_htmx() else f"{folder}/index.html"
    return render_template(template, page=page, req=req, state_args=state_args,
                           back=request.full_path.rstrip("?"), **context)


def attempt(change: Callable[[], object], done_url: str, done: str, *, beside: Any = None,
            beside_keys: Collection[str] = ()) -> tuple[Any, str | None]:
    """Make a change. Done: (the after-change response, None). Refused: (None, Mailcow's
    message for the page's banner); a refusal with one of `beside_keys` goes beside the
    form field `beside` instead, with no banner (None, None)."""
    try:
        change()
    except MailcowRefused as exc:
        if beside is not None and any(k in exc.keys for k in beside_keys):
            beside.errors = [*beside.errors, exc.message]
            return None, None
        return None, exc.message
    return after_change(done_url, done), None


def found_or_404(item: T | None) -> T:
    """The entry a lookup found; 404 when there is none."""
    if item is None:
        abort(404)
    return item


def form_page(template: str, form: Any, error: str | None, item: Any, *,
              item_name: str = "item", **context: Any):
    """The add or edit form page, showing the item (None when adding) as `item_name`:
    422 after a POST that did not go through."""
    return render_template(template, form=form, error=error, **{item_name: item}, **context), \
        422 if request.method == "POST" else 200


def delete_page(bp: Blueprint, template: str, item: Any, remove: Callable[[], object],
                done: str, *, item_name: str = "item", **context: Any):
    """GET: the confirmation page, showing the item as `item_name`. POST: remove the item,
    then back to the list with the `done` message; a Mailcow refusal is shown on the page
    (422)."""
    error = None
    if request.method == "POST":
        response, error = attempt(remove, url_for(f"{bp.name}.index"), done)
        if response is not None:
            return response
    return render_template(template, error=error, **{item_name: item}, **context), \
        422 if error else 200


def run_bulk(bp: Blueprint, *, keys: Callable[[list[str]], list], field: str,
             actions: Collection[str], nothing_chosen: str,
             entries: Callable[[], Iterable[T]], key_of: Callable[[T], Any],
             confirm: Callable[[str, list[T], str], Any],
             run: Callable[[str, list[T]], BulkResult[T]],
             failed: Callable[[str, BulkResult[T], str], str],
             done: Callable[[int], Mapping[str, str]]):
    """One bulk action on the entries the form's `field` values name.

    `keys` turns the submitted values into the chosen entries' keys, in order (ValueError:
    404). No key or an unknown action: back with `nothing_chosen` as a warning. A key
    `entries()` does not hold: 404. Without confirm=1, `confirm(action, chosen, back)` may
    answer a confirmation page (None: no confirmation needed). Then `run(action, chosen)`:
    any failure answers `failed(action, result, back)` (422), else back to the list with
    `done(n)[action]` as the toast.
    """
    action = request.form.get("action", "")
    try:
        chosen_keys = keys(request.form.getlist(field))
    except ValueError:
        abort(404)
    back = back_url(bp)
    if not chosen_keys or action not in actions:
        flash(nothing_chosen, "warning")
        return redirect(back, code=303)
    known = {key_of(e): e for e in entries()}
    if any(k not in known for k in chosen_keys):
        abort(404)
    chosen = [known[k] for k in chosen_keys]
    if request.form.get("confirm") != "1":
        page = confirm(action, chosen, back)
        if page is not None:
            return page
    result = run(action, chosen)
    if result.failed:
        return failed(action, result, back), 422
    return after_change(back, done(len(result.done))[action])


def bulk_action(bp: Blueprint, *, field: str, key: Callable[[str], Any],
                actions: Collection[str], nothing_chosen: str,
                entries: Callable[[], Iterable[T]], key_of: Callable[[T], Any],
                run: Callable[[str, list[T]], BulkResult[T]], area: str,
                label: Callable[[T], str], titles: Callable[[int], Mapping[str, str]],
                explains: Callable[[], Mapping[str, str]],
                done: Callable[[int], Mapping[str, str]],
                confirm_label: Callable[[T], str] | None = None):
    """A map area's bulk action (`run_bulk`), every action confirmed first.

    `key` turns a submitted value into an entry's key (None: skip the value; ValueError:
    404). The confirmation page is titled `titles(n)[action]` and explained by
    `explains()[action]`; a failure lists done and failed entries.
    """
    index_url = url_for(f"{bp.name}.index")
    shown = confirm_label or label

    def confirm(action: str, chosen: list[T], back: str) -> str:
        return render_template(
            "maps/bulk_confirm.html", area=area, index_url=index_url, action=action,
            back=back, bulk_url=url_for(f"{bp.name}.bulk"), field=field,
            items=[(key_of(e), shown(e)) for e in chosen],
            title=titles(len(chosen))[action], explain=explains()[action])

    def failed(action: str, result: BulkResult[T], back: str) -> str:
        return render_template("maps/bulk_result.html", area=area, index_url=index_url,
                               back=back, done=[label(e) for e in result.done],
                               failed=[label(e) for e in result.failed],
                               messages=result.messages)

    return run_bulk(
        bp, keys=lambda values: sorted({k for k in map(key, values) if k is not None}),
        field=field, actions=actions, nothing_chosen=nothing_chosen, entries=entries,
        key_of=key_of, confirm=confirm, run=run, failed=failed, done=done)
