"""PostgreSQL search change log: which documents each generation changed, and sort indexes

Revision ID: e4b7d2a9c6f1
Revises: d5a8c3e1b7f2
Create Date: 2026-12-01 16:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e4b7d2a9c6f1"
down_revision = "d5a8c3e1b7f2"
branch_labels = None
depends_on = None

# The log keeps at least this many generations, and is cut back when it holds twice as many.
KEPT_GENERATIONS = 1000


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # Each server process keeps every document's facet values and term match sets; when the
    # generation has moved it reads only the documents changed since its own generation from
    # here, instead of every row again. changes_since: the log holds every change made after
    # that generation (a rebuild, a TRUNCATE or a cut moves it; a process behind it reloads
    # everything).
    op.execute("ALTER TABLE search_state ADD COLUMN changes_since bigint NOT NULL DEFAULT 0")
    op.execute("UPDATE search_state SET changes_since = generation")
    op.execute(
        """
        CREATE TABLE search_changes (
            generation bigint NOT NULL,
            organisation_id integer NOT NULL
        )
        """
    )
    op.execute("CREATE INDEX ix_search_changes_generation ON search_changes (generation)")
    op.execute("DROP TRIGGER IF EXISTS search_documents_changed ON search_documents")
    op.execute("DROP FUNCTION IF EXISTS search_documents_changed()")
    # Statement triggers with transition tables: one generation and one insert of the changed
    # ids per statement, however many rows it wrote.
    op.execute(
        f"""
        CREATE FUNCTION search_documents_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            current bigint;
            since bigint;
        BEGIN
            IF coalesce(current_setting('cluster.search_rebuild', true), '') = 'on' THEN
                RETURN NULL;
            END IF;
            UPDATE search_state SET generation = generation + 1
            RETURNING generation, changes_since INTO current, since;
            IF TG_OP = 'TRUNCATE' THEN
                UPDATE search_state SET changes_since = current;
                DELETE FROM search_changes;
            ELSE
                INSERT INTO search_changes (generation, organisation_id)
                SELECT current, organisation_id FROM changed_rows;
                IF current - since > {2 * KEPT_GENERATIONS} THEN
                    UPDATE search_state SET changes_since = current - {KEPT_GENERATIONS};
                    DELETE FROM search_changes WHERE generation <= current - {KEPT_GENERATIONS};
                END IF;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    for event, table in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        op.execute(
            f"""
            CREATE TRIGGER search_documents_{event.lower()}
            AFTER {event} ON search_documents
            REFERENCING {table} TABLE AS changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION search_documents_changed()
            """
        )
    op.execute(
        """
        CREATE TRIGGER search_documents_truncate AFTER TRUNCATE ON search_documents
        FOR EACH STATEMENT EXECUTE FUNCTION search_documents_changed()
        """
    )
    # A changed document's place in the name and newest orders is found by its neighbour in
    # these (facet_table.py), not by reading the whole order again.
    icu = (
        op.get_bind()
        .exec_driver_sql("SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu'")
        .scalar()
    )
    collation = '"und-x-icu"' if icu else '"C"'
    op.execute(
        "CREATE INDEX ix_search_documents_name_order ON search_documents "
        f"(name COLLATE {collation}, organisation_id)"
    )
    op.execute(
        "CREATE INDEX ix_search_documents_newest ON search_documents (created_at, organisation_id)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_documents_newest")
    op.execute("DROP INDEX IF EXISTS ix_search_documents_name_order")
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS search_documents_{event} ON search_documents")
    op.execute("DROP FUNCTION IF EXISTS search_documents_changed()")
    op.execute("DROP TABLE IF EXISTS search_changes")
    op.execute("ALTER TABLE search_state DROP COLUMN IF EXISTS changes_since")
    op.execute(
        """
        CREATE FUNCTION search_documents_changed() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF coalesce(current_setting('cluster.search_rebuild', true), '') <> 'on' THEN
                UPDATE search_state SET generation = generation + 1;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER search_documents_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON search_documents
        FOR EACH STATEMENT EXECUTE FUNCTION search_documents_changed()
        """
    )
