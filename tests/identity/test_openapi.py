"""The OpenAPI document: valid 3.1, complete, and true of real responses.

Responses are checked with jsonschema against the document's own schemas,
``$ref`` resolved within the document, after requests that give each
documented status.
"""

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from webtest import TestApp, TestResponse

PASSWORD = "a long and unusual passphrase"
CREDENTIALS = {"email": "ada@example.com", "password": PASSWORD}
SIGN_UP = {**CREDENTIALS, "name": "Ada Lovelace"}


@pytest.fixture
def document(queue_client: TestApp) -> dict[str, Any]:
    body: dict[str, Any] = queue_client.get("/openapi.json").json
    return body


def mismatches(
    document: dict[str, Any], method: str, path: str, response: TestResponse
) -> list[str]:
    """How ``response`` departs from what the document says of it."""
    where = f"{method.upper()} {path} {response.status_int}"
    responses = document["paths"][path][method]["responses"]
    documented = responses.get(str(response.status_int))
    if documented is None:
        return [f"{where}: status not documented"]

    content = documented.get("content")
    if content is None:
        return [] if response.body == b"" else [f"{where}: undocumented body"]
    if response.content_type not in content:
        return [f"{where}: undocumented type {response.content_type}"]

    schema = {**document, **content[response.content_type]["schema"]}
    errors = Draft202012Validator(schema).iter_errors(response.json)
    return [f"{where}: {error.message}" for error in errors]


class Checked:
    """Queue's client, checking every answer against the document."""

    def __init__(self, client: TestApp, document: dict[str, Any]) -> None:
        self.client, self.document = client, document
        self.problems: list[str] = []

    def call(
        self, method: str, path: str, url: str | None = None, **kwargs: Any
    ) -> TestResponse:
        send = getattr(self.client, method)
        response: TestResponse = send(url or path, expect_errors=True, **kwargs)
        operation = method.removesuffix("_json")
        self.problems += mismatches(self.document, operation, path, response)
        return response


@pytest.fixture
def checked(queue_client: TestApp, document: dict[str, Any]) -> Checked:
    return Checked(queue_client, document)


@pytest.fixture
def service(basic: Callable[[str, str], dict[str, str]]) -> dict[str, str]:
    return basic("raptor", "raptor-dev-secret")


def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)

    assert document["openapi"].startswith("3.1")


def test_document_server_is_where_queue_is_mounted(document: dict[str, Any]) -> None:
    assert document["servers"] == [{"url": "/api/v1"}]


def test_document_lists_every_route(document: dict[str, Any], queue_app: Flask) -> None:
    routed = {
        (method.lower(), rule.rule.replace("<", "{").replace(">", "}"))
        for rule in queue_app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }

    documented = {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
    }

    assert documented == routed


def test_operational_responses_match_the_document(checked: Checked) -> None:
    for path in ("/", "/healthz", "/readyz", "/openapi.json"):
        checked.call("get", path)

    assert checked.problems == []


def test_user_responses_match_the_document(checked: Checked, token: str) -> None:
    bearer = {"Authorization": f"Bearer {token}"}
    grace = {**SIGN_UP, "email": "grace@example.com"}

    checked.call("post_json", "/users", params=grace)
    checked.call("post_json", "/users", params=grace)
    checked.call("post_json", "/users", params={"email": "grace@example.com"})
    checked.call("get", "/users/me", headers=bearer)
    checked.call("get", "/users/me")
    checked.call("patch_json", "/users/me", params={"name": "Ada"}, headers=bearer)
    checked.call("patch_json", "/users/me", params={"name": 5}, headers=bearer)
    checked.call(
        "delete_json", "/users/me", params={"password": "wrong"}, headers=bearer
    )
    checked.call(
        "delete_json", "/users/me", params={"password": PASSWORD}, headers=bearer
    )

    assert checked.problems == []


def test_session_responses_match_the_document(
    checked: Checked, user: dict[str, Any]
) -> None:
    session = checked.call("post_json", "/sessions", params=CREDENTIALS).json
    bearer = {"Authorization": f"Bearer {session['access_token']}"}
    wrong = {**CREDENTIALS, "password": "not the passphrase"}
    change = {"current_password": PASSWORD, "new_password": "another long phrase"}

    checked.call("post_json", "/sessions", params=wrong)
    checked.call(
        "put_json",
        "/users/me/password",
        params={**change, "current_password": "x"},
        headers=bearer,
    )
    checked.call(
        "put_json",
        "/users/me/password",
        params={**change, "new_password": "short"},
        headers=bearer,
    )
    checked.call("put_json", "/users/me/password", params=change, headers=bearer)
    checked.call("delete", "/sessions")
    checked.call("delete", "/sessions", headers=bearer)
    checked.call("delete", "/sessions/current", headers=bearer)

    assert checked.problems == []


def test_service_responses_match_the_document(
    checked: Checked, user: dict[str, Any], token: str, service: dict[str, str]
) -> None:
    by_id = "/users/{user_id}"

    checked.call("post", "/tokens/introspect", params={"token": token}, headers=service)
    checked.call(
        "post", "/tokens/introspect", params={"token": "qat_x"}, headers=service
    )
    checked.call("post", "/tokens/introspect", params={"token": token})
    checked.call("get", by_id, f"/users/{user['id']}", headers=service)
    checked.call("get", by_id, "/users/nobody", headers=service)
    checked.call("get", by_id, f"/users/{user['id']}")

    assert checked.problems == []


def test_protected_operations_refuse_anonymous_callers_as_documented(
    checked: Checked, document: dict[str, Any], user: dict[str, Any]
) -> None:
    statuses = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if operation["security"]:
                url = path.replace("{user_id}", user["id"])
                statuses[method, path] = checked.call(method, path, url).status_int

    assert set(statuses.values()) == {401}
    assert checked.problems == []
