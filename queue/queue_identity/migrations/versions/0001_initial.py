"""Queue's first tables: users, tokens, service clients, audit events.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from queue_identity.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

AUDIT = "queue_audit_events"


def upgrade() -> None:
    op.create_table(
        "queue_users",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deactivated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_queue_users"),
        sa.UniqueConstraint("email_key", name="uq_queue_users_email_key"),
    )
    op.create_table(
        "queue_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["queue_users.id"],
            name="fk_queue_tokens_user_id_queue_users",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_queue_tokens"),
        sa.UniqueConstraint("digest", name="uq_queue_tokens_digest"),
    )
    op.create_index("ix_queue_tokens_user_id", "queue_tokens", ["user_id"])
    op.create_table(
        "queue_service_clients",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("secret_digest", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("rotated_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_queue_service_clients"),
    )
    op.create_table(
        AUDIT,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("user_id", sa.String(36), nullable=True),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.Column("request_id", sa.String(200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{AUDIT}"),
    )
    op.create_index(f"ix_{AUDIT}_user_id", AUDIT, ["user_id"])
    _make_audit_append_only()


def _make_audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION queue_audit_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{AUDIT} is append-only'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {AUDIT}_append_only BEFORE UPDATE OR DELETE "
            f"ON {AUDIT} FOR EACH ROW EXECUTE FUNCTION queue_audit_append_only()"
        )
        return

    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {AUDIT}_no_{action.lower()} BEFORE {action} ON {AUDIT} "
            f"BEGIN SELECT RAISE(ABORT, '{AUDIT} is append-only'); END"
        )


def downgrade() -> None:
    op.drop_table(AUDIT)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS queue_audit_append_only()")
    op.drop_table("queue_service_clients")
    op.drop_index("ix_queue_tokens_user_id", table_name="queue_tokens")
    op.drop_table("queue_tokens")
    op.drop_table("queue_users")
