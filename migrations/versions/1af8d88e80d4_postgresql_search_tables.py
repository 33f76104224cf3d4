"""PostgreSQL full-text search tables (nothing on other databases)

Revision ID: 1af8d88e80d4
Revises: 1d18a2504457
Create Date: 2026-11-25 17:05:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "1af8d88e80d4"
down_revision = "1d18a2504457"
branch_labels = None
depends_on = None


def upgrade():
    # The PostgreSQL engine keeps its search data here; SQLite uses the Whoosh index instead.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        """
        CREATE TABLE search_documents (
            organisation_id integer PRIMARY KEY
                REFERENCES organisations (id) ON DELETE CASCADE,
            version integer NOT NULL,
            slug varchar(120) NOT NULL,
            status varchar(20) NOT NULL,
            kind varchar(20) NOT NULL,
            residency varchar(20) NOT NULL,
            stage varchar(20),
            city varchar(120) NOT NULL DEFAULT '',
            sectors text[] NOT NULL DEFAULT '{}',
            looking_for text[] NOT NULL DEFAULT '{}',
            sector_key text NOT NULL DEFAULT '',
            looking_for_key text NOT NULL DEFAULT '',
            name text NOT NULL,
            name_alt text NOT NULL DEFAULT '',
            names text NOT NULL DEFAULT '',
            summary text NOT NULL DEFAULT '',
            body text NOT NULL DEFAULT '',
            created_at timestamp NOT NULL,
            tsv tsvector NOT NULL
        )
        """
    )
    # Keep rows narrow: the tsvector and the snippet text live out of line, so counting facets
    # over many matches reads small rows.
    op.execute("ALTER TABLE search_documents SET (toast_tuple_target = 128)")
    # ...but the short columns that facets group and sort by are never compressed: unpacking
    # them for each row tripled the time of a facet count.
    op.execute(
        "ALTER TABLE search_documents "
        + ", ".join(
            f"ALTER COLUMN {column} SET STORAGE PLAIN"
            for column in (
                "slug",
                "status",
                "kind",
                "residency",
                "stage",
                "city",
                "sectors",
                "looking_for",
                "sector_key",
                "looking_for_key",
                "name",
            )
        )
    )
    op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")
    op.execute(
        "CREATE INDEX ix_search_documents_names_trgm ON search_documents "
        "USING gin (names gin_trgm_ops)"
    )
    op.execute("CREATE INDEX ix_search_documents_sectors ON search_documents USING gin (sectors)")
    op.execute(
        "CREATE INDEX ix_search_documents_looking_for ON search_documents USING gin (looking_for)"
    )
    # No index leads with status: every published row would match it, and the planner, hoping
    # for an early hit, would walk it testing each tsvector instead of using the GIN index.
    op.execute(
        'CREATE INDEX ix_search_documents_name ON search_documents (lower(name) COLLATE "C")'
    )
    op.execute("CREATE INDEX ix_search_documents_created_at ON search_documents (created_at)")
    # Every word seen in the documents, for "did you mean" and the typo fallback.
    op.execute("CREATE TABLE search_terms (term text PRIMARY KEY)")
    op.execute("CREATE INDEX ix_search_terms_trgm ON search_terms USING gin (term gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS search_terms")
    op.execute("DROP TABLE IF EXISTS search_documents")
