"""Alembic's entry point for Queue; the engine comes from the caller."""

from alembic import context

from queue_identity.models import VERSION_TABLE, Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
