"""The append-only audit log of security events.

Callers pass the event name, the user and service it concerns, and harmless
details; the request's address, user agent and id are added here. Nothing
that is a password, a token or a client secret is ever passed in.
"""

import logging
from datetime import UTC, datetime
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy.orm import Session

from .models import AuditEvent

log = logging.getLogger(__name__)

EVENTS = frozenset(
    {
        "sign_up",
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "sign_out_everywhere",
        "tokens_revoked",
        "password_changed",
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
    log.info(
        "security event",
        extra={"event": event, "user_id": user_id, "client_id": client_id},
    )
    return row


def _request_fields() -> dict[str, str | None]:
    if not has_request_context():
        return {"ip": None, "user_agent": "cli", "request_id": None}
    agent = request.headers.get("User-Agent")
    return {
        "ip": request.remote_addr,
        "user_agent": agent[:512] if agent else None,
        "request_id": g.get("request_id"),
    }
