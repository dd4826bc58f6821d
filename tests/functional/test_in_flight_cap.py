"""A slow Queue may hold only so many of the worker's threads."""

import threading
from typing import Any

from webtest import TestApp

import wsgi


def test_queue_beyond_its_cap_answers_503_and_raptor_still_serves(
    queue_config: dict[str, Any],
) -> None:
    queue_config["MAX_IN_FLIGHT"] = 1
    composed = wsgi.build_app({"FLAG_QUEUE_V1": "1"}, queue_config=queue_config)
    assert composed.queue is not None
    entered, release = threading.Event(), threading.Event()

    @composed.queue.get("/test-slow")
    def slow() -> str:
        entered.set()
        release.wait(10)
        return "done"

    client = TestApp(composed)
    stuck = threading.Thread(target=client.get, args=("/api/v1/test-slow",))
    stuck.start()
    assert entered.wait(10)

    refused = client.get("/api/v1/healthz", status=503)
    raptor = client.get("/healthz")
    release.set()
    stuck.join(10)

    assert refused.content_type == "application/problem+json"
    assert refused.headers["Retry-After"] == "1"
    assert refused.json["type"].endswith("/busy")
    assert raptor.json == {"status": "ok"}
    assert client.get("/api/v1/healthz").json == {"status": "ok"}
