"""Signal-picking steps become boost items: boost_marks.signal_mark (their own mark, so picks
recorded before are folded too); certificates can be revoked: revoked_at, revoked_by_id,
revoke_reason

Revision ID: c41f7a2e9b6d
Revises: 5e1c9a7b3d20
Create Date: 2026-12-01 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41f7a2e9b6d'
down_revision = '5e1c9a7b3d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('boost_marks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signal_mark', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoke_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_certificates_revoked_by_id_users'), 'users', ['revoked_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_certificates_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('revoke_reason')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')
    with op.batch_alter_table('boost_marks', schema=None) as batch_op:
        batch_op.drop_column('signal_mark')
