"""Translations: content_translations (a course, module or scenario in another language, a
variant of its source) and published_translations (the live one per language); attempts record
the language they were played in (every earlier one was played in English) and the translation

Revision ID: f17a59a2e902
Revises: f3a5c7e9b1d2
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f17a59a2e902'
down_revision = 'f3a5c7e9b1d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('source_version', sa.String(length=12), nullable=False),
    sa.Column('source_version_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('compiled', sa.Text(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_content_translations_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_version_id'], ['content_versions.id'], name=op.f('fk_content_translations_source_version_id_content_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_translations')),
    sa.UniqueConstraint('kind', 'slug', 'language', 'revision', name=op.f('uq_content_translations_kind_slug_language_revision')),
    sa.UniqueConstraint('kind', 'slug', 'language', 'sha256', name=op.f('uq_content_translations_kind_slug_language_sha256'))
    )
    op.create_table('published_translations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('translation_id', sa.Integer(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_published_translations_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['translation_id'], ['content_translations.id'], name=op.f('fk_published_translations_translation_id_content_translations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_translations')),
    sa.UniqueConstraint('kind', 'slug', 'language', name=op.f('uq_published_translations_kind_slug_language'))
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))

    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))
        batch_op.add_column(sa.Column('translation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_scenario_attempts_translation_id_content_translations'), 'content_translations', ['translation_id'], ['id'])



def downgrade():
    with op.batch_alter_table('scenario_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_scenario_attempts_translation_id_content_translations'), type_='foreignkey')
        batch_op.drop_column('translation_id')
        batch_op.drop_column('language')

    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('language')

    op.drop_table('published_translations')
    op.drop_table('content_translations')
