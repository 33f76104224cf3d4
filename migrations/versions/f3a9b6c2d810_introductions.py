"""introductions: visitors' requests to be introduced to an organisation

Revision ID: f3a9b6c2d810
Revises: e4b7d2a9c6f1
Create Date: 2026-12-01 16:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3a9b6c2d810"
down_revision = "e4b7d2a9c6f1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "introductions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("forwarded_to", sa.String(length=254), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_introductions_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_introductions_organisation_id"), ["organisation_id"])
        batch_op.create_index(batch_op.f("ix_introductions_status"), ["status"])


def downgrade():
    with op.batch_alter_table("introductions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_introductions_status"))
        batch_op.drop_index(batch_op.f("ix_introductions_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_introductions_created_at"))
    op.drop_table("introductions")
