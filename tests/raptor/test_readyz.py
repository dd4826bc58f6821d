"""Raptor's readiness includes Queue's, as Raptor's client sees it."""

from typing import Any

from webtest import TestApp

from backend_v2.api import create_app as create_raptor
from tests.contract.stub_queue import Behaviour, stub_queue
from tests.servers import free_port


def raptor(queue_app: Any = None, **config: Any) -> TestApp:
    app = create_raptor({"ENV": "development", **config}, queue_app=queue_app)
    return TestApp(app)


def test_readyz_queue_disabled_is_ready() -> None:
    response = raptor().get("/readyz")

    assert response.json == {"status": "ok", "checks": {"queue": "disabled"}}


def test_readyz_queue_ready_is_ready() -> None:
    response = raptor(stub_queue(Behaviour())).get("/readyz")

    assert response.json == {"status": "ok", "checks": {"queue": "ok"}}


def test_readyz_queue_not_ready_is_503() -> None:
    response = raptor(stub_queue(Behaviour(ready=False))).get("/readyz", status=503)

    assert response.json == {
        "status": "unavailable",
        "checks": {"queue": "unavailable"},
    }


def test_readyz_queue_unreachable_is_503() -> None:
    app = raptor(QUEUE_URL=f"http://127.0.0.1:{free_port()}")

    response = app.get("/readyz", status=503)

    assert response.json["checks"] == {"queue": "unavailable"}


def test_readyz_passes_the_request_id_to_queue() -> None:
    behaviour = Behaviour()
    request_id = "readyz-0123456789-abcdef"

    raptor(stub_queue(behaviour)).get("/readyz", headers={"X-Request-ID": request_id})

    assert behaviour.seen[-1]["X-Request-Id"] == request_id
    assert "Authorization" not in behaviour.seen[-1]
