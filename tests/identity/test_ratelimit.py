"""Rate limits on what is worth guessing at, counted where every worker sees.

Limits are set low here so that a handful of requests reaches them. Requests
come from one documentation address unless a test says otherwise.
"""

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from webtest import TestApp, TestResponse

import queue_identity

PASSWORD = "a long and unusual passphrase"
WRONG = "not the right passphrase"
REDIS_URL = os.environ.get("TEST_REDIS_URL")

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_SIGNIN_PER_EMAIL": "3 per minute",
    "RATELIMIT_SIGNIN_PER_IP": "5 per minute",
    "RATELIMIT_SIGNUP_PER_EMAIL": "2 per hour",
    "RATELIMIT_SIGNUP_PER_IP": "3 per hour",
    "RATELIMIT_PASSWORD_PER_USER": "2 per minute",
    "RATELIMIT_PASSWORD_PER_IP": "10 per minute",
    "RATELIMIT_INTROSPECT_FAILURES_PER_IP": "2 per minute",
}

Headers = Callable[[str], dict[str, str]]
Basic = Callable[[str, str], dict[str, str]]


@pytest.fixture
def queue_config(queue_config: dict[str, Any]) -> dict[str, Any]:
    return {**queue_config, **LIMITS}


def _from(address: str) -> dict[str, str]:
    return {"REMOTE_ADDR": address}


def _sign_in(
    client: TestApp, email: str, password: str = WRONG, address: str = "192.0.2.1"
) -> TestResponse:
    body = {"email": email, "password": password}
    return client.post_json(
        "/sessions", body, extra_environ=_from(address), expect_errors=True
    )


def assert_throttled(response: TestResponse) -> None:
    assert response.status_int == 429
    assert response.content_type == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0


def test_sign_in_per_email_limit_refuses_even_the_right_password(
    queue_client: TestApp, user: dict[str, Any]
) -> None:
    statuses = [_sign_in(queue_client, "ada@example.com").status_int for _ in range(3)]

    response = _sign_in(queue_client, "ada@example.com", PASSWORD)

    assert statuses == [401, 401, 401]
    assert_throttled(response)


def test_sign_in_per_email_limit_counts_every_form_of_the_email(
    queue_client: TestApp, user: dict[str, Any]
) -> None:
    for email in ("ada@example.com", "ADA@example.com", " Ada@Example.com "):
        _sign_in(queue_client, email, address=f"192.0.2.{len(email)}")

    assert_throttled(_sign_in(queue_client, "ada@EXAMPLE.com", address="192.0.2.99"))


def test_sign_in_per_email_limit_counts_both_spellings_of_an_idn_domain(
    queue_client: TestApp, make_user: Callable[..., dict[str, Any]]
) -> None:
    make_user(email="idn@ex\u00e4mple.com")
    for email in ("idn@ex\u00e4mple.com", "idn@xn--exmple-cua.com") * 2:
        if _sign_in(queue_client, email, address="192.0.2.7").status_int == 429:
            break
    else:
        pytest.fail("four attempts past a limit of three were not refused")


def test_sign_in_per_email_limit_spares_other_emails(
    queue_client: TestApp, make_user: Callable[..., dict[str, Any]]
) -> None:
    make_user()
    make_user(email="grace@example.com")
    for _ in range(3):
        _sign_in(queue_client, "ada@example.com")

    ada = _sign_in(queue_client, "ada@example.com", PASSWORD, "192.0.2.2")
    grace = _sign_in(queue_client, "grace@example.com", PASSWORD, "192.0.2.2")

    assert_throttled(ada)
    assert grace.status_int == 201


def test_sign_in_per_ip_limit_counts_every_email(queue_client: TestApp) -> None:
    for n in range(5):
        _sign_in(queue_client, f"user{n}@example.com")

    throttled = _sign_in(queue_client, "another@example.com")
    elsewhere = _sign_in(queue_client, "another@example.com", address="192.0.2.7")

    assert_throttled(throttled)
    assert elsewhere.status_int == 401


def test_sign_up_per_email_limit(queue_client: TestApp) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD, "name": "Ada"}
    queue_client.post_json("/users", body, status=201)
    queue_client.post_json("/users", body, status=409)

    assert_throttled(queue_client.post_json("/users", body, expect_errors=True))


def test_sign_up_per_ip_limit(queue_client: TestApp) -> None:
    def sign_up(n: int, address: str = "192.0.2.1") -> TestResponse:
        body = {"email": f"user{n}@example.com", "password": PASSWORD, "name": "U"}
        return queue_client.post_json(
            "/users", body, extra_environ=_from(address), expect_errors=True
        )

    statuses = [sign_up(n).status_int for n in range(3)]

    assert statuses == [201, 201, 201]
    assert_throttled(sign_up(3))
    assert sign_up(4, address="192.0.2.2").status_int == 201


