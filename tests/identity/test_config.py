"""Queue's settings: production refuses to start without real secrets."""

import logging
from pathlib import Path
from typing import Any

import pytest
from webtest import TestApp

import queue_identity
from queue_identity import db
from queue_identity.config import ConfigError

REAL_SECRETS = {
    "SECRET_KEY": "a-real-secret-key",
    "RAPTOR_CLIENT_SECRET": "a-real-client-secret",
}


@pytest.fixture
def production(tmp_path: Path) -> dict[str, Any]:
    """Production settings with real secrets, on a database of no consequence."""
    return {
        "ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path}/queue.sqlite3",
        **REAL_SECRETS,
    }


@pytest.mark.parametrize("secret_key", [None, ""])
def test_production_without_secret_key_refuses_to_start(
    production: dict[str, Any], secret_key: str | None
) -> None:
    with pytest.raises(ConfigError, match="QUEUE_SECRET_KEY"):
        queue_identity.create_app({**production, "SECRET_KEY": secret_key})


@pytest.mark.parametrize("secret", [None, "", "raptor-dev-secret"])
def test_production_without_a_real_raptor_secret_refuses_to_start(
    production: dict[str, Any], secret: str | None
) -> None:
    with pytest.raises(ConfigError, match="QUEUE_RAPTOR_CLIENT_SECRET"):
        queue_identity.create_app({**production, "RAPTOR_CLIENT_SECRET": secret})


def test_production_reads_its_secrets_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUEUE_ENV", "production")
    monkeypatch.setenv("QUEUE_SECRET_KEY", "a-real-secret-key")
    monkeypatch.delenv("QUEUE_RAPTOR_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("QUEUE_DATABASE_URL", f"sqlite:///{tmp_path}/q.sqlite3")

    with pytest.raises(ConfigError, match="QUEUE_RAPTOR_CLIENT_SECRET"):
        queue_identity.create_app()


@pytest.mark.parametrize("flag", ["DEBUG", "TESTING", "PROPAGATE_EXCEPTIONS"])
def test_production_with_a_debugging_flag_refuses_to_start(
    production: dict[str, Any], flag: str
) -> None:
    with pytest.raises(ConfigError, match=f"QUEUE_{flag}"):
        queue_identity.create_app({**production, flag: True})


def test_production_accepts_only_the_configured_raptor_secret(
    queue_config: dict[str, Any],
) -> None:
    app = queue_identity.create_app(
        {**queue_config, "ENV": "production", **REAL_SECRETS}
    )
    client = TestApp(app)

    client.authorization = ("Basic", ("raptor", "raptor-dev-secret"))
    client.post("/tokens/introspect", {"token": "qat_x"}, status=401)
    client.authorization = ("Basic", ("raptor", "a-real-client-secret"))
    answer = client.post("/tokens/introspect", {"token": "qat_x"}, status=200).json

    db.engine(app).dispose()
    assert answer == {"active": False}


def test_environment_values_are_read_as_json(
    monkeypatch: pytest.MonkeyPatch, production: dict[str, Any]
) -> None:
    monkeypatch.setenv("QUEUE_TOKEN_IDLE_TTL", "1800")
    monkeypatch.setenv("QUEUE_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("QUEUE_CORS_ORIGINS", "https://app.example")

    config = queue_identity.create_app(production).config

    assert (config["TOKEN_IDLE_TTL"], config["RATELIMIT_ENABLED"]) == (1800, False)
    assert config["CORS_ORIGINS"] == "https://app.example"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("QUEUE_TOKEN_IDLE_TTL", "soon"),
        ("QUEUE_TOKEN_ABSOLUTE_TTL", "true"),
        ("QUEUE_RATELIMIT_ENABLED", "2"),
        ("QUEUE_HASH_QUEUE_TIMEOUT", '"2s"'),
    ],
)
def test_environment_value_of_the_wrong_kind_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch,
    production: dict[str, Any],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigError, match=variable):
        queue_identity.create_app(production)


def test_environment_neither_production_nor_development_refuses_to_start(
    production: dict[str, Any],
) -> None:
    with pytest.raises(ConfigError, match="QUEUE_ENV"):
        queue_identity.create_app({**production, "ENV": "staging"})


def test_unknown_variable_warns_naming_it(
    monkeypatch: pytest.MonkeyPatch,
    production: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="queue_identity")
    monkeypatch.setenv("QUEUE_TOKEN_IDLE_TIME", "1800")

    queue_identity.create_app(production)

    unknown = [
        getattr(record, "variable", None)
        for record in caplog.records
        if record.getMessage() == "unknown setting ignored"
    ]
    assert "QUEUE_TOKEN_IDLE_TIME" in unknown


def test_all_digit_secrets_stay_text(
    monkeypatch: pytest.MonkeyPatch, production: dict[str, Any]
) -> None:
    monkeypatch.setenv("QUEUE_SECRET_KEY", "0123456789")
    monkeypatch.setenv("QUEUE_RAPTOR_CLIENT_SECRET", "9876543210")
    settings = {k: v for k, v in production.items() if k not in REAL_SECRETS}

    app = queue_identity.create_app(settings)

    assert app.config["SECRET_KEY"] == "0123456789"
    assert app.config["RAPTOR_CLIENT_SECRET"] == "9876543210"


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", False), ("off", False), ("ON", True), ("1", True)]
)
def test_switches_take_the_flag_words(
    monkeypatch: pytest.MonkeyPatch,
    production: dict[str, Any],
    raw: str,
    expected: bool,
) -> None:
    monkeypatch.setenv("QUEUE_RATELIMIT_ENABLED", raw)

    assert queue_identity.create_app(production).config["RATELIMIT_ENABLED"] is expected


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("QUEUE_RATELIMIT_SIGNIN_PER_EMAIL", "banana"),
        ("QUEUE_RATELIMIT_SIGNUP_PER_IP", "ten a minute"),
        ("QUEUE_PASSWORD_MIN_LENGTH", "1000"),
        ("QUEUE_PASSWORD_MIN_LENGTH", "8"),
        ("QUEUE_MAX_IN_FLIGHT", "0"),
        ("QUEUE_RATELIMIT_ENABLED", "maybe"),
    ],
)
def test_malformed_setting_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, production: dict[str, Any], variable: str, raw: str
) -> None:
    monkeypatch.setenv(variable, raw)

    with pytest.raises(ConfigError, match=variable):
        queue_identity.create_app(production)
