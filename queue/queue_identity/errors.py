"""Every error Queue answers, as one RFC 9457 ``application/problem+json`` shape.

Views raise :class:`ApiError` (or let werkzeug raise an ``HTTPException``);
the handlers registered here turn either into the same body. Anything else is
logged once with its traceback and answered as a bare 500.
"""

import logging
from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, g, json, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://queue.invalid/problems/"
MEDIA_TYPE = "application/problem+json"


class ApiError(Exception):
    """An error a client can act on: a status, a stable slug and a sentence."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_body(
    status: int, slug: str, detail: str, request_id: str | None, **extra: Any
) -> dict[str, Any]:
    """The RFC 9457 members of one error, plus the request id."""
    return {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "request_id": request_id,
        **extra,
    }


INTERNAL_ERROR = ("internal-error", "The server failed to answer; retry later.")


def problem(
    status: int,
    slug: str,
    detail: str,
    headers: Iterable[tuple[str, str]] = (),
    **extra: Any,
) -> Response:
    """Build a problem+json response for the current request."""
    body = problem_body(status, slug, detail, g.get("request_id"), **extra)
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in headers:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_api_error(error: ApiError) -> Response:
    return problem(
        error.status, error.slug, error.detail, error.headers.items(), **error.extra
    )


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    slug = (error.name or "error").lower().replace(" ", "-")
    detail = error.description or HTTP_STATUS_CODES.get(status, "Error")
    return problem(status, slug, detail, error.get_headers())


def handle_unexpected(error: Exception) -> Response:
    # Flask hands unhandled exceptions here wrapped in InternalServerError.
    original = getattr(error, "original_exception", None) or error
    log.error(
        "unhandled exception",
        exc_info=(type(original), original, original.__traceback__),
        extra={"path": request.path, "method": request.method},
    )
    return problem(500, *INTERNAL_ERROR)


def handle_database_unavailable(error: SQLAlchemyError) -> Response:
    # The database refusing connections or the pool running dry is an outage
    # to wait out, not a bug: answer 503 so that clients and Raptor retry.
    # One line per request, not a traceback: during an outage every request
    # fails the same way, and the driver's message says why.
    cause = getattr(error, "orig", None) or error
    log.error(
        "database unavailable",
        extra={
            "path": request.path,
            "error": type(cause).__name__,
            "reason": (str(cause).splitlines() or [""])[0][:200],
        },
    )
    return problem(
        503,
        "database-unavailable",
        "Queue cannot reach its database; retry shortly.",
        [("Retry-After", "5")],
    )


def _leave_logging_to_handler(exc_info: object) -> None:
    """Stand in for ``Flask.log_exception``: the 500 handler logs instead."""


def register(app: Flask) -> None:
    """Install Queue's error handlers on ``app``."""
    # Flask logs every unhandled exception itself, then calls the 500
    # handler, which logs it again with fixed fields: keep only that one.
    app.log_exception = _leave_logging_to_handler  # type: ignore[method-assign]

    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(HTTPException, handle_http_exception)
    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error, handle_database_unavailable)
