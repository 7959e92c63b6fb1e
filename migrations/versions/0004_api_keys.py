"""api keys for MailApp's REST API

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-22 02:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
# A branch beside 0003 (second factors), built at the same time; the app upgrades to "heads".
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('writable', sa.Boolean(), nullable=False),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('permissions', sa.JSON(), nullable=False),
    sa.Column('networks', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_from', sa.String(length=64), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('name', name=op.f('uq_api_key_name')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_key_prefix'))
    )


def downgrade() -> None:
    op.drop_table('api_key')
