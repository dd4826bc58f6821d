"""The extraction rehearsal: Queue and Raptor as two gunicorn services.

Queue runs alone as ``queue/Procfile`` says; Raptor runs as the root
Procfile says, with the flag off and ``RAPTOR_QUEUE_URL`` set. That one
variable is the whole switch.
"""

from collections.abc import Iterator

import pytest

from tests.contract.conftest import QUEUE_APP, Leg, procfile
from tests.servers import Server, running

pytestmark = pytest.mark.smoke

REQUEST_ID = "extraction-rehearsal-0123456789"


@pytest.fixture(scope="module")
def raptor(
    standalone_queue: Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    env = {
        "RAPTOR_ENV": "development",
        "FLAG_QUEUE_V1": "0",
        "RAPTOR_QUEUE_URL": standalone_queue.url,
    }
    log_dir = tmp_path_factory.mktemp("raptor")
    with running("wsgi:app", env, log_dir=log_dir) as server:
        yield server


def test_queue_procfile_runs_queue_alone_from_the_root() -> None:
    assert procfile() == {
        "web": ["gunicorn", QUEUE_APP, "-c", "gunicorn.conf.py"],
        "release": ["flask", "--app", "queue_identity", "queue", "migrate"],
    }


def test_account_over_http_between_two_services(
    http_leg: Leg, raptor: Server, standalone_queue: Server
) -> None:
    user = http_leg.sign_up()
    token = http_leg.sign_in(user)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": REQUEST_ID}

    with raptor.client() as client:
        response = client.get("/account", headers=headers)

    assert response.status_code == 200
    assert response.json()["id"] == user["id"]
    # One request id across both services' access logs.
    standalone_queue.wait_for_log("/tokens/introspect", f"request_id={REQUEST_ID}")


def test_raptor_readiness_includes_the_extracted_queue(raptor: Server) -> None:
    with raptor.client() as client:
        response = client.get("/readyz")

    assert response.json() == {"status": "ok", "checks": {"queue": "ok"}}


def test_raptor_without_the_flag_leaves_api_v1_unmounted(raptor: Server) -> None:
    with raptor.client() as client:
        response = client.get("/api/v1/healthz")

    assert response.status_code == 404
