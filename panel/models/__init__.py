"""MailApp's own tables (administrators, audit trail, sign-in throttling)."""
from panel.models.base import Base
from panel.models.admin import Admin
from panel.models.audit import AuditEvent
from panel.models.login_attempt import LoginAttempt

__all__ = ["Base", "Admin", "AuditEvent", "LoginAttempt"]
