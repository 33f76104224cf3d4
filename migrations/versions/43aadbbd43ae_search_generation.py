"""PostgreSQL search generation: a number bumped by every change to search_documents

Revision ID: 43aadbbd43ae
Revises: 1af8d88e80d4
Create Date: 2026-11-25 16:45:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "43aadbbd43ae"
down_revision = "1af8d88e80d4"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # Each server process keeps the facet values of every document in memory and reloads them
    # only when this number has moved. It changes in the same transaction as the documents, so
    # a reader that sees the number also sees the rows it stands for.
    op.execute(
        """
        CREATE TABLE search_state (
            id boolean PRIMARY KEY DEFAULT true CHECK (id),
            generation bigint NOT NULL
        )
        """
    )
    op.execute("INSERT INTO search_state (id, generation) VALUES (true, 1)")
    # A trigger rather than the engine's own writes: deleting an organisation removes its
    # document through the foreign key's cascade, which no engine code sees. A rebuild sets
    # cluster.search_rebuild and bumps the number once as it ends, so it does not hold the row
    # (and every other writer) for its whole length.
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


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS search_documents_changed ON search_documents")
    op.execute("DROP FUNCTION IF EXISTS search_documents_changed()")
    op.execute("DROP TABLE IF EXISTS search_state")
