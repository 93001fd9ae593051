"""stored progress summaries for the manager's dashboard, with indexes for their marks

Revision ID: 5d1c0a7e9b21
Revises: 287c102c6527
Create Date: 2026-11-28 15:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5d1c0a7e9b21'
down_revision = '287c102c6527'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_page_views_user_latest', 'page_views', ['user_id', 'id'])
    op.create_index('ix_quiz_attempts_user_latest', 'quiz_attempts', ['user_id', 'id'])
    op.create_table('progress_summaries',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('pages_mark', sa.Integer(), nullable=True),
    sa.Column('quizzes_mark', sa.Integer(), nullable=True),
    sa.Column('attempts_mark', sa.DateTime(), nullable=True),
    sa.Column('outline_key', sa.String(length=64), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('modules_done', sa.Integer(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_activity', sa.DateTime(), nullable=True),
    sa.Column('stages', sa.Text(), nullable=False),
    sa.Column('modules_complete', sa.Text(), nullable=False),
    sa.Column('scenarios_passed', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_progress_summaries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_progress_summaries'))
    )


def downgrade():
    op.drop_table('progress_summaries')
    op.drop_index('ix_quiz_attempts_user_latest', table_name='quiz_attempts')
    op.drop_index('ix_page_views_user_latest', table_name='page_views')
