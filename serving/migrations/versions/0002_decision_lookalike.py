"""Neutral decisions record their look-alike type; the settled one is kept on the review item.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("lookalike", sa.String(30)))
    with op.batch_alter_table("review_items") as batch:
        batch.add_column(sa.Column("label_lookalike", sa.String(30)))


def downgrade() -> None:
    with op.batch_alter_table("review_items") as batch:
        batch.drop_column("label_lookalike")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("lookalike")
