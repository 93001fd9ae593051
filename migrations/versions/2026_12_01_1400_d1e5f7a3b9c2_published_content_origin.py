"""published_content: where the live version came from (a git file by sync, or the studio), and
the SHA-256 of the file at its last sync, so sync never silently replaces a studio publication

Revision ID: d1e5f7a3b9c2
Revises: b7e4c2a91d35
Create Date: 2026-12-01 14:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd1e5f7a3b9c2'
down_revision = 'b7e4c2a91d35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('published_content', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=16), nullable=False, server_default='file'))
        batch_op.add_column(sa.Column('file_sha256', sa.String(length=64), nullable=True))
    # What is known of the past: a version with an author was published in the studio (sync
    # publishes without one); the last file a sync saw is the newest version written without an author.
    op.execute("""
        UPDATE published_content SET origin = 'studio'
        WHERE version_id IN (SELECT id FROM content_versions WHERE author_id IS NOT NULL)
    """)
    op.execute("""
        UPDATE published_content SET file_sha256 = (
            SELECT v.sha256 FROM content_versions v
            WHERE v.kind = published_content.kind AND v.slug = published_content.slug AND v.author_id IS NULL
            ORDER BY v.version DESC LIMIT 1)
    """)


def downgrade():
    with op.batch_alter_table('published_content', schema=None) as batch_op:
        batch_op.drop_column('file_sha256')
        batch_op.drop_column('origin')
