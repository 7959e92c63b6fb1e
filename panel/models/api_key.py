"""Keys for MailApp's own REST API: who holds them, what they may reach, when last used.

Only a SHA-256 hash of each key is stored; the key itself is shown once, at creation.
A key scoped to domains is held to the same rules as a domain administrator.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from panel.models.base import Base, as_utc, utcnow


class ApiKey(Base):
    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    # The public part of the key ("mailapp_<prefix>_..."): identifies it in lists and logs.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    writable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Empty: every domain (a global key). Otherwise the domains it is confined to.
    domains: Mapped[list] = mapped_column(JSON, default=list)
    # Domain-scoped keys only: permission keys from panel.permissions.
    permissions: Mapped[list] = mapped_column(JSON, default=list)
    # Empty: any source address. Otherwise CIDR networks the caller must come from.
    networks: Mapped[list] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_from: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(64))

    @property
    def is_global(self) -> bool:
        return not self.domains

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def expired(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return False
        return as_utc(self.expires_at) <= (now or utcnow())

    @property
    def status(self) -> str:
        """"active", "expired" or "revoked", for lists."""
        if self.revoked:
            return "revoked"
        return "expired" if self.expired() else "active"
