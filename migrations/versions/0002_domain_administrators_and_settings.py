"""domain administrators and settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 00:49:37.778784
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('admin_domain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('admin_id', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['admin_id'], ['admin.id'], name=op.f('fk_admin_domain_admin_id_admin'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_domain')),
    sa.UniqueConstraint('admin_id', 'domain', name=op.f('uq_admin_domain_admin_id'))
    )
    with op.batch_alter_table('admin_domain', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_domain_admin_id'), ['admin_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_domain_domain'), ['domain'], unique=False)

    with op.batch_alter_table('admin', schema=None) as batch_op:
        # Existing administrators are global and hold no domain permissions.
        batch_op.add_column(sa.Column('permissions', sa.JSON(), nullable=False,
                                      server_default=sa.text("'[]'")))

def downgrade() -> None:
    with op.batch_alter_table('admin', schema=None) as batch_op:
        batch_op.drop_column('permissions')

    with op.batch_alter_table('admin_domain', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_domain_domain'))
        batch_op.drop_index(batch_op.f('ix_admin_domain_admin_id'))

    op.drop_table('admin_domain')
    op.drop_table('setting')
