"""The whole identity flow through the composed service, with full paths."""

from typing import Any

from webtest import TestApp

PASSWORD = "a long and unusual passphrase"
RAPTOR = ("Basic", ("raptor", "raptor-dev-secret"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_up(client: TestApp, email: str = "ada@example.com") -> Any:
    body = {"email": email, "password": PASSWORD, "name": "Ada Lovelace"}
    return client.post_json("/api/v1/users", body, status=201)


def sign_in(client: TestApp, email: str = "ada@example.com") -> str:
    body = {"email": email, "password": PASSWORD}
    token: str = client.post_json("/api/v1/sessions", body, status=201).json[
        "access_token"
    ]
    return token


def introspect(client: TestApp, token: str) -> dict[str, Any]:
    client.authorization = RAPTOR
    try:
        body: dict[str, Any] = client.post(
            "/api/v1/tokens/introspect", {"token": token}
        ).json
    finally:
        client.authorization = None
    return body


def test_sign_up_answers_with_the_user_and_its_location(client: TestApp) -> None:
    response = sign_up(client)

    user = response.json
    assert response.headers["Location"] == f"/api/v1/users/{user['id']}"
    assert set(user) == {"id", "email", "name", "created_at"}
    assert user["email"] == "ada@example.com"


def test_flow_sign_up_to_sign_out(client: TestApp) -> None:
    user = sign_up(client).json
    token = sign_in(client)

    me = client.get("/api/v1/users/me", headers=bearer(token)).json
    seen = introspect(client, token)
    client.delete("/api/v1/sessions/current", headers=bearer(token), status=204)

    assert me == user
    assert seen["active"] is True
    assert seen["sub"] == user["id"]
    assert introspect(client, token) == {"active": False}
    client.get("/api/v1/users/me", headers=bearer(token), status=401)


def test_sign_in_failures_are_indistinguishable(client: TestApp) -> None:
    sign_up(client)
    sign_up(client, "gone@example.com")
    gone = sign_in(client, "gone@example.com")
    client.delete_json(
        "/api/v1/users/me", {"password": PASSWORD}, headers=bearer(gone), status=204
    )
    attempts = [
        {"email": "nobody@example.com", "password": PASSWORD},
        {"email": "ada@example.com", "password": "not the right passphrase"},
        {"email": "gone@example.com", "password": PASSWORD},
    ]

    bodies = []
    for attempt in attempts:
        response = client.post_json("/api/v1/sessions", attempt, status=401)
        bodies.append({k: v for k, v in response.json.items() if k != "request_id"})

    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["type"].endswith("/invalid-credentials")


def test_password_change_keeps_the_callers_token_only(client: TestApp) -> None:
    sign_up(client)
    mine, other = sign_in(client), sign_in(client)
    change = {"current_password": PASSWORD, "new_password": "another long passphrase"}

    client.put_json(
        "/api/v1/users/me/password", change, headers=bearer(mine), status=204
    )

    assert introspect(client, mine)["active"] is True
    assert introspect(client, other) == {"active": False}
    client.post_json(
        "/api/v1/sessions",
        {"email": "ada@example.com", "password": PASSWORD},
        status=401,
    )


def test_sign_out_everywhere_kills_every_token(client: TestApp) -> None:
    sign_up(client)
    tokens = [sign_in(client) for _ in range(3)]

    client.delete("/api/v1/sessions", headers=bearer(tokens[0]), status=204)

    assert [introspect(client, t) for t in tokens] == [{"active": False}] * 3


def test_deactivation_kills_tokens_and_reserves_the_email(client: TestApp) -> None:
    sign_up(client)
    token = sign_in(client)

    client.delete_json(
        "/api/v1/users/me", {"password": PASSWORD}, headers=bearer(token), status=204
    )

    assert introspect(client, token) == {"active": False}
    response = client.post_json(
        "/api/v1/users",
        {"email": "ADA@example.com", "password": PASSWORD, "name": "Imposter"},
        status=409,
    )
    assert response.content_type == "application/problem+json"


def test_service_can_look_a_user_up(client: TestApp) -> None:
    user = sign_up(client).json

    client.get(f"/api/v1/users/{user['id']}", status=401)
    client.authorization = RAPTOR
    found = client.get(f"/api/v1/users/{user['id']}").json

    assert found == {**user, "active": True}
