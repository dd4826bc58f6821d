"""Who is calling: Raptor's identity guard, over Queue's public contract.

Raptor learns identity only from Queue, through :mod:`queue_identity.client`.
Which transport that client uses is chosen once, from Raptor's config:

- ``RAPTOR_QUEUE_URL`` set: HTTP to the Queue at that root URL;
- otherwise, Queue's app in this process, when the composition root mounts it;
- otherwise, identity is unavailable, and only the guarded views say so.

Views that need the caller wear :func:`required`; they read the caller with
:func:`current`. Every other view never touches Queue.
"""

import functools
import logging
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from flask import Flask, current_app, g, request
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import ServiceUnavailable, Unauthorized

from queue_identity.client import Identity, NotAuthorized, QueueClient, QueueError

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger(__name__)

EXTENSION = "raptor.identity"

P = ParamSpec("P")
R = TypeVar("R")

# RFC 6750's b64token, bounded: anything else is not worth asking Queue about.
_BEARER = re.compile(r"Bearer +([A-Za-z0-9._~+/-]{1,1024}=*)", re.IGNORECASE)


class IdentityUnavailable(ServiceUnavailable):
    """Raptor cannot tell who is calling: Queue is disabled or failing."""

    name = "Identity Unavailable"


def init_app(app: Flask) -> None:
    """Build Raptor's Queue client from its config and keep it on ``app``."""
    queue_app = app.extensions.get("raptor.queue_app")
    mounts = app.extensions.get("raptor.mounts", {})
    app.extensions[EXTENSION] = build_client(app.config, queue_app, mounts)


def build_client(
    config: Mapping[str, Any],
    queue_app: "WSGIApplication | None",
    mounts: Mapping[str, str],
) -> QueueClient | None:
    """The client Raptor's config asks for, or None when identity is off.

    In-process, Queue is called at the prefix it is mounted under, so it
    sees the same paths and generates the same links as for outside calls.
    """
    credentials = {
        "client_id": config["QUEUE_CLIENT_ID"],
        "client_secret": config["QUEUE_CLIENT_SECRET"] or "",
        "timeout": float(config["QUEUE_TIMEOUT"]),
    }
    if config["QUEUE_URL"]:
        return QueueClient.over_http(config["QUEUE_URL"], **credentials)

    if queue_app is None:
        return None

    prefix = next((path for path, name in mounts.items() if name == "queue"), "")
    return QueueClient.in_process(queue_app, script_name=prefix, **credentials)


def client() -> QueueClient:
    """The current app's Queue client; 503 when identity is switched off."""
    queue: QueueClient | None = current_app.extensions.get(EXTENSION)
    if queue is None:
        raise IdentityUnavailable("Identity is not configured for this service.")
    return queue


def required(view: Callable[P, R]) -> Callable[P, R]:
    """Serve ``view`` only to a caller with an active bearer token.

    401 without a well-formed, active token; 503 when Queue cannot say,
    including when identity is switched off, whatever the request carries.
    """

    @functools.wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        queue = client()
        token = _bearer_token()
        g.identity = _introspect(queue, token)
        return view(*args, **kwargs)

    return guarded


def current() -> Identity:
    """The caller of a view guarded by :func:`required`."""
    identity: Identity = g.identity
    return identity


def queue_readiness() -> str:
    """Queue's readiness as Raptor sees it: ``ok``, ``unavailable``, ``disabled``."""
    queue: QueueClient | None = current_app.extensions.get(EXTENSION)
    if queue is None:
        return "disabled"

    return "ok" if queue.ready(request_id=g.get("request_id")) else "unavailable"


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    match = _BEARER.fullmatch(header.strip())
    if match is None:
        raise _challenge("A bearer token is required.", error=None)
    return match.group(1)


def _introspect(queue: QueueClient, token: str) -> Identity:
    try:
        identity = queue.introspect(token, request_id=g.get("request_id"))
    except NotAuthorized:
        # Raptor's own credentials are wrong: an operator must act, the
        # caller cannot, so it is an outage to them and an error to us.
        log.error("queue refused raptor's service credentials")
        raise IdentityUnavailable("Identity is unavailable; retry later.") from None
    except QueueError as error:
        log.warning("queue unavailable", extra={"reason": str(error)})
        raise IdentityUnavailable("Identity is unavailable; retry later.") from None

    if identity is None:
        raise _challenge("The bearer token is not active.", error="invalid_token")
    return identity


def _challenge(detail: str, *, error: str | None) -> Unauthorized:
    values: dict[str, str | None] = {"realm": "raptor"}
    if error is not None:
        values["error"] = error
    return Unauthorized(detail, www_authenticate=WWWAuthenticate("Bearer", values))
