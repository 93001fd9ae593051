"""coaching comments: when the trainee read them, when their author edited them

Revision ID: b7e2c4d1a9f0
Revises: a3c5e7f90b12
Create Date: 2026-12-01 11:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e2c4d1a9f0'
down_revision = 'a3c5e7f90b12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('coaching_comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('read_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('coaching_comments', schema=None) as batch_op:
        batch_op.drop_column('read_at')
        batch_op.drop_column('edited_at')
