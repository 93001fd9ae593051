"""Scenario attempts record their mode (practice or challenge); one open attempt per mode

Revision ID: f3a5c7e9b1d2
Revises: 1d719322a22d
Create Date: 2026-12-01 14:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a5c7e9b1d2'
down_revision = '1d719322a22d'
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'in_progress'")


def upgrade():
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        # every attempt before this one was played in practice mode
        batch_op.add_column(sa.Column('mode', sa.String(length=16), server_default='practice', nullable=False))
        batch_op.drop_index('uq_scenario_attempts_one_open', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('uq_scenario_attempts_one_open', ['user_id', 'scenario_slug', 'mode'], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade():
    # Two open attempts of one scenario (one per mode) cannot both stay open under the old rule:
    # the challenge is closed as started over, its steps kept.
    op.execute("UPDATE scenario_attempts SET status = 'abandoned' "
               "WHERE mode = 'challenge' AND status = 'in_progress'")
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.drop_index('uq_scenario_attempts_one_open', sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.create_index('uq_scenario_attempts_one_open', ['user_id', 'scenario_slug'], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)
        batch_op.drop_column('mode')
