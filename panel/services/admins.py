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
    named = list(domains or ())
    domains = sorted({d.strip().lower() for d in named if d.strip()})
    if named and not domains:
        # Blank names (e.g. `create-admin bob --domain ""`) must not fall through to the
        # no-domains case, which makes a global administrator.
        raise AdminInputError("A domain administrator needs at least one domain.")
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


def list_admins(role: str) -> list[Admin]:
    return list(db.session().scalars(
        select(Admin).where(Admin.role == role).order_by(Admin.username)))


def get_admin(admin_id: int, role: str) -> Admin | None:
    admin = db.session().get(Admin, admin_id)
    return admin if admin is not None and admin.role == role else None


def _active_globals() -> int:
    return db.session().scalar(select(func.count()).select_from(Admin).where(
        Admin.role == GLOBAL, Admin.active.is_(True))) or 0


def check_can_remove(admin: Admin, actor: Admin) -> None:
    """Nobody locks themselves out, and one active global administrator always stays."""
    if admin.id == actor.id:
        raise AdminInputError("You cannot disable or delete your own account.")
    if admin.role == GLOBAL and admin.active and _active_globals() <= 1:
        raise AdminInputError("This is the last active global administrator.")


def update_admin(admin: Admin, actor: Admin, *, password: str | None = None,
                 active: bool | None = None, domains: list[str] | None = None,
                 permissions=None) -> Admin:
    changes: dict = {}
    if active is not None and active != admin.active:
        if not active:
            check_can_remove(admin, actor)
        changes["active"] = [admin.active, active]
        admin.active = active
    if password:
        validate(admin.username, password)
        admin.password_hash = hash_password(password)
        changes["password"] = "changed"
    if admin.role == DOMAIN and domains is not None:
        new = sorted({d.strip().lower() for d in domains if d.strip()})
        if not new:
            raise AdminInputError("A domain administrator needs at least one domain.")
        if new != admin.domains:
            changes["domains"] = [admin.domains, new]
            admin.domain_links = [AdminDomain(domain=d) for d in new]
    if admin.role == DOMAIN and permissions is not None:
        new_perms = clean(permissions)
        if new_perms != (admin.permissions or []):
            changes["permissions"] = [admin.permissions, new_perms]
            admin.permissions = new_perms
    db.session().commit()
    if changes:
        record("admin.update", target=admin.username, changes=changes)
    return admin


def delete_admin(admin: Admin, actor: Admin) -> None:
    check_can_remove(admin, actor)
    name = admin.username
    session = db.session()
    session.delete(admin)
    session.commit()
    record("admin.delete", target=name)
