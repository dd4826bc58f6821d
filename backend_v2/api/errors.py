"""Raptor's error responses: every failure as ``application/problem+json``."""

import logging

from flask import Flask, Response, g, json, request
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://raptor.invalid/problems/"


class ApiError(Exception):
    """An error a Raptor view raises for the client: status, slug, sentence."""

    def __init__(self, status: int, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.slug, self.detail = status, slug, detail

    def to_response(self) -> Response:
        return _render(self.status, self.slug, self.detail, [])


def _render(
    status: int, slug: str, detail: str, headers: list[tuple[str, str]]
) -> Response:
    body = {
        "type": PROBLEM_TYPE_BASE + slug,
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "request_id": g.get("request_id"),
    }
    response = Response(
        json.dumps(body), status=status, mimetype="application/problem+json"
    )
    response.headers.extend((k, v) for k, v in headers if k.lower() != "content-type")
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    slug = (error.name or "error").lower().replace(" ", "-")
    return _render(status, slug, error.description or "", error.get_headers())


def _internal_error(error: InternalServerError) -> Response:
    original = error.original_exception or error
    log.error(
        "unhandled exception",
        exc_info=(type(original), original, original.__traceback__),
        extra={"path": request.path, "method": request.method},
    )
    return _render(500, "internal-error", "Raptor failed to answer; retry later.", [])


def _leave_logging_to_handler(exc_info: object) -> None:
    """Stand in for ``Flask.log_exception``: the 500 handler logs instead."""


def register(app: Flask) -> None:
    """Install Raptor's error handlers on ``app``."""
    # Flask logs every unhandled exception itself, then calls the 500
    # handler, which logs it again with fixed fields: keep only that one.
    app.log_exception = _leave_logging_to_handler  # type: ignore[method-assign]

    app.register_error_handler(ApiError, ApiError.to_response)
    app.register_error_handler(InternalServerError, _internal_error)
    app.register_error_handler(HTTPException, _http_error)
