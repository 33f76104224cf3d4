"""PostgreSQL search postings: each lexeme's organisation ids, written by a rebuild

Revision ID: b8e1f4c2a9d7
Revises: 1786034c4b06
Create Date: 2026-12-02 05:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "b8e1f4c2a9d7"
down_revision = "1786034c4b06"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # ids: the organisation ids holding the term, each as 4 bytes (int4send), in id order.
    op.execute("CREATE TABLE search_postings (term text PRIMARY KEY, ids bytea NOT NULL)")
    # The generation the postings stand for; NULL until a rebuild writes them, and readers
    # go to the GIN index while it is NULL (cluster/search/postgres/postings.py).
    op.execute("ALTER TABLE search_state ADD COLUMN postings_of bigint")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_state DROP COLUMN IF EXISTS postings_of")
    op.execute("DROP TABLE IF EXISTS search_postings")
