"""WSGI layers that wrap Queue's Flask app inside its own factory.

They sit under Flask so that they hold for Queue alone and for Queue mounted
in the composed service alike: every response carries a request id, and an
exception raised while the body is being iterated, after Flask has returned,
still ends as Queue's own JSON 500 instead of escaping into the server.
"""

import json
import logging
import re
import sys
import threading
import uuid
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from werkzeug.wsgi import ClosingIterator

from .errors import INTERNAL_ERROR, problem_body

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

ENVIRON_KEY = "queue.request_id"
HEADER = "X-Request-ID"

# What Heroku's router sends: 20 to 200 of these characters.
_ROUTER_ID = re.compile(r"[A-Za-z0-9+/=-]{20,200}")


def accepted_request_id(value: str | None) -> str:
    """Keep a router-style incoming id, or make a new one."""
    if value and _ROUTER_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestId:
    """Give each request an id, expose it in the environ, echo it back."""

    def __init__(self, app: "WSGIApplication") -> None:
        self.app = app

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        request_id = accepted_request_id(environ.get("HTTP_X_REQUEST_ID"))
        environ[ENVIRON_KEY] = request_id

        def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append((HEADER, request_id))
            return start_response(status, headers, *exc)

        return self.app(environ, start)


class ContainBodyErrors:
    """Turn an exception raised while iterating a body into a JSON 500.

    The real ``start_response`` is held back until the first non-empty chunk,
    so a body that fails before producing anything can still be replaced.
    Once bytes have gone out the exception is re-raised, and the server
    closes the connection: a truncated body must not pass for a whole one.
    """

    def __init__(self, app: "WSGIApplication") -> None:
        self.app = app

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        held: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            held[:] = [status, headers, *exc]
            return lambda data: None  # the legacy write() is never used here

        body = self.app(environ, hold)
        # The server's close() must reach the app's body even when it never
        # starts iterating, which a generator's own finally cannot promise.
        close = getattr(body, "close", None)
        contained = self._iterate(environ, body, held, start_response)
        return ClosingIterator(contained, [close] if close is not None else None)

    def _iterate(
        self,
        environ: "WSGIEnvironment",
        body: Iterable[bytes],
        held: list[Any],
        start_response: "StartResponse",
    ) -> Iterator[bytes]:
        started = False
        try:
            for chunk in body:
                if not started and chunk:
                    start_response(*held)
                    started = True
                if chunk:
                    yield chunk
        except Exception:
            log.exception("response body failed")
            if started:
                raise
            yield self._failure(environ, start_response)
            return

        if not started:
            start_response(*held)

    def _failure(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> bytes:
        body = problem_body(500, *INTERNAL_ERROR, environ.get(ENVIRON_KEY))
        payload = json.dumps(body).encode()
        start_response(
            "500 INTERNAL SERVER ERROR",
            [
                ("Content-Type", "application/problem+json"),
                ("Content-Length", str(len(payload))),
            ],
            sys.exc_info(),
        )
        return payload


class InFlightCap:
    """Serve at most ``limit`` Queue requests at once in this process.

    Queue shares gunicorn's threads with Raptor. When Queue is slow (its
    database hangs, a burst of sign-ins waits for hashing slots), requests
    beyond the cap are refused at once with 503 rather than occupy every
    thread of the worker and starve Raptor's routes.
    """

    def __init__(self, app: "WSGIApplication", limit: int) -> None:
        self.app = app
        self.slots = threading.BoundedSemaphore(limit)

    def __call__(
        self, environ: "WSGIEnvironment", start_response: "StartResponse"
    ) -> Iterable[bytes]:
        if not self.slots.acquire(blocking=False):
            return _busy(environ, start_response)

        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.slots.release()
            raise
        return ClosingIterator(body, [self.slots.release])


def _busy(environ: "WSGIEnvironment", start_response: "StartResponse") -> list[bytes]:
    detail = "Queue is serving as many requests as it may at once; retry shortly."
    body = problem_body(503, "busy", detail, environ.get(ENVIRON_KEY))
    payload = json.dumps(body).encode()
    start_response(
        "503 SERVICE UNAVAILABLE",
        [
            ("Content-Type", "application/problem+json"),
            ("Content-Length", str(len(payload))),
            ("Retry-After", "1"),
        ],
    )
    return [payload]
