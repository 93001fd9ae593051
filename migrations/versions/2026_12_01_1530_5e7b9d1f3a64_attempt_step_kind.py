"""Attempt steps record what kind of step they were (choice, continue, sheet, ...)

Revision ID: 5e7b9d1f3a64
Revises: 890f635bc98c
Create Date: 2026-12-01 15:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5e7b9d1f3a64'
down_revision = '890f635bc98c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt_steps', schema=None) as batch_op:
        # a preparation sheet's figures go in `effects` (effects.figures), graded
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='choice', nullable=False))
    # every step before this one was a choice, or a Continue (no choice)
    op.execute("UPDATE attempt_steps SET kind = 'continue' WHERE choice IS NULL")


def downgrade():
    with op.batch_alter_table('attempt_steps', schema=None) as batch_op:
        batch_op.drop_column('kind')
