"""users.browser_language: the language a user's browser asked for at their last sign-in, for the
mail and notifications of someone who never chose one

Revision ID: 7d2a4c6e8f10
Revises: c41f7a2e9b6d
Create Date: 2026-12-01 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2a4c6e8f10'
down_revision = 'c41f7a2e9b6d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('browser_language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('browser_language')
