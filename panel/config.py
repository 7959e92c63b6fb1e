"""Settings read from the environment, with the instance folder as fallback store."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def _flag(value: str | None, default: bool, name: str = "flag") -> bool:
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    # A typo must not quietly switch off something like TLS verification.
    raise ValueError(f"{name}={value!r} is not understood; use 1/0, true/false, yes/no or on/off")


def secret_from_file(path: Path, generate: Callable[[], str]) -> tuple[str, bool]:
    """Read a generated secret, creating it (owner-only) on first use so restarts keep
    it; returns the secret and whether it was just made."""
    if path.exists():
        return path.read_text().strip(), False
    path.parent.mkdir(parents=True, exist_ok=True)
    value = generate()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its secret
        return path.read_text().strip(), False
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value, True


@dataclass
class Settings:
    instance_path: Path
    secret_key: str
    database_url: str
    mailcow_url: str | None
    mailcow_api_key: str | None
    mailcow_api_key_readonly: str | None
    mailcow_timeout: float
    mailcow_verify_tls: bool
    bind: str
    session_cookie_secure: bool
    mail_hostname: str
    # DNS diagnostics ask this server ("host" or "host:port"); None: the system resolver.
    dns_resolver: str | None = None
    # The Docker engine (DOCKER_HOST, as the docker CLI reads it) and the compose project
    # whose labelled containers are Mailcow's.
    docker_host: str = "unix:///var/run/docker.sock"
    compose_project: str = "mailcowdockerized"
    extra: dict = field(default_factory=dict)

    @property
    def sandbox(self) -> bool:
        """True when no Mailcow is configured and the built-in simulator is used."""
        return not self.mailcow_url

    @classmethod
    def from_env(cls, instance_path: Path, env: dict | None = None) -> "Settings":
        env = os.environ if env is None else env
        # The generated secret signs every session cookie, hence owner-only.
        secret = env.get("MAILAPP_SECRET_KEY") or secret_from_file(
            instance_path / "secret_key", lambda: secrets.token_urlsafe(48))[0]
        db_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'mailapp.sqlite3'}"
        # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants psycopg.
        if db_url.startswith("postgres://"):
            db_url = "postgresql+psycopg://" + db_url[len("postgres://"):]
        elif db_url.startswith("postgresql://"):
            db_url = "postgresql+psycopg://" + db_url[len("postgresql://"):]
        mailcow_url = (env.get("MAILCOW_URL") or "").rstrip("/") or None
        # Mailcow's MAILCOW_HOSTNAME is not exposed by its API; the URL's host is the
        # usual value, and the DNS records MailApp suggests point at it.
        mail_hostname = env.get("MAILCOW_HOSTNAME") or (
            urlsplit(mailcow_url).hostname if mailcow_url else "mail.example.org")
        return cls(
            instance_path=instance_path,
            secret_key=secret,
            database_url=db_url,
            mailcow_url=mailcow_url,
            mailcow_api_key=env.get("MAILCOW_API_KEY") or None,
            mailcow_api_key_readonly=env.get("MAILCOW_API_KEY_READONLY") or None,
            mailcow_timeout=float(env.get("MAILCOW_TIMEOUT") or 10),
            mailcow_verify_tls=_flag(env.get("MAILCOW_VERIFY_TLS"), True, "MAILCOW_VERIFY_TLS"),
            bind=env.get("MAILAPP_BIND") or "127.0.0.1:8080",
            # Off only for plain-http development on loopback; production sits behind TLS.
            session_cookie_secure=_flag(env.get("MAILAPP_SECURE_COOKIES"), True,
                                        "MAILAPP_SECURE_COOKIES"),
            mail_hostname=mail_hostname or "localhost",
            dns_resolver=(env.get("MAILAPP_DNS_RESOLVER") or "").strip() or None,
            docker_host=(env.get("DOCKER_HOST") or "").strip() or "unix:///var/run/docker.sock",
            compose_project=(env.get("MAILAPP_COMPOSE_PROJECT") or "").strip()
            or "mailcowdockerized",
        )
