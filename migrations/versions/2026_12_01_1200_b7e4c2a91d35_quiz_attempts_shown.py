"""quiz attempts record what was shown: the questions drawn from the pool and the order of their answers

Revision ID: b7e4c2a91d35
Revises: b7e2c4d1a9f0
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e4c2a91d35'
down_revision = 'b7e2c4d1a9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempts') as batch_op:
        batch_op.add_column(sa.Column('shown', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz_attempts') as batch_op:
        batch_op.drop_column('shown')
