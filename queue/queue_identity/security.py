"""Passwords, bearer tokens and service-client secrets.

Passwords are hashed with argon2id. Hashing is the one expensive thing Queue
does, so each worker allows only a few hashes at once and answers 503 beyond
that rather than let a burst of sign-ins exhaust the dyno's memory. Tokens
and client secrets are long random strings: a keyed SHA-256 digest is all
that is stored, and is enough, since they cannot be guessed.
"""

import hashlib
import hmac
import secrets
import threading
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

from .errors import ApiError

EXTENSION = "queue.security"
TOKEN_BYTES = 32


class Passwords:
    """argon2id hashing behind a per-process cap on concurrent hashes."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.hasher = PasswordHasher(
            time_cost=config["ARGON2_TIME_COST"],
            memory_cost=config["ARGON2_MEMORY_COST"],
            parallelism=config["ARGON2_PARALLELISM"],
            type=Type.ID,
        )
        self.slots = threading.BoundedSemaphore(config["HASH_CONCURRENCY"])
        self.wait = float(config["HASH_QUEUE_TIMEOUT"])
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        with self._slot():
            return self.hasher.hash(_normal(password))

    def verify(self, stored: str | None, password: str) -> bool:
        """Check ``password``; with no stored hash, spend the same time anyway."""
        with self._slot():
            try:
                return self.hasher.verify(
                    stored or self._dummy_hash(), _normal(password)
                )
            except (VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)

    def _dummy_hash(self) -> str:
        # A hash at the current parameters, so that an unknown email costs a
        # sign-in exactly as much as a known one.
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def _slot(self) -> "_Slot":
        return _Slot(self.slots, self.wait)


def _normal(password: str) -> str:
    # The same password typed on two keyboards may arrive composed ("é") or
    # decomposed ("e" + accent); NFKC makes both the same bytes to hash.
    return unicodedata.normalize("NFKC", password)


class _Slot:
    def __init__(self, slots: threading.BoundedSemaphore, wait: float) -> None:
        self.slots, self.wait = slots, wait

    def __enter__(self) -> None:
        if not self.slots.acquire(timeout=self.wait):
            raise ApiError(
                503,
                "busy",
                "Too many sign-ins are being checked at once; retry shortly.",
                headers={"Retry-After": "1"},
            )

    def __exit__(self, *exc: object) -> None:
        self.slots.release()


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Passwords(app.config)


def passwords() -> Passwords:
    hashing: Passwords = current_app.extensions[EXTENSION]
    return hashing


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most common passwords, case-folded."""
    text = files("queue_identity").joinpath("data/common-passwords.txt").read_text()
    return frozenset(
        line.casefold() for line in text.splitlines() if line and line[0] != "#"
    )


def is_common(password: str) -> bool:
    return unicodedata.normalize("NFKC", password).casefold() in common_passwords()


def new_secret(prefix: str = "") -> str:
    """A new random credential: ``prefix`` and 32 random bytes, URL-safe."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str, key: str | None = None) -> str:
    """The keyed digest stored in place of a token or client secret."""
    key = key if key is not None else current_app.config["SECRET_KEY"]
    return hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
