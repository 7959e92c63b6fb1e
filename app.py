"""MailApp entry point: `python app.py` serves the panel; other commands manage it.

  python app.py                         serve on MAILAPP_BIND (default 127.0.0.1:8080)
  python app.py create-admin NAME [--domain D ...]
                                        add a global administrator, or a domain administrator
                                        for the given domains (password prompted, or read
                                        from stdin with --password-stdin)
  python app.py reset-2fa NAME          remove an administrator's TOTP, security keys and
                                        recovery codes (audited as admin.2fa_reset)
  python app.py sandbox --bind H:P      serve only the sandbox Mailcow API
  python app.py sandbox-seed --domains N --mailboxes N --aliases N
                                        fill the sandbox with that much realistic data
"""
from __future__ import annotations

import argparse
import getpass
import logging
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _split_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    return (host.strip("[]") or "127.0.0.1"), int(port)


def serve(_args) -> int:
    from waitress import serve as waitress_serve

    from panel import create_app
    from panel.extensions import db
    from panel.services.admins import ensure_first_admin

    app = create_app()
    settings = app.extensions["settings"]
    with app.app_context():
        password = ensure_first_admin()
        db.session.remove()
    if password:
        print("=" * 64)
        print("No administrator existed, so one was created:")
        print("  username: admin")
        print(f"  password: {password}")
        print("This password is shown only once. Sign in and keep it safe.")
        print("=" * 64, flush=True)
    if settings.sandbox:
        print("Running on the SANDBOX: no MAILCOW_URL set, using the built-in simulator "
              f"(data in {settings.instance_path / 'sandbox.sqlite3'}).", flush=True)
    host, port = _split_bind(settings.bind)
    print(f"MailApp listening on http://{host}:{port}/", flush=True)
    waitress_serve(app, host=host, port=port, threads=8, ident="MailApp")
    return 0


def create_admin(args) -> int:
    from panel import create_app
    from panel.services.admins import AdminInputError
    from panel.services.admins import create_admin as create

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if password != getpass.getpass("Repeat the password: "):
            print("The passwords do not match; nothing was created.", file=sys.stderr)
            return 1
    app = create_app()
    with app.app_context():
        try:
            create(args.name, password, actor="cli", domains=args.domain)
        except AdminInputError as exc:
            print(f"Not created: {exc}", file=sys.stderr)
            return 1
    name = args.name.strip().lower()
    if args.domain:
        print(f"Domain administrator {name} created for {', '.join(sorted(set(args.domain)))}.")
    else:
        print(f"Global administrator {name} created.")
    return 0


def reset_2fa(args) -> int:
    from sqlalchemy import select

    from panel import create_app
    from panel.extensions import db
    from panel.models import Admin
    from panel.services.second_factors import reset_second_factors, summary

    app = create_app()
    name = args.name.strip().lower()
    with app.app_context():
        admin = db.session.scalar(select(Admin).where(Admin.username == name))
        if admin is None:
            print(f"No administrator named {name}.", file=sys.stderr)
            return 1
        before = summary(admin)
        reset_second_factors(admin, actor="cli")
    print(f"Second factors of {name} removed (had: {before}). They sign in with their "
          "password alone until they set up a new one.")
    return 0


def sandbox(args) -> int:
    from waitress import serve as waitress_serve

    from panel.mailcow.sandbox import create_sandbox_app, seed_demo

    db_path = args.db or str(ROOT / "instance" / "sandbox.sqlite3")
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    rw_key, ro_key = secrets.token_hex(24), secrets.token_hex(24)
    if not args.empty:
        seed_demo(db_path)
    host, port = _split_bind(args.bind)
    print(f"Sandbox Mailcow API on http://{host}:{port}/api/v1/ (data in {db_path})")
    print(f"  read-write API key: {rw_key}")
    print(f"  read-only API key:  {ro_key}", flush=True)
    waitress_serve(create_sandbox_app(db_path, rw_key, ro_key), host=host, port=port,
                   threads=8, ident="Mailcow sandbox")
    return 0


def sandbox_seed(args) -> int:
    from panel.mailcow.sandbox import seed_bulk

    db_path = args.db or str(ROOT / "instance" / "sandbox.sqlite3")
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = seed_bulk(db_path, args.domains, args.mailboxes, args.aliases)
    took = time.perf_counter() - started
    print(f"Seeded {db_path} in {took:.1f} s: " +
          ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python app.py", description="MailApp, an admin panel for Mailcow")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="serve MailApp (the default)").set_defaults(func=serve)

    p = sub.add_parser("create-admin", help="create an administrator (global unless --domain)")
    p.add_argument("name")
    p.add_argument("--domain", action="append", default=[], metavar="DOMAIN",
                   help="make a domain administrator for DOMAIN (repeat for several)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=create_admin)

    p = sub.add_parser("reset-2fa", help="remove all second factors of an administrator")
    p.add_argument("name")
    p.set_defaults(func=reset_2fa)

    p = sub.add_parser("sandbox", help="serve only the sandbox Mailcow API")
    p.add_argument("--bind", default="127.0.0.1:8081", help="HOST:PORT (default 127.0.0.1:8081)")
    p.add_argument("--db", help="SQLite file (default instance/sandbox.sqlite3)")
    p.add_argument("--empty", action="store_true", help="do not add the demo data")
    p.set_defaults(func=sandbox)

    p = sub.add_parser("sandbox-seed", help="fill the sandbox with realistic bulk data")
    p.add_argument("--domains", type=int, default=10)
    p.add_argument("--mailboxes", type=int, default=100)
    p.add_argument("--aliases", type=int, default=100)
    p.add_argument("--db", help="SQLite file (default instance/sandbox.sqlite3)")
    p.set_defaults(func=sandbox_seed)

    args = parser.parse_args(argv)
    return args.func(args) if args.command else serve(args)


if __name__ == "__main__":
    sys.exit(main())
