"""Signal picking and replays: attempt_signals (the verdict on each observation of a
signal-picking step); scenario_attempts.replayed_from_id and replayed_from_seq ("try again from
this step": the finished attempt a replay starts after, and the step it starts at)

Revision ID: 5e1c9a7b3d20
Revises: 5e7b9d1f3a64
Create Date: 2026-12-01 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1c9a7b3d20'
down_revision = '5e7b9d1f3a64'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attempt_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('reading', sa.String(length=60), nullable=True),
    sa.Column('phase_signal', sa.String(length=80), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['step_id'], ['attempt_steps.id'], name=op.f('fk_attempt_signals_step_id_attempt_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_signals')),
    sa.UniqueConstraint('step_id', 'item', name=op.f('uq_attempt_signals_step_id_item'))
    )
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replayed_from_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('replayed_from_seq', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_scenario_attempts_replayed_from_id_scenario_attempts'), 'scenario_attempts', ['replayed_from_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_scenario_attempts_replayed_from_id_scenario_attempts'), type_='foreignkey')
        batch_op.drop_column('replayed_from_seq')
        batch_op.drop_column('replayed_from_id')

    op.drop_table('attempt_signals')
