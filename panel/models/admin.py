"""MailApp administrators: who may sign in to the panel."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from panel.models.base import Base, utcnow


class Admin(UserMixin, Base):
    __tablename__ = "admin"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # "global" today; domain administrators arrive with the identity issue.
    role: Mapped[str] = mapped_column(String(16), default="global")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

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
        return self.role == "global"
