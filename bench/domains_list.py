"""Times the Domains list against a large sandbox: full pages, HTMX search, sorting.

    .venv/bin/python bench/domains_list.py                 # Flask test client
    .venv/bin/python bench/domains_list.py --http          # real HTTP through waitress
    .venv/bin/python bench/domains_list.py --domains 100 --mailboxes 5000 --runs 20

Seeds a fresh sandbox SQLite in a temp dir with seed_bulk, serves it with SandboxServer on
loopback (real HTTP, as MailApp talks to Mailcow), creates MailApp against it (temp
instance, SQLite), signs in an administrator and requests each page `--runs` times after
`--warmup` untimed requests. "api" is the Mailcow adapter call alone (HTTP to the sandbox
plus parsing) for the same table state, to show where the time goes.
"""
from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from panel import create_app  # noqa: E402
from panel.extensions import db  # noqa: E402
from panel.mailcow import mailcow  # noqa: E402
from panel.mailcow.paging import PageRequest  # noqa: E402
from panel.mailcow.sandbox import SandboxServer, create_sandbox_app, seed_bulk  # noqa: E402

PASSWORD = "bench-password-long-enough"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


@dataclass
class Case:
    name: str
    path: str
    htmx: bool
    api_request: PageRequest


@dataclass
class Timing:
    case: Case
    samples: list[float]   # seconds, full request
    api: list[float]       # seconds, adapter call only
    status: int
    size: int
    total: int             # rows matching, as the page reported them

    @staticmethod
    def ms(values: list[float], q: str) -> float:
        if q == "median":
            return statistics.median(values) * 1000
        return statistics.quantiles(values, n=20, method="inclusive")[18] * 1000  # p95


def _csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    if not match:
        raise SystemExit("no CSRF token on /login")
    return next(g for g in match.groups() if g)


class TestClientFetcher:
    """Requests through Flask's test client: MailApp's own cost, no socket on our side."""

    label = "Flask test client"

    def __init__(self, app) -> None:
        self.client = app.test_client()

    def sign_in(self) -> None:
        token = _csrf(self.client.get("/login").get_data(as_text=True))
        r = self.client.post("/login", data={"username": "bench", "password": PASSWORD,
                                             "csrf_token": token})
        if r.status_code != 302:
            raise SystemExit(f"sign-in failed: HTTP {r.status_code}")

    def get(self, path: str, headers: dict) -> tuple[int, bytes]:
        r = self.client.get(path, headers=headers)
        return r.status_code, r.get_data()

    def close(self) -> None:
        pass


class HttpFetcher:
    """Requests over loopback HTTP to MailApp served by waitress, as a browser would."""

    label = "HTTP through waitress (loopback)"

    def __init__(self, app) -> None:
        import httpx
        from waitress.server import create_server

        self.server = create_server(app, host="127.0.0.1", port=0, threads=8)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.server.effective_port}",
                                   timeout=60)

    def sign_in(self) -> None:
        token = _csrf(self.client.get("/login").text)
        r = self.client.post("/login", data={"username": "bench", "password": PASSWORD,
                                             "csrf_token": token})
        if r.status_code != 302:
            raise SystemExit(f"sign-in failed: HTTP {r.status_code}")

    def get(self, path: str, headers: dict) -> tuple[int, bytes]:
        r = self.client.get(path, headers=headers)
        return r.status_code, r.content

    def close(self) -> None:
        self.client.close()
        self.server.close()


