"""Use cases: each checks limits, calls an adapter and records the audit event."""
