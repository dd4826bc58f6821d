"""How Queue's client fails, the same way over each transport.

The stand-in Queue misbehaves on request; the real one cannot be told to be
slow or broken. Each case runs against the stand-in in-process and served
on a loopback port.
"""

import json
import threading
import time
from collections.abc import Iterator

import pytest

from queue_identity.client import (
    IN_PROCESS_SLOTS,
    NotAuthorized,
    QueueClient,
    QueueError,
    QueueUnavailable,
)
from tests.contract.stub_queue import (
    CLIENT_ID,
    CLIENT_SECRET,
    INTROSPECTION,
    LIVE_TOKEN,
    USER,
    Behaviour,
    serve,
    stub_queue,
)
from tests.servers import free_port

REQUEST_ID = "client-failures-0123456789"


@pytest.fixture
def behaviour() -> Behaviour:
    return Behaviour()


@pytest.fixture(params=["in-process", "http"])
def queue(
    request: pytest.FixtureRequest, behaviour: Behaviour
) -> Iterator[QueueClient]:
    """A client with a short timeout, over each transport to the stand-in."""
    app = stub_queue(behaviour)
    options = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "timeout": 0.3}
    if request.param == "in-process":
        client = QueueClient.in_process(app, **options)
        yield client
        client.close()
        return

    with serve(app) as url:
        client = QueueClient.over_http(url, **options)
        yield client
        client.close()


def test_client_stand_in_answers_like_queue(queue: QueueClient) -> None:
    identity = queue.introspect(LIVE_TOKEN)
    user = queue.get_user(USER["id"])

    assert identity is not None and identity.user_id == USER["id"]
    assert user is not None and user.email == USER["email"]


def test_client_sends_request_id_and_service_auth(
    queue: QueueClient, behaviour: Behaviour
) -> None:
    queue.introspect(LIVE_TOKEN, request_id=REQUEST_ID)

    headers = behaviour.seen[-1]
    assert headers["X-Request-Id"] == REQUEST_ID
    assert headers["Authorization"].startswith("Basic ")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_client_slower_than_timeout_is_unavailable(
    queue: QueueClient, behaviour: Behaviour
) -> None:
    behaviour.delay = 1.0
    started = time.monotonic()

    with pytest.raises(QueueUnavailable, match="in time"):
        queue.introspect(LIVE_TOKEN)

    assert time.monotonic() - started < 0.9


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_client_queue_failing_is_unavailable(
    queue: QueueClient, behaviour: Behaviour, status: int
) -> None:
    behaviour.status = status

    with pytest.raises(QueueUnavailable):
        queue.introspect(LIVE_TOKEN)
    with pytest.raises(QueueUnavailable):
        queue.get_user(USER["id"])


@pytest.mark.parametrize("status", [401, 403])
def test_client_refused_service_is_not_authorized(
    queue: QueueClient, behaviour: Behaviour, status: int
) -> None:
    behaviour.status = status

    with pytest.raises(NotAuthorized):
        queue.introspect(LIVE_TOKEN)


@pytest.mark.parametrize(
    "body",
    [
        "<html>gateway</html>",
        "[]",
        json.dumps({**INTROSPECTION, "sub": 7}),
        json.dumps({**INTROSPECTION, "exp": "soon"}),
        json.dumps({key: v for key, v in INTROSPECTION.items() if key != "email"}),
    ],
    ids=["html", "array", "sub-not-text", "exp-not-a-moment", "email-missing"],
)
def test_client_malformed_introspection_is_queue_error(
    queue: QueueClient, behaviour: Behaviour, body: str
) -> None:
    behaviour.status, behaviour.body = 200, body

    with pytest.raises(QueueError):
        queue.introspect(LIVE_TOKEN)


@pytest.mark.parametrize("active", [False, "true", 1, None])
def test_client_anything_but_active_true_is_none(
    queue: QueueClient, behaviour: Behaviour, active: object
) -> None:
    behaviour.status = 200
    behaviour.body = json.dumps({**INTROSPECTION, "active": active})

    assert queue.introspect(LIVE_TOKEN) is None


def test_client_unexpected_status_is_queue_error(
    queue: QueueClient, behaviour: Behaviour
) -> None:
    behaviour.status = 400

    with pytest.raises(QueueError) as raised:
        queue.introspect(LIVE_TOKEN)

    assert not isinstance(raised.value, QueueUnavailable | NotAuthorized)


def test_client_ready_follows_queue_readyz(
    queue: QueueClient, behaviour: Behaviour
) -> None:
    assert queue.ready() is True

    behaviour.ready = False
    assert queue.ready() is False

    behaviour.delay = 1.0
    assert queue.ready() is False


def test_client_unreachable_queue_is_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = QueueClient.over_http(
        url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, timeout=0.3
    )

    with pytest.raises(QueueUnavailable, match="reached"):
        client.introspect(LIVE_TOKEN)
    assert client.ready() is False


def test_client_in_process_app_raising_is_unavailable() -> None:
    def broken(environ: object, start_response: object) -> list[bytes]:
        raise RuntimeError("a fault under Queue's error handlers")

    client = QueueClient.in_process(
        broken, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, timeout=0.3
    )

    with pytest.raises(QueueUnavailable):
        client.introspect(LIVE_TOKEN)


def test_client_over_http_ignores_proxy_variables(
    behaviour: Behaviour, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, dead_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)

    with serve(stub_queue(behaviour)) as url:
        client = QueueClient.over_http(
            url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, timeout=0.3
        )

        assert client.introspect(LIVE_TOKEN) is not None


def _in_process_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("queue-in-process")}


def test_client_in_process_reuses_its_threads(behaviour: Behaviour) -> None:
    client = QueueClient.in_process(
        stub_queue(behaviour),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        timeout=1.0,
    )
    before = _in_process_threads()

    answers = [client.introspect(LIVE_TOKEN) for _ in range(20)]

    assert all(answer is not None for answer in answers)
    assert len(_in_process_threads() - before) == 1


def test_client_in_process_stuck_calls_take_at_most_every_slot(
    behaviour: Behaviour,
) -> None:
    behaviour.delay = 1.0
    client = QueueClient.in_process(
        stub_queue(behaviour),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        timeout=0.05,
    )
    before = _in_process_threads()

    for _ in range(IN_PROCESS_SLOTS + 2):
        with pytest.raises(QueueUnavailable, match="in time"):
            client.introspect(LIVE_TOKEN)

    assert len(_in_process_threads() - before) <= IN_PROCESS_SLOTS


def test_client_in_process_close_stops_its_threads(behaviour: Behaviour) -> None:
    client = QueueClient.in_process(
        stub_queue(behaviour),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        timeout=1.0,
    )
    before = _in_process_threads()
    client.introspect(LIVE_TOKEN)
    started = _in_process_threads() - before

    client.close()
    for thread in started:
        thread.join(timeout=2.0)

    assert started and not any(thread.is_alive() for thread in started)
