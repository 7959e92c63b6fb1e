"""Creating MailApp administrators, including the one made on first start."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from panel.audit import record
from panel.auth.passwords import hash_password, random_password
from panel.extensions import db
from panel.models import Admin, AdminDomain
from panel.models.admin import DOMAIN, GLOBAL
from panel.permissions import DEFAULT_PERMISSIONS, clean

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10


class AdminInputError(ValueError):
    pass


def validate(username: str, password: str) -> None:
    if not USERNAME_RE.match(username):
        raise AdminInputError("Usernames are 2 to 64 characters: lowercase letters, digits, "
                              "dot, dash and underscore, starting with a letter or digit.")
    if len(password) < MIN_PASSWORD:
        raise AdminInputError(f"The password must be at least {MIN_PASSWORD} characters long.")


def create_admin(username: str, password: str, actor: str = "system",
                 domains: list[str] | None = None, permissions=None) -> Admin:
    """A global administrator, or a domain administrator when `domains` are given."""
    username = username.strip().lower()
    validate(username, password)
    session = db.session()
    if session.scalar(select(Admin).where(Admin.username == username)) is not None:
        raise AdminInputError(f"Administrator {username} already exists.")
    domains = sorted({d.strip().lower() for d in domains or () if d.strip()})
    role = DOMAIN if domains else GLOBAL
    perms = clean(DEFAULT_PERMISSIONS if permissions is None else permissions) if domains else []
    admin = Admin(username=username, password_hash=hash_password(password), role=role,
                  permissions=perms, domain_links=[AdminDomain(domain=d) for d in domains])
    session.add(admin)
    session.commit()
    record("admin.create", target=username, actor=actor,
           changes={"role": role, "domains": domains, "permissions": perms})
    return admin


def ensure_first_admin() -> str | None:
    """When no administrator exists, create `admin` and return its one-time password."""
    session = db.session()
    if session.scalar(select(func.count()).select_from(Admin)):
        return None
    password = random_password()
    create_admin("admin", password, actor="first-start")
    return password