def _time(fn: Callable[[], object], warmup: int, runs: int) -> tuple[list[float], object]:
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return samples, result


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPU cores ({model}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def run(args) -> int:
    # One log line per Mailcow call would end up in the timings' output, not help read it.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="mailapp-bench-") as tmp_name:
        tmp = Path(tmp_name)
        sandbox_db = str(tmp / "sandbox.sqlite3")

        print(f"Seeding {args.domains} domains, {args.mailboxes} mailboxes, "
              f"{args.aliases} aliases into {sandbox_db} ...", flush=True)
        started = time.perf_counter()
        counts = seed_bulk(sandbox_db, args.domains, args.mailboxes, args.aliases)
        seed_seconds = time.perf_counter() - started
        print(f"  seeded in {seed_seconds:.1f} s: {counts}", flush=True)

        rw_key, ro_key = secrets.token_hex(24), secrets.token_hex(24)
        sandbox = SandboxServer(create_sandbox_app(sandbox_db, rw_key, ro_key),
                                host="127.0.0.1", port=0)
        sandbox.start()
        app = create_app({
            "MAILAPP_INSTANCE_PATH": str(tmp / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp / 'mailapp.sqlite3'}",
            "MAILCOW_URL": sandbox.url,
            "MAILCOW_API_KEY": rw_key,
            "MAILCOW_API_KEY_READONLY": ro_key,
            "MAILCOW_TIMEOUT": "60",
            "MAILAPP_SECURE_COOKIES": "0",
        })
        fetcher = (HttpFetcher if args.http else TestClientFetcher)(app)
        try:
            with app.app_context():
                from panel.services.admins import create_admin
                create_admin("bench", PASSWORD, actor="bench")
                db.session.remove()
            fetcher.sign_in()

            term = args.term or _pick_term(app, args.domains)
            cases = [
                Case("list, page 1", "/domains", False, PageRequest(sort="domain")),
                Case("list, page 20", "/domains?page=20", False,
                     PageRequest(page=20, sort="domain")),
                Case(f"search q={term} (HTMX)", f"/domains?q={term}", True,
                     PageRequest(search=term, sort="domain")),
                Case("sort mailboxes desc", "/domains?sort=mailboxes&dir=desc", False,
                     PageRequest(sort="mailboxes", descending=True)),
                Case("sort mailboxes desc (HTMX)", "/domains?sort=mailboxes&dir=desc", True,
                     PageRequest(sort="mailboxes", descending=True)),
            ]
            results = []
            for case in cases:
                headers = {"HX-Request": "true"} if case.htmx else {}
                samples, (status, body) = _time(lambda: fetcher.get(case.path, headers),
                                                args.warmup, args.runs)
                if status != 200:
                    raise SystemExit(f"{case.path}: HTTP {status}")
                with app.app_context():
                    api, page = _time(lambda: mailcow().domains.search(case.api_request),
                                      args.warmup, args.runs)
                results.append(Timing(case, samples, api, status, len(body), page.total))
                print(f"  measured {case.name}", flush=True)
        finally:
            fetcher.close()
            if "mailcow" in app.extensions:
                app.extensions["mailcow"].close()
            app.extensions["db_engine"].dispose()
            sandbox.stop()

    _report(args, fetcher.label, counts, seed_seconds, results)
    return 0


def _pick_term(app, domains: int) -> str:
    """A search term from a real domain name in the middle of the list, first label only."""
    with app.app_context():
        page = mailcow().domains.search(PageRequest(page=max(1, domains // 50), sort="domain"))
    name = page.items[0].name if page.items else "example"
    return name.split(".")[0]


def _report(args, label, counts, seed_seconds, results: list[Timing]) -> None:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(f"MailApp Domains list benchmark, {when}")
    print(f"Machine: {_machine()}")
    print(f"Data: {', '.join(f'{v} {k}' for k, v in counts.items())}; "
          f"seeded in {seed_seconds:.1f} s")
    print(f"Requests: {label}; {args.runs} timed runs after {args.warmup} warm-up, per case")
    print()
    header = ("| case | rows matched | response | median ms | p95 ms | api median ms "
              "| api p95 ms |")
    print(header)
    print("|" + "---|" * 7)
    for t in results:
        print(f"| {t.case.name} | {t.total} | {t.size / 1024:.1f} KiB "
              f"| {Timing.ms(t.samples, 'median'):.1f} | {Timing.ms(t.samples, 'p95'):.1f} "
              f"| {Timing.ms(t.api, 'median'):.1f} | {Timing.ms(t.api, 'p95'):.1f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--mailboxes", type=int, default=50_000)
    parser.add_argument("--aliases", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--term", help="search term (default: taken from a real domain)")
    parser.add_argument("--http", action="store_true",
                        help="real HTTP through waitress instead of the Flask test client")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
