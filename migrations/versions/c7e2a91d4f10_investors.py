"""investors: type, stages invested in, ticket size and instruments

Revision ID: c7e2a91d4f10
Revises: b36d1106540f
Create Date: 2026-12-01 16:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c7e2a91d4f10"
down_revision = "b36d1106540f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("investor_type", sa.String(length=30), nullable=True))
        batch_op.add_column(
            sa.Column("focus_stages", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.add_column(sa.Column("ticket_min", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("ticket_max", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("ticket_currency", sa.String(length=3), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("instruments", sa.JSON(), server_default="[]", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("instruments")
        batch_op.drop_column("ticket_currency")
        batch_op.drop_column("ticket_max")
        batch_op.drop_column("ticket_min")
        batch_op.drop_column("focus_stages")
        batch_op.drop_column("investor_type")
