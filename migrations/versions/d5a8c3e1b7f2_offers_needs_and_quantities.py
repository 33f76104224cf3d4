"""offers and needs as canonical capabilities; minimum order and capacity as numbers

Revision ID: d5a8c3e1b7f2
Revises: c7e2a91d4f10
Create Date: 2026-12-01 16:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d5a8c3e1b7f2"
down_revision = "c7e2a91d4f10"
branch_labels = None
depends_on = None

ORGANISATIONS = sa.table(
    "organisations",
    sa.column("id", sa.Integer),
    sa.column("capabilities", sa.JSON),
    sa.column("equipment", sa.JSON),
    sa.column("programmes", sa.JSON),
    sa.column("needs", sa.JSON),
    sa.column("min_order", sa.String),
    sa.column("capacity", sa.String),
    sa.column("offers", sa.JSON),
    sa.column("needs_capabilities", sa.JSON),
    sa.column("min_order_quantity", sa.BigInteger),
    sa.column("min_order_unit", sa.String),
    sa.column("capacity_quantity", sa.BigInteger),
    sa.column("capacity_unit", sa.String),
)


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("offers", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column(
                "needs_capabilities", sa.JSON(), nullable=False, server_default=sa.text("'[]'")
            )
        )
        batch_op.add_column(
            sa.Column("capability_edits", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(sa.Column("min_order_quantity", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("min_order_unit", sa.String(length=12), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("capacity_quantity", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("capacity_unit", sa.String(length=12), nullable=False, server_default="")
        )
        batch_op.create_index(
            batch_op.f("ix_organisations_min_order_quantity"), ["min_order_quantity"], unique=False
        )
    fill_existing_rows()
    if op.get_bind().dialect.name == "postgresql":
        # The PostgreSQL engine's documents carry both lists as facets (rebuild the index to
        # fill them for rows indexed before).
        op.execute(
            "ALTER TABLE search_documents"
            " ADD COLUMN offers text[] NOT NULL DEFAULT '{}',"
            " ADD COLUMN needs text[] NOT NULL DEFAULT '{}',"
            " ADD COLUMN offers_key text NOT NULL DEFAULT '',"
            " ADD COLUMN needs_key text NOT NULL DEFAULT ''"
        )
        op.execute(
            "ALTER TABLE search_documents ALTER COLUMN offers SET STORAGE PLAIN,"
            " ALTER COLUMN needs SET STORAGE PLAIN, ALTER COLUMN offers_key SET STORAGE PLAIN,"
            " ALTER COLUMN needs_key SET STORAGE PLAIN"
        )


def fill_existing_rows():
    """Read what each organisation offers and needs, and its quantities, from today's text.

    With the application's own reading (services/matchmaking.py), as every later save does;
    text without a number and a known unit stays as written (the staff dashboard lists it).
    """
    from types import SimpleNamespace

    from cluster.services import matchmaking

    conn = op.get_bind()
    for row in conn.execute(sa.select(ORGANISATIONS)).mappings().all():
        org = SimpleNamespace(**{**dict(row), "capability_edits": {}})
        org.offers = matchmaking.found(org, "offers")
        org.needs_capabilities = matchmaking.found(org, "needs_capabilities")
        matchmaking.fill_quantities(org)
        conn.execute(
            ORGANISATIONS.update()
            .where(ORGANISATIONS.c.id == row["id"])
            .values(
                offers=org.offers,
                needs_capabilities=org.needs_capabilities,
                min_order_quantity=org.min_order_quantity,
                min_order_unit=org.min_order_unit,
                capacity_quantity=org.capacity_quantity,
                capacity_unit=org.capacity_unit,
            )
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE search_documents DROP COLUMN offers, DROP COLUMN needs,"
            " DROP COLUMN offers_key, DROP COLUMN needs_key"
        )
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_min_order_quantity"))
        batch_op.drop_column("capacity_unit")
        batch_op.drop_column("capacity_quantity")
        batch_op.drop_column("min_order_unit")
        batch_op.drop_column("min_order_quantity")
        batch_op.drop_column("capability_edits")
        batch_op.drop_column("needs_capabilities")
        batch_op.drop_column("offers")
