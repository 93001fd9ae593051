"""audit log: the user an admin action was about, and what was done; indexes to filter by user

Revision ID: e2f4a6b8c0d1
Revises: d1e5f7a3b9c2
Create Date: 2026-12-01 14:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'e2f4a6b8c0d1'
down_revision = 'd1e5f7a3b9c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('detail', sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_target_user_id_users'), 'users',
                                    ['target_user_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_audit_events_target_user_id'), ['target_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_target_user_id'))
        batch_op.drop_constraint(batch_op.f('fk_audit_events_target_user_id_users'), type_='foreignkey')
        batch_op.drop_column('detail')
        batch_op.drop_column('target_user_id')
