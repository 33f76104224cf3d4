"""an index on organisations.updated_at, read by the investor view to notice changes

Revision ID: a7d4e2f9c3b1
Revises: f3a9b6c2d810
Create Date: 2026-12-01 16:45:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a7d4e2f9c3b1"
down_revision = "f3a9b6c2d810"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_updated_at"), ["updated_at"])


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_updated_at"))
