"""Alembic environment: migrations run on the connection Netra hands over (see serving/db.py)."""

from alembic import context

from netra.serving.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