def test_password_change_limit_is_per_user_not_per_token(
    queue_client: TestApp, token: str, sign_in: Callable[..., str], bearer: Headers
) -> None:
    other = sign_in()
    wrong = {"current_password": WRONG, "new_password": "another long phrase"}
    right = {"current_password": PASSWORD, "new_password": "another long phrase"}
    for secret in (token, other):
        queue_client.put_json(
            "/users/me/password", wrong, headers=bearer(secret), status=403
        )

    response = queue_client.put_json(
        "/users/me/password", right, headers=bearer(token), expect_errors=True
    )

    assert_throttled(response)


def test_introspection_limit_counts_failed_authentication_only(
    queue_client: TestApp, basic: Basic
) -> None:
    raptor = basic("raptor", "raptor-dev-secret")
    wrong = basic("raptor", "wrong-secret")
    form = {"token": "qat_not-a-token"}
    for _ in range(5):
        queue_client.post("/tokens/introspect", form, headers=raptor, status=200)
    for _ in range(2):
        queue_client.post("/tokens/introspect", form, headers=wrong, status=401)

    response = queue_client.post(
        "/tokens/introspect", form, headers=raptor, expect_errors=True
    )

    assert_throttled(response)


@pytest.fixture
def shared_limits(queue_config: dict[str, Any]) -> Iterator[tuple[TestApp, TestApp]]:
    """Two Queue apps, as two workers, counting in one Redis."""
    if REDIS_URL is None:
        pytest.skip("TEST_REDIS_URL unset")

    settings = {
        **queue_config,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"queue-test-{uuid.uuid4().hex}",
    }
    apps = [queue_identity.create_app(settings) for _ in range(2)]
    yield (TestApp(apps[0]), TestApp(apps[1]))
    for app in apps:
        app.extensions["queue.db"].kw["bind"].dispose()


def test_limits_are_shared_between_workers_through_redis(
    shared_limits: tuple[TestApp, TestApp],
) -> None:
    first, second = shared_limits

    statuses = [
        _sign_in(worker, "ada@example.com").status_int
        for worker in (first, second, first)
    ]

    assert statuses == [401, 401, 401]
    assert_throttled(_sign_in(second, "ada@example.com"))


def _storage_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == "queue_identity.ratelimit"
        and record.levelno >= logging.WARNING
        and "QUEUE_RATELIMIT_STORAGE_URI" in record.getMessage()
    ]


def test_memory_storage_warns_at_start_up(
    queue_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="queue_identity")

    app = queue_identity.create_app(
        {**queue_config, "RATELIMIT_STORAGE_URI": "memory://"}
    )
    app.extensions["queue.db"].kw["bind"].dispose()

    assert len(_storage_warnings(caplog)) == 1


def test_shared_storage_starts_without_warning(
    queue_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="queue_identity")
    # Start-up does not connect, so no Redis needs to listen at this address.
    settings = {**queue_config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}

    app: Flask = queue_identity.create_app(settings)
    app.extensions["queue.db"].kw["bind"].dispose()

    assert _storage_warnings(caplog) == []


def test_body_nested_too_deep_is_400_with_limits_on(queue_client: TestApp) -> None:
    # The per-email key reads the body before the view does.
    response = queue_client.post(
        "/sessions", b"[" * 5000, content_type="application/json", expect_errors=True
    )

    assert response.status_int == 400


def test_deactivation_limit_stops_password_guessing_with_a_stolen_token(
    queue_client: TestApp, token: str, bearer: Headers
) -> None:
    for _ in range(2):
        queue_client.delete_json(
            "/users/me", {"password": WRONG}, headers=bearer(token), status=403
        )

    response = queue_client.delete_json(
        "/users/me", {"password": PASSWORD}, headers=bearer(token), expect_errors=True
    )

    assert_throttled(response)
    queue_client.get("/users/me", headers=bearer(token), status=200)


def test_successful_answers_carry_no_retry_after(
    queue_client: TestApp, user: dict[str, Any]
) -> None:
    response = _sign_in(queue_client, "ada@example.com", PASSWORD)

    assert response.status_int == 201
    assert "Retry-After" not in response.headers


def test_throttled_flood_is_audited_once_per_limit_and_window(
    queue_client: TestApp, stored_rows: Callable[[str], list[dict[str, Any]]]
) -> None:
    for _ in range(3):
        _sign_in(queue_client, "ada@example.com")
    for _ in range(20):
        assert_throttled(_sign_in(queue_client, "ada@example.com"))

    events = [row["event"] for row in stored_rows("queue_audit_events")]

    assert events.count("throttled") == 1
