"""Queue's public contract: the one module other services import from Queue.

A :class:`QueueClient` answers the two questions a caller of Queue has: who
holds this bearer token (:meth:`QueueClient.introspect`) and who is this user
(:meth:`QueueClient.get_user`). It speaks Queue's HTTP API over one of two
transports, chosen when it is built and invisible afterwards:

- :meth:`QueueClient.in_process` calls Queue's WSGI app in this process,
  without a socket, while Queue is mounted beside its caller;
- :meth:`QueueClient.over_http` keeps connections alive to a standalone
  Queue at its own root URL, after extraction.

Both authenticate as a service client with HTTP Basic, so Queue enforces
service authentication even in-process. Failures surface as this module's
exceptions, never as transport errors. The module imports nothing else from
Queue's package: a caller that imports it depends on the contract alone.
"""

import logging
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger(__name__)

# The in-process transport needs an absolute URL; no network is crossed, so
# the request is as private as TLS would make it, and the scheme says so.
IN_PROCESS_URL = "https://queue.internal"

# In-process calls run on their own threads so that the timeout holds; this
# many may be in flight, abandoned ones included, before callers wait.
IN_PROCESS_SLOTS = 8


# A call waiting for a thread of the in-process transport, and its answer.


class QueueError(Exception):
    """Queue could not answer the question; the caller cannot tell who it is."""


class QueueUnavailable(QueueError):
    """Queue is unreachable, slower than the timeout, or failing (5xx, 429)."""


class NotAuthorized(QueueError):
    """Queue refused this service's client id and secret (401 or 403)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """The holder of an active access token, as Queue introspected it."""

    user_id: str
    email: str
    name: str
    client_id: str
    issued_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class User:
    """A user as Queue stores them, seen by a service client."""

    id: str
    email: str
    name: str
    created_at: datetime


class QueueClient:
    """Queue's contract over one transport; safe to share between threads."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        client_id: str,
        client_secret: str,
    ) -> None:
        self._http = http
        self._auth = httpx.BasicAuth(client_id, client_secret)

    @classmethod
    def in_process(
        cls,
        app: "WSGIApplication",
        *,
        client_id: str,
        client_secret: str,
        timeout: float,
        script_name: str = "",
    ) -> "QueueClient":
        """Call Queue's WSGI ``app`` in this process, mounted at ``script_name``.

        Each call runs on a worker thread and is abandoned after ``timeout``
        seconds, so a slow Queue fails the same way in-process as over HTTP.
        """
        wsgi = httpx.WSGITransport(
            app, script_name=script_name, raise_app_exceptions=False
        )
        http = httpx.Client(
            base_url=IN_PROCESS_URL,
            transport=_Deadline(wsgi, timeout),
            timeout=timeout,
        )
        return cls(http, client_id=client_id, client_secret=client_secret)

    @classmethod
    def over_http(
        cls,
        url: str,
        *,
        client_id: str,
        client_secret: str,
        timeout: float,
    ) -> "QueueClient":
        """Speak HTTP to the Queue whose root (where ``/readyz`` is) is ``url``.

        ``timeout`` bounds each phase of a call: connecting, sending, waiting
        for a byte of the answer, and waiting for a pooled connection.
        """
        http = httpx.Client(
            base_url=url,
            timeout=timeout,
            limits=httpx.Limits(max_connections=32, keepalive_expiry=30),
            # Queue is exactly at ``url``: proxy variables set for other
            # traffic must not divert calls that carry the service secret.
            trust_env=False,
        )
        return cls(http, client_id=client_id, client_secret=client_secret)

    def introspect(
        self, token: str, *, request_id: str | None = None
    ) -> Identity | None:
        """The holder of ``token``, or None when Queue says it is not active.

        Raises :class:`NotAuthorized` when Queue refuses this service and
        :class:`QueueUnavailable` when Queue cannot answer.
        """
        if not token:
            return None

        response = self._send(
            "POST", "/tokens/introspect", request_id, data={"token": token}
        )
        _expect(response, 200)
        return _identity(_json(response))

    def get_user(self, user_id: str, *, request_id: str | None = None) -> User | None:
        """The user with id ``user_id``, or None when Queue knows no such user.

        An id that is not a UUID names no user; it is never sent, so it cannot
        steer the request to another path. Raises as :meth:`introspect` does.
        """
        try:
            canonical = str(uuid.UUID(user_id))
        except ValueError:
            return None

        response = self._send("GET", f"/users/{canonical}", request_id)
        if response.status_code == 404:
            return None

        _expect(response, 200)
        return _user(_json(response))

    def ready(self, *, request_id: str | None = None) -> bool:
        """Whether Queue says it is ready to serve; never raises."""
        try:
            response = self._send("GET", "/readyz", request_id, auth=False)
        except QueueError:
            return False

        return response.status_code == 200 and _ready(response)

    def close(self) -> None:
        """Close kept-alive connections; the client is unusable afterwards."""
        self._http.close()

    def _send(
        self,
        method: str,
        path: str,
        request_id: str | None,
        *,
        auth: bool = True,
        data: dict[str, str] | None = None,
    ) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if request_id:
            headers["X-Request-ID"] = request_id

        try:
            return self._http.request(
                method,
                path,
                data=data,
                headers=headers,
                auth=self._auth if auth else None,
            )
        except httpx.TimeoutException as error:
            raise QueueUnavailable(f"Queue did not answer in time ({error})") from error
        except httpx.TransportError as error:
            raise QueueUnavailable(f"Queue could not be reached ({error})") from error


