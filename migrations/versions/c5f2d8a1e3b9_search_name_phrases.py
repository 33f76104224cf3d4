"""PostgreSQL search: each document's names as folded phrases, for the exact-name bonus

Revision ID: c5f2d8a1e3b9
Revises: b8e1f4c2a9d7
Create Date: 2026-12-02 14:30:00.000000

"""

import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c5f2d8a1e3b9"
down_revision = "b8e1f4c2a9d7"
branch_labels = None
depends_on = None


def phrase(column: str, joined: bool) -> str:
    # What ranking computed for every candidate before this column: a name's folded words
    # joined by spaces, hyphens first dropped in the joined form.
    dropped = "-" if joined else ""
    folded = f"translate(lower({column}), 'ё{dropped}', 'е')"
    return f"trim(regexp_replace({folded}, '[^[:alnum:]]+', ' ', 'g'))"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # Written by every index write from Python (rows.name_phrases); the rows already indexed
    # get the phrases ranking computed on each query until now (SQL's folding, which may
    # differ from Python's for a few letters), until they are indexed again or rebuilt.
    # Each step may run again: the vacuum below commits what comes before it.
    op.execute(
        "ALTER TABLE search_documents"
        " ADD COLUMN IF NOT EXISTS name_phrases text[] NOT NULL DEFAULT '{}'"
    )
    forms = ", ".join(
        phrase(column, joined) for column in ("name", "name_alt") for joined in (False, True)
    )
    # No search result changes, so no generation is bumped and nothing enters the change log.
    op.execute("ALTER TABLE search_documents DISABLE TRIGGER USER")
    op.execute(
        "UPDATE search_documents SET name_phrases ="
        f" ARRAY(SELECT DISTINCT p FROM unnest(ARRAY[{forms}]) AS p WHERE p <> '')"
    )
    op.execute("ALTER TABLE search_documents ENABLE TRIGGER USER")
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_search_documents_name_phrases ON search_documents"
        " USING gin (name_phrases)"
    )
    # Ranking found exact names by this one; name_phrases does it now.
    op.execute("DROP INDEX IF EXISTS ix_search_documents_name")
    # The update left a dead copy of every row, which each search would read past until a
    # vacuum (ranking 100,000 documents' candidates took twice as long). A rebuild holding
    # the table is not waited for: autovacuum, or the rebuild's own vacuum, gets there.
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = '5s'")
        try:
            op.execute("VACUUM ANALYZE search_documents")
        except sa.exc.OperationalError:
            logging.getLogger("alembic.runtime.migration").warning(
                "search_documents not vacuumed: the table is busy; autovacuum will do it"
            )
        finally:
            op.execute("RESET lock_timeout")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_documents_name_phrases")
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_search_documents_name ON search_documents"
        ' (lower(name) COLLATE "C")'
    )
    op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS name_phrases")
