"""server-side sessions: one row per logged-in browser, replacing the per-user session version

Revision ID: a3c5e7f90b12
Revises: 5d1c0a7e9b21
Create Date: 2026-12-01 11:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a3c5e7f90b12'
down_revision = '5d1c0a7e9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('browser', sa.String(length=200), nullable=True),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)
    # Sessions signed with a version are not in the new table: everyone logs in again once.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