def _expect(response: httpx.Response, status: int) -> None:
    code = response.status_code
    if code == status:
        return

    if code in (401, 403):
        raise NotAuthorized(f"Queue refused the service credentials ({code})")
    if code == 429 or code >= 500:
        raise QueueUnavailable(f"Queue answered {code}")
    raise QueueError(f"Queue answered {code} where {status} was expected")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as error:
        raise QueueError("Queue answered something other than JSON") from error

    if not isinstance(body, dict):
        raise QueueError("Queue answered JSON that is not an object")
    return body


def _identity(body: dict[str, Any]) -> Identity | None:
    # Introspection answers exactly {"active": false} for any token that is
    # unknown, expired or revoked; only a literal true means a live token.
    if body.get("active") is not True:
        return None

    try:
        return Identity(
            user_id=_text(body, "sub"),
            email=_text(body, "email"),
            name=_text(body, "name"),
            client_id=_text(body, "client_id"),
            issued_at=_instant(body["iat"]),
            expires_at=_instant(body["exp"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise QueueError(
            f"Queue's introspection answer is malformed ({error})"
        ) from error


def _user(body: dict[str, Any]) -> User:
    try:
        return User(
            id=_text(body, "id"),
            email=_text(body, "email"),
            name=_text(body, "name"),
            created_at=_instant(body["created_at"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise QueueError(f"Queue's user answer is malformed ({error})") from error


def _ready(response: httpx.Response) -> bool:
    try:
        return _json(response).get("status") == "ok"
    except QueueError:
        return False


def _text(body: dict[str, Any], key: str) -> str:
    value = body[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value


def _instant(value: object) -> datetime:
    """A moment from Queue: seconds since the epoch, or ISO 8601 text."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a moment")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise TypeError(f"{value!r} is not a moment")


class _Deadline(httpx.BaseTransport):
    """Give up on an in-process call after ``timeout`` seconds.

    A WSGI call cannot be interrupted, so it runs on a pool thread that is
    left to finish on its own; the slots bound how many may pile up while
    Queue is stuck, and the pool keeps its threads for the next call. The
    body is read on that thread too, so that all of Queue's work happens
    there and the caller's thread only waits.
    """

    def __init__(self, inner: httpx.BaseTransport, timeout: float) -> None:
        self._inner = inner
        self._timeout = timeout
        self._slots = threading.BoundedSemaphore(IN_PROCESS_SLOTS)
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._pid = os.getpid()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self._slots.acquire(timeout=self._timeout):
            raise httpx.PoolTimeout("every in-process slot is busy", request=request)

        try:
            answer = self._executor().submit(self._call, request)
        except BaseException:
            self._slots.release()
            raise
        answer.add_done_callback(lambda _: self._slots.release())
        try:
            return answer.result(timeout=self._timeout)
        except FutureTimeout:
            raise httpx.ReadTimeout("Queue is still working", request=request) from None

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            # A forked child has none of its parent's threads: start afresh.
            if self._pool is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._pool = ThreadPoolExecutor(
                    IN_PROCESS_SLOTS, thread_name_prefix="queue-in-process"
                )
            return self._pool

    def _call(self, request: httpx.Request) -> httpx.Response:
        try:
            response = self._inner.handle_request(request)
            response.read()
            return response
        except Exception as error:
            # Only a fault in Queue's own WSGI layers gets here; Flask turns
            # a failing view into a 500 answer before that.
            log.exception("in-process Queue call raised")
            raise httpx.TransportError(f"Queue raised {type(error).__name__}") from None

    def close(self) -> None:
        # Idle threads stop now; stuck ones when their call returns.
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False)
        self._inner.close()
