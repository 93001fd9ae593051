"""quiz attempts record what was shown: the questions drawn from the pool and the order of their answers

Revision ID: b7e4c2a91d35
Revises: c4f8a2d6e1b3
Create Date: 2026-12-01 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e4c2a91d35'
down_revision = 'c4f8a2d6e1b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts') as batch_op:
        batch_op.add_column(sa.Column('shown', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz_attempts') as batch_op:
        batch_op.drop_column('shown')
