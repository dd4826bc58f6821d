"""Raptor refuses to start on Queue settings it could not use."""

from typing import Any

import pytest

from backend_v2.api import create_app as create_raptor
from backend_v2.api.config import ConfigError

PRODUCTION = {
    "ENV": "production",
    "SECRET_KEY": "a-real-secret-key",
    "QUEUE_CLIENT_SECRET": "a-real-client-secret",
}


@pytest.mark.parametrize(
    "url", ["127.0.0.1:5001", "ftp://queue.example", "http://", "http://[::1"]
)
def test_queue_url_not_http_refuses_to_start(url: str) -> None:
    with pytest.raises(ConfigError, match="RAPTOR_QUEUE_URL"):
        create_raptor({"ENV": "development", "QUEUE_URL": url})


def test_queue_url_plain_http_refused_in_production() -> None:
    config = {**PRODUCTION, "QUEUE_URL": "http://queue.example"}

    with pytest.raises(ConfigError, match="RAPTOR_QUEUE_URL must be an https URL"):
        create_raptor(config)


def test_queue_url_https_accepted_in_production() -> None:
    app = create_raptor({**PRODUCTION, "QUEUE_URL": "https://queue.example"})

    assert app.config["QUEUE_URL"] == "https://queue.example"


@pytest.mark.parametrize("timeout", [0, -1, True, "2s", None])
def test_queue_timeout_not_positive_seconds_refuses_to_start(timeout: Any) -> None:
    with pytest.raises(ConfigError, match="RAPTOR_QUEUE_TIMEOUT"):
        create_raptor({"ENV": "development", "QUEUE_TIMEOUT": timeout})


def test_queue_url_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPTOR_QUEUE_URL", "http://127.0.0.1:5001")
    monkeypatch.setenv("RAPTOR_QUEUE_TIMEOUT", "0.5")

    app = create_raptor({"ENV": "development"})

    assert app.config["QUEUE_URL"] == "http://127.0.0.1:5001"
    assert app.config["QUEUE_TIMEOUT"] == 0.5


def test_all_digit_secrets_stay_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPTOR_SECRET_KEY", "0123456789")
    monkeypatch.setenv("RAPTOR_QUEUE_CLIENT_SECRET", "9876543210")

    app = create_raptor({"ENV": "production"})

    assert app.config["SECRET_KEY"] == "0123456789"
    assert app.config["QUEUE_CLIENT_SECRET"] == "9876543210"


def test_unknown_variable_warns_naming_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RAPTOR_QUEUE_TIMEOUTS", "3")

    create_raptor({"ENV": "development"})

    unknown = [getattr(r, "variable", None) for r in caplog.records]
    assert "RAPTOR_QUEUE_TIMEOUTS" in unknown
