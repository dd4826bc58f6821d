"""The append-only audit log of security events.

Callers pass the event name, the user and service it concerns, and harmless
details; the request's address, user agent and id are added here. Nothing
that is a password, a token or a client secret is ever passed in.
"""

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import db
from .models import AuditEvent

log = logging.getLogger(__name__)

PENDING = "queue.audit.pending"

EVENTS = frozenset(
    {
        "sign_up",
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "sign_out_everywhere",
        "tokens_revoked",
        "password_changed",
        "password_check_failed",
        "profile_updated",
        "deactivated",
        "service_auth_failed",
        "throttled",
        "client_created",
        "client_rotated",
    }
)


def record(
    db: Session,
    event: str,
    *,
    user_id: str | None = None,
    client_id: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add one event to ``db``'s transaction; the caller commits."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")

    row = AuditEvent(
        occurred_at=datetime.now(UTC),
        event=event,
        user_id=user_id,
        client_id=client_id,
        details=details,
        **_request_fields(),
    )
    db.add(row)
    db.info.setdefault(PENDING, []).append(
        {"event": event, "user_id": user_id, "client_id": client_id}
    )
    return row


def _log_committed(session: Session) -> None:
    # Logged once the row is committed: a sign-up that lost a race, or a
    # transaction that failed, must not appear in the logs as having happened.
    for fields in session.info.pop(PENDING, []):
        log.info("security event", extra=fields)


def _forget(session: Session, *args: object) -> None:
    session.info.pop(PENDING, None)


def init_app(app: Flask) -> None:
    factory = app.extensions[db.EXTENSION]
    event.listen(factory, "after_commit", _log_committed)
    event.listen(factory, "after_rollback", _forget)


def _request_fields() -> dict[str, str | None]:
    if not has_request_context():
        return {"ip": None, "user_agent": "cli", "request_id": None}
    agent = request.headers.get("User-Agent")
    address = request.remote_addr
    return {
        "ip": address[:64] if address else None,
        "user_agent": agent[:512] if agent else None,
        "request_id": g.get("request_id"),
    }
