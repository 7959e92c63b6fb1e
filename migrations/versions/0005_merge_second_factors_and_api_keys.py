"""merge the second-factor and API-key branches

Revision ID: 0005
Revises: 0003, 0004
Create Date: 2026-11-22
"""

revision = "0005"
down_revision = ("0003", "0004")
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Both branches grew from 0002 in parallel; nothing to change, only one head again.
    pass


def downgrade() -> None:
    pass
