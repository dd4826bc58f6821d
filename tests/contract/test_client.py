"""Queue's client against the real Queue, over each transport alike."""

from datetime import datetime
from typing import Any

import pytest

from queue_identity.client import Identity, NotAuthorized, User
from tests.contract.conftest import Leg

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_introspect_live_token_is_its_user(
    leg: Leg, user: dict[str, Any], session: dict[str, Any]
) -> None:
    identity = leg.client().introspect(session["access_token"])

    assert isinstance(identity, Identity)
    assert (identity.user_id, identity.email, identity.name) == (
        user["id"],
        user["email"],
        user["name"],
    )
    assert identity.expires_at == moment(session["expires_at"]).replace(microsecond=0)
    assert identity.issued_at <= identity.expires_at


def test_introspect_unknown_token_is_none(leg: Leg) -> None:
    assert leg.client().introspect("qat_no-such-token-at-all") is None


def test_introspect_empty_token_is_none(leg: Leg) -> None:
    assert leg.client().introspect("") is None


def test_introspect_signed_out_token_is_none(leg: Leg, session: dict[str, Any]) -> None:
    token = session["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert leg.public.delete("/sessions/current", headers=headers).status_code == 204

    assert leg.client().introspect(token) is None


def test_introspect_wrong_service_secret_is_not_authorized(
    leg: Leg, session: dict[str, Any]
) -> None:
    with pytest.raises(NotAuthorized):
        leg.client(secret="not-the-secret").introspect(session["access_token"])


def test_get_user_known_id_is_the_user(leg: Leg, user: dict[str, Any]) -> None:
    found = leg.client().get_user(user["id"])

    assert found == User(
        id=user["id"],
        email=user["email"],
        name=user["name"],
        created_at=moment(user["created_at"]),
    )


@pytest.mark.parametrize("user_id", [UNKNOWN_ID, "not-a-uuid", "../tokens"])
def test_get_user_unknown_id_is_none(leg: Leg, user_id: str) -> None:
    assert leg.client().get_user(user_id) is None


def test_get_user_wrong_service_secret_is_not_authorized(
    leg: Leg, user: dict[str, Any]
) -> None:
    with pytest.raises(NotAuthorized):
        leg.client(secret="not-the-secret").get_user(user["id"])


def test_ready_queue_with_current_schema_is_true(leg: Leg) -> None:
    assert leg.client().ready() is True
