"""Boosts: an item per question and phase-reading step each rep has met, its FSRS memory, the boost answers

Revision ID: 890f635bc98c
Revises: a8c1e3f5b7d9
Create Date: 2026-12-01 15:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '890f635bc98c'
down_revision = 'a8c1e3f5b7d9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('boost_marks',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_mark', sa.Integer(), nullable=False),
    sa.Column('step_mark', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_boost_marks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_boost_marks'))
    )
    op.create_table('boost_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('ref', sa.String(length=120), nullable=False),
    sa.Column('answer_key', sa.String(length=64), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=60), nullable=True),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('stability', sa.Float(), nullable=True),
    sa.Column('difficulty', sa.Float(), nullable=True),
    sa.Column('due', sa.DateTime(), nullable=False),
    sa.Column('last_review', sa.DateTime(), nullable=True),
    sa.Column('last_rating', sa.Integer(), nullable=True),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('boosts', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_boost_items_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['content_versions.id'], name=op.f('fk_boost_items_version_id_content_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_boost_items')),
    sa.UniqueConstraint('user_id', 'kind', 'slug', 'ref', name=op.f('uq_boost_items_user_id_kind_slug_ref'))
    )
    with op.batch_alter_table('boost_items', schema=None) as batch_op:
        batch_op.create_index('ix_boost_items_user_due', ['user_id', 'due'], unique=False)

    op.create_table('boost_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('phase', sa.String(length=60), nullable=True),
    sa.Column('given', sa.JSON(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('due_after', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['boost_items.id'], name=op.f('fk_boost_answers_item_id_boost_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_boost_answers_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['content_versions.id'], name=op.f('fk_boost_answers_version_id_content_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_boost_answers')),
    sa.UniqueConstraint('item_id', 'seq', name=op.f('uq_boost_answers_item_id_seq'))
    )
    with op.batch_alter_table('boost_answers', schema=None) as batch_op:
        batch_op.create_index('ix_boost_answers_user_time', ['user_id', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('boost_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_boost_answers_user_time')

    op.drop_table('boost_answers')
    with op.batch_alter_table('boost_items', schema=None) as batch_op:
        batch_op.drop_index('ix_boost_items_user_due')

    op.drop_table('boost_items')
    op.drop_table('boost_marks')
