"""MailApp's own tables (administrators, audit trail, sign-in throttling, settings)."""
from panel.models.base import Base
from panel.models.admin import Admin, AdminDomain
from panel.models.api_key import ApiKey
from panel.models.audit import AuditEvent
from panel.models.login_attempt import LoginAttempt
from panel.models.setting import Setting
from panel.models.second_factor import RecoveryCode, TotpSecret, WebAuthnCredential

__all__ = ["Base", "Admin", "AdminDomain", "ApiKey", "AuditEvent", "LoginAttempt", "Setting",
           "TotpSecret", "WebAuthnCredential", "RecoveryCode"]
