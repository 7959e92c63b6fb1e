"""Mailboxes and Aliases pages, their searches and the full mailbox CSV export on a big server.

Seeds a fresh sandbox (1,000 domains, 50,000 mailboxes, 50,000 aliases by default),
serves it on loopback, signs in to MailApp and times each case: median and p95 of
the whole request as the browser would make it (HTMX searches send HX-Request).
Shares its set-up pieces with domains_list.py.
"""
from __future__ import annotations

import argparse
import logging
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from domains_list import (PASSWORD, HttpFetcher, TestClientFetcher, _machine,  # noqa: E402
                          create_app, create_sandbox_app, db, seed_bulk, SandboxServer)

CASES = [
    # (name, path, htmx, runs factor): the export is one long request, timed fewer times.
    ("Mailboxes, page 1", "/mailboxes", False, 1),
    ("Mailboxes, search (HTMX)", "/mailboxes?q={term}", True, 1),
    ("Aliases, page 1", "/aliases", False, 1),
    ("Aliases, search (HTMX)", "/aliases?q={term}", True, 1),
    ("CSV export, all mailboxes", "/mailboxes/export.csv", False, 0),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(args) -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="mailapp-bench-") as tmp_name:
        tmp = Path(tmp_name)
        sandbox_db = str(tmp / "sandbox.sqlite3")
        started = time.perf_counter()
        counts = seed_bulk(sandbox_db, args.domains, args.mailboxes, args.aliases)
        seed_seconds = time.perf_counter() - started
        print(f"Seeded {counts} in {seed_seconds:.1f} s", flush=True)
        rw, ro = secrets.token_hex(24), secrets.token_hex(24)
        sandbox = SandboxServer(create_sandbox_app(sandbox_db, rw, ro), host="127.0.0.1", port=0)
        sandbox.start()
        app = create_app({
            "MAILAPP_INSTANCE_PATH": str(tmp / "instance"),
            "DATABASE_URL": f"sqlite:///{tmp / 'mailapp.sqlite3'}",
            "MAILCOW_URL": sandbox.url, "MAILCOW_API_KEY": rw, "MAILCOW_API_KEY_READONLY": ro,
            "MAILCOW_TIMEOUT": "120", "MAILAPP_SECURE_COOKIES": "0",
        })
        fetcher = (HttpFetcher if args.http else TestClientFetcher)(app)
        rows = []
        try:
            with app.app_context():
                from panel.services.admins import create_admin
                create_admin("bench", PASSWORD, actor="bench")
                db.session.remove()
            fetcher.sign_in()
            for name, path, htmx, factor in CASES:
                path = path.format(term=args.term)
                headers = {"HX-Request": "true"} if htmx else {}
                runs = args.runs if factor else args.export_runs
                for _ in range(args.warmup if factor else 1):
                    fetcher.get(path, headers)
                samples, size = [], 0
                for _ in range(runs):
                    t0 = time.perf_counter()
                    status, body = fetcher.get(path, headers)
                    samples.append((time.perf_counter() - t0) * 1000)
                    if status != 200:
                        raise SystemExit(f"{path}: HTTP {status}")
                    size = len(body)
                rows.append((name, runs, size, statistics.median(samples),
                             percentile(samples, 0.95)))
                print(f"  measured {name}", flush=True)
        finally:
            fetcher.close()
            if "mailcow" in app.extensions:
                app.extensions["mailcow"].close()
            app.extensions["db_engine"].dispose()
            sandbox.stop()
    print()
    print(f"MailApp Mailboxes/Aliases benchmark, "
          f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"Machine: {_machine()}")
    print(f"Data: {', '.join(f'{v} {k}' for k, v in counts.items())}; seeded in "
          f"{seed_seconds:.1f} s; requests: {fetcher.label}; search term {args.term!r}")
    print()
    print("| case | runs | response | median ms | p95 ms |")
    print("|---|---|---|---|---|")
    for name, runs, size, median, p95 in rows:
        print(f"| {name} | {runs} | {size / 1024:.1f} KiB | {median:.1f} | {p95:.1f} |")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--mailboxes", type=int, default=50_000)
    parser.add_argument("--aliases", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--term", default="anna", help="search term for both searches")
    parser.add_argument("--http", action="store_true", help="real HTTP through waitress")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
