"""Stage certificates (one per trainee, stage and campaign; a uuid4 for the public page) and managers' observed role-plays

Revision ID: 76f1d15d97d2
Revises: f17a59a2e902
Create Date: 2026-12-01 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '76f1d15d97d2'
down_revision = 'f17a59a2e902'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_slug', sa.String(length=120), nullable=False),
    sa.Column('stage_id', sa.String(length=120), nullable=False),
    sa.Column('stage_title', sa.String(length=300), nullable=False),
    sa.Column('course_title', sa.String(length=300), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('campaign', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('valid_months', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('user_id', 'course_slug', 'stage_id', 'campaign', name=op.f('uq_certificates_user_id_course_slug_stage_id_campaign')),
    sa.UniqueConstraint('uuid', name=op.f('uq_certificates_uuid'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_expires_on', ['expires_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)

    op.create_table('observed_role_plays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trainee_id', sa.Integer(), nullable=False),
    sa.Column('observer_id', sa.Integer(), nullable=True),
    sa.Column('course_slug', sa.String(length=120), nullable=False),
    sa.Column('stage_id', sa.String(length=120), nullable=False),
    sa.Column('course_version_id', sa.Integer(), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('submission', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_version_id'], ['content_versions.id'], name=op.f('fk_observed_role_plays_course_version_id_content_versions')),
    sa.ForeignKeyConstraint(['observer_id'], ['users.id'], name=op.f('fk_observed_role_plays_observer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_observed_role_plays_trainee_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observed_role_plays')),
    sa.UniqueConstraint('submission', name=op.f('uq_observed_role_plays_submission'))
    )
    with op.batch_alter_table('observed_role_plays', schema=None) as batch_op:
        batch_op.create_index('ix_observed_role_plays_trainee_stage', ['trainee_id', 'course_slug', 'stage_id'], unique=False)



def downgrade():
    with op.batch_alter_table('observed_role_plays', schema=None) as batch_op:
        batch_op.drop_index('ix_observed_role_plays_trainee_stage')

    op.drop_table('observed_role_plays')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index('ix_certificates_expires_on')

    op.drop_table('certificates')
