"""Signing in to MailApp: password hashing, throttling, and the login views."""
