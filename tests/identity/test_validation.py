"""Request bodies: 422 naming the field, 415, 400, 413, and never a 500.

Each rule is tried on every endpoint that reads a JSON body; the bearer
endpoints are called with a live token so that the body is what is judged.
"""

import json
from collections.abc import Callable
from typing import Any

import pytest
from webtest import TestApp, TestResponse

PASSWORD = "a long and unusual passphrase"

# endpoint id -> (method, path, a valid body)
ENDPOINTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "sign-up": (
        "POST",
        "/users",
        {"email": "grace@example.com", "password": PASSWORD, "name": "Grace"},
    ),
    "sign-in": (
        "POST",
        "/sessions",
        {"email": "ada@example.com", "password": PASSWORD},
    ),
    "rename": ("PATCH", "/users/me", {"name": "Grace"}),
    "password": (
        "PUT",
        "/users/me/password",
        {"current_password": PASSWORD, "new_password": "another long phrase"},
    ),
    "deactivate": ("DELETE", "/users/me", {"password": PASSWORD}),
}

Send = Callable[..., TestResponse]


@pytest.fixture
def send(queue_client: TestApp, token: str) -> Send:
    """Send raw bytes to an endpoint, with Ada's token, whatever the answer."""

    def request(
        endpoint: str, body: bytes, content_type: str | None = "application/json"
    ) -> TestResponse:
        method, path, _ = ENDPOINTS[endpoint]
        headers = {"Authorization": f"Bearer {token}"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        return queue_client.request(
            path, method=method, body=body, headers=headers, expect_errors=True
        )

    return request


def _json(endpoint: str, **changes: Any) -> bytes:
    body = {**ENDPOINTS[endpoint][2], **changes}
    return json.dumps(body).encode()


def _answer(response: TestResponse) -> tuple[int, str]:
    return response.status_int, response.content_type


def _refusal(response: TestResponse) -> tuple[int, list[str]]:
    """The status and the fields the answer names."""
    errors = response.json.get("errors") or []
    return response.status_int, sorted({error["field"] for error in errors})


def test_unknown_field_is_422_naming_it(send: Send) -> None:
    fields = {
        endpoint: _refusal(send(endpoint, _json(endpoint, is_admin=True)))
        for endpoint in ENDPOINTS
    }

    assert fields == dict.fromkeys(ENDPOINTS, (422, ["is_admin"]))


WRONG_TYPES = [
    pytest.param("sign-up", "email", 5, id="sign-up-email-number"),
    pytest.param("sign-up", "name", ["Grace"], id="sign-up-name-list"),
    pytest.param("sign-in", "password", None, id="sign-in-password-null"),
    pytest.param("rename", "name", 5, id="rename-name-number"),
    pytest.param("password", "new_password", True, id="password-new-bool"),
    pytest.param("deactivate", "password", {"x": 1}, id="deactivate-password-object"),
]


@pytest.mark.parametrize(("endpoint", "field", "value"), WRONG_TYPES)
def test_wrong_type_is_422_naming_the_field(
    send: Send, endpoint: str, field: str, value: Any
) -> None:
    response = send(endpoint, _json(endpoint, **{field: value}))

    assert _refusal(response) == (422, [field])


def test_missing_fields_are_422_naming_each(send: Send) -> None:
    fields = {endpoint: _refusal(send(endpoint, b"{}")) for endpoint in ENDPOINTS}

    assert fields == {
        endpoint: (422, sorted(body)) for endpoint, (_, _, body) in ENDPOINTS.items()
    }


@pytest.mark.parametrize(
    "email", ["not-an-email", "ada@", "@example.com", "ada@example", "a" * 330]
)
def test_invalid_email_is_422_naming_it(send: Send, email: str) -> None:
    response = send("sign-up", _json("sign-up", email=email))

    assert _refusal(response) == (422, ["email"])


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_name_empty_or_too_long_is_422(send: Send, name: str) -> None:
    response = send("rename", _json("rename", name=name))

    assert _refusal(response) == (422, ["name"])


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data", None],
)
def test_body_not_declared_json_is_415(send: Send, content_type: str | None) -> None:
    statuses = {
        endpoint: send(endpoint, _json(endpoint), content_type=content_type).status_int
        for endpoint in ENDPOINTS
    }

    assert statuses == dict.fromkeys(ENDPOINTS, 415)


MALFORMED = [
    pytest.param(b'{"email": ', id="truncated"),
    pytest.param(b"{'email': 'ada@example.com'}", id="single-quotes"),
    pytest.param(b"\xff\xfe{}", id="not-utf-8"),
    pytest.param(b"[]", id="array"),
    pytest.param(b'"ada@example.com"', id="string"),
    pytest.param(b"null", id="null"),
    pytest.param(b"", id="empty"),
    pytest.param(b"[" * 5000 + b"]" * 5000, id="nested-too-deep"),
    # Valid JSON, but past the 4300 digits Python converts to an int.
    pytest.param(b'{"name": ' + b"9" * 5000 + b"}", id="huge-integer"),
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_json_is_400(send: Send, body: bytes) -> None:
    answers = {endpoint: _answer(send(endpoint, body)) for endpoint in ENDPOINTS}

    assert answers == dict.fromkeys(ENDPOINTS, (400, "application/problem+json"))


def test_malformed_json_says_so(send: Send) -> None:
    response = send("sign-in", b'{"email": ')

    assert response.json["type"].endswith("/malformed-json")
    assert response.json["detail"] == "The body is not valid JSON."


def test_body_over_the_size_limit_is_413(send: Send) -> None:
    answers = {
        endpoint: _answer(send(endpoint, _json(endpoint, padding="x" * 17 * 1024)))
        for endpoint in ENDPOINTS
    }

    assert answers == dict.fromkeys(ENDPOINTS, (413, "application/problem+json"))


def test_introspection_form_over_the_size_limit_is_413(
    queue_client: TestApp, basic: Callable[[str, str], dict[str, str]]
) -> None:
    headers = basic("raptor", "raptor-dev-secret")

    queue_client.post(
        "/tokens/introspect", {"token": "x" * 17 * 1024}, headers=headers, status=413
    )


ODD_BODIES = [
    pytest.param(b'{"email": {"$ne": ""}, "password": {"$ne": ""}}', id="operators"),
    pytest.param(b'{"email": "ada@example.com", "password": NaN}', id="nan"),
    pytest.param(b'{"name": 1e999}', id="infinity"),
    pytest.param(b'{"name": "\\u0000", "email": "\\ud800@example.com"}', id="nul"),
    pytest.param(b'{"name": {"name": {"name": {}}}}', id="nested"),
    pytest.param(b'{"email": "ada@example.com", "email": 5}', id="duplicate-key"),
    pytest.param(b'{"password": "' + "ü".encode() * 5000 + b'"}', id="long-unicode"),
]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_odd_body_is_refused_as_a_client_error(send: Send, body: bytes) -> None:
    answers = {endpoint: _answer(send(endpoint, body)) for endpoint in ENDPOINTS}

    assert answers == dict.fromkeys(ENDPOINTS, (422, "application/problem+json"))
