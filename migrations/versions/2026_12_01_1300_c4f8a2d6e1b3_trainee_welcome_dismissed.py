"""users: when a trainee dismissed the first-visit welcome

Revision ID: c4f8a2d6e1b3
Revises: b7e2c4d1a9f0
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4f8a2d6e1b3'
down_revision = 'b7e2c4d1a9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('welcomed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('welcomed_at')
