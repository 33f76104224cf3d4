"""an index on organisations.logo: every request for a logo looks its organisation up

Revision ID: 1786034c4b06
Revises: a7d4e2f9c3b1
Create Date: 2026-12-01 16:30:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "1786034c4b06"
down_revision = "a7d4e2f9c3b1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisations_logo"), ["logo"], unique=False)


def downgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisations_logo"))
