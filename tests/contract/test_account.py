"""GET /account on Raptor, with Queue in-process and with Queue extracted.

The two legs differ only in configuration: the flag that mounts Queue, or
``RAPTOR_QUEUE_URL``. They must answer the same.
"""

from datetime import datetime
from typing import Any

from tests.contract.conftest import Leg

REQUEST_ID = "contract-account-0123456789"


def test_account_with_token_from_sessions_is_the_user(
    leg: Leg, user: dict[str, Any], session: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {session['access_token']}"}

    response = leg.raptor.get("/account", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user["id"]
    assert (body["email"], body["name"]) == (user["email"], user["name"])
    expires = datetime.fromisoformat(session["expires_at"]).replace(microsecond=0)
    assert datetime.fromisoformat(body["token_expires_at"]) == expires


def test_account_with_unknown_token_is_401(leg: Leg) -> None:
    headers = {"Authorization": "Bearer qat_no-such-token-at-all"}

    response = leg.raptor.get("/account", headers=headers)

    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_account_keeps_the_request_id(leg: Leg, session: dict[str, Any]) -> None:
    headers = {
        "Authorization": f"Bearer {session['access_token']}",
        "X-Request-ID": REQUEST_ID,
    }

    response = leg.raptor.get("/account", headers=headers)

    assert response.headers["X-Request-ID"] == REQUEST_ID


def test_readyz_includes_queue(leg: Leg) -> None:
    response = leg.raptor.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"queue": "ok"}}
