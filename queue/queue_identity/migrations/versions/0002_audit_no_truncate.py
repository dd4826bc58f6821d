"""Refuse TRUNCATE on the audit log too, on Postgres.

Row triggers stop UPDATE and DELETE, but TRUNCATE fires no row trigger;
SQLite has no TRUNCATE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

AUDIT = "queue_audit_events"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {AUDIT}_no_truncate BEFORE TRUNCATE ON {AUDIT} "
            "FOR EACH STATEMENT EXECUTE FUNCTION queue_audit_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {AUDIT}_no_truncate ON {AUDIT}")
