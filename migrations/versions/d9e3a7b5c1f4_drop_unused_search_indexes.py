"""PostgreSQL search: drop the indexes no query reads since facets are counted from arrays

Revision ID: d9e3a7b5c1f4
Revises: c5f2d8a1e3b9
Create Date: 2026-12-02 19:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d9e3a7b5c1f4"
down_revision = "c5f2d8a1e3b9"
branch_labels = None
depends_on = None

# Sectors and "looking for" are filtered and counted from each process's facet arrays, and the
# newest first order is read through ix_search_documents_newest (created_at, organisation_id):
# these three were kept up to date by every write (2.6 s of a rebuild's 43 s of writing at
# 100,000) and read by nothing.
UNUSED = {
    "ix_search_documents_sectors": "USING gin (sectors)",
    "ix_search_documents_looking_for": "USING gin (looking_for)",
    "ix_search_documents_created_at": "(created_at)",
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in UNUSED:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, definition in UNUSED.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON search_documents {definition}")
