"""MailApp administrators: who may sign in, their rank, domains and permissions."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.models.base import Base, utcnow

GLOBAL = "global"
DOMAIN = "domain"


class Admin(UserMixin, Base):
    __tablename__ = "admin"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=GLOBAL)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Domain administrators only: permission keys from panel.permissions.
    permissions: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    domain_links: Mapped[list["AdminDomain"]] = relationship(
        back_populates="admin", cascade="all, delete-orphan", lazy="selectin",
        order_by="AdminDomain.domain")

    @property
    def session_fingerprint(self) -> str:
        """Changes whenever the password does, so old sessions stop working."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}:{self.session_fingerprint}"

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    @property
    def is_global(self) -> bool:
        return self.role == GLOBAL

    @property
    def domains(self) -> list[str]:
        return [link.domain for link in self.domain_links]

    def may(self, permission: str) -> bool:
        return self.is_global or permission in (self.permissions or [])


class AdminDomain(Base):
    """One domain a domain administrator manages."""

    __tablename__ = "admin_domain"
    __table_args__ = (UniqueConstraint("admin_id", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("admin.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(255), index=True)

    admin: Mapped[Admin] = relationship(back_populates="domain_links")
