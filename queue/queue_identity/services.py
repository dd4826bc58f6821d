"""Queue's identity operations, independent of HTTP.

Every function works in the current request's database session and commits
before it returns, so that what a caller is told has happened (a sign-out, a
revocation) already holds for every worker and dyno.
"""

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from . import audit, db, security
from .errors import ApiError
from .models import ServiceClient, Token, User

BUILTIN_CLIENT = "raptor"
CLIENT_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

# End users' tokens are issued by Queue's own sign-in, not for another client.
TOKEN_CLIENT_ID = "queue"  # noqa: S105 - an id, not a secret


@dataclass(frozen=True)
class Issued:
    """A token just issued: the secret, shown once, and its stored row."""

    secret: str
    token: Token


def email_key(email: str) -> str:
    """The form emails are compared in: trimmed, NFKC, case-folded."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def now() -> datetime:
    return datetime.now(UTC)


def check_new_password(password: str, field: str) -> None:
    """Refuse a new password that is too short or too common (422)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise _invalid(field, f"must be at least {minimum} characters long")
    if security.is_common(password):
        raise _invalid(field, "is one of the most common passwords; choose another")


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422,
        "invalid-body",
        f"{field} {message}.",
        errors=[{"field": field, "message": message}],
    )


def find_user(email: str) -> User | None:
    return db.session().scalar(select(User).where(User.email_key == email_key(email)))


def sign_up(email: str, password: str, name: str) -> User:
    check_new_password(password, "password")
    session = db.session()
    if find_user(email) is not None:
        raise _email_taken()

    moment = now()
    user = User(
        id=str(uuid.uuid4()),
        email=email,
        email_key=email_key(email),
        name=name,
        password_hash=security.passwords().hash(password),
        created_at=moment,
        updated_at=moment,
    )
    session.add(user)
    audit.record(session, "sign_up", user_id=user.id)
    try:
        session.commit()
    except IntegrityError:
        # Another sign-up for the same email (in any case) won the race.
        session.rollback()
        raise _email_taken() from None
    return user


def _email_taken() -> ApiError:
    return ApiError(409, "email-taken", "An account with this email already exists.")


def sign_in(email: str, password: str) -> Issued:
    """Check the credentials and issue a token; one 401 for every failure."""
    session = db.session()
    user = find_user(email)
    hashing = security.passwords()
    matches = hashing.verify(user.password_hash if user else None, password)

    if user is None or not matches or not user.active:
        audit.record(session, "sign_in_failed", user_id=user.id if user else None)
        session.commit()
        raise ApiError(401, "invalid-credentials", "The email or password is wrong.")

    if hashing.needs_rehash(user.password_hash):
        user.password_hash = hashing.hash(password)
    issued = issue_token(session, user)
    audit.record(session, "sign_in", user_id=user.id)
    session.commit()
    return issued


def issue_token(session: Session, user: User) -> Issued:
    """Add a new token for ``user`` to ``session``; the caller commits."""
    config = current_app.config
    secret = security.new_secret(config["TOKEN_PREFIX"])
    moment = now()
    token = Token(
        digest=security.digest(secret),
        user=user,
        created_at=moment,
        last_used_at=moment,
        expires_at=moment + timedelta(seconds=config["TOKEN_ABSOLUTE_TTL"]),
    )
    session.add(token)
    return Issued(secret, token)


def active_token(secret: str) -> Token | None:
    """The live token behind ``secret``, touched as used; else None."""
    if not secret.startswith(current_app.config["TOKEN_PREFIX"]):
        return None

    session = db.session()
    token = session.scalar(
        select(Token)
        .options(joinedload(Token.user))
        .where(Token.digest == security.digest(secret))
    )
    if token is None or not _alive(token, now()):
        return None

    _touch(session, token)
    return token


def _alive(token: Token, moment: datetime) -> bool:
    idle = timedelta(seconds=current_app.config["TOKEN_IDLE_TTL"])
    return (
        token.revoked_at is None
        and token.user.active
        and moment < token.expires_at
        and moment < token.last_used_at + idle
    )


def _touch(session: Session, token: Token) -> None:
    # Record use at most once a minute: idle expiry needs no finer grain, and
    # a write on every request would cost more than the check itself.
    moment = now()
    interval = timedelta(seconds=current_app.config["TOKEN_TOUCH_INTERVAL"])
    if moment - token.last_used_at >= interval:
        token.last_used_at = moment
        session.commit()


def revoke_all(session: Session, user: User, keep: Token | None = None) -> int:
    """Revoke every live token of ``user`` except ``keep``; the caller commits."""
    statement = (
        update(Token)
        .where(Token.user_id == user.id, Token.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    if keep is not None:
        statement = statement.where(Token.id != keep.id)
    result = session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


def sign_out(token: Token) -> None:
    session = db.session()
    token.revoked_at = now()
    audit.record(session, "sign_out", user_id=token.user_id)
    session.commit()


def sign_out_everywhere(token: Token) -> None:
    session = db.session()
    count = revoke_all(session, token.user)
    audit.record(session, "sign_out_everywhere", user_id=token.user_id, count=count)
    session.commit()


def rename(user: User, name: str) -> User:
    session = db.session()
    user.name, user.updated_at = name, now()
    audit.record(session, "profile_updated", user_id=user.id)
    session.commit()
    return user


def change_password(token: Token, current: str, new: str) -> None:
    """Replace the password; every token but the caller's is revoked."""
    user = token.user
    _require_password(user, current, "current_password")
    check_new_password(new, "new_password")

    session = db.session()
    user.password_hash = security.passwords().hash(new)
    user.updated_at = now()
    count = revoke_all(session, user, keep=token)
    audit.record(session, "password_changed", user_id=user.id, revoked=count)
    session.commit()


def deactivate(token: Token, password: str) -> None:
    """Deactivate the caller's account, after checking its password."""
    _require_password(token.user, password, "password")
    deactivate_user(token.user)


def deactivate_user(user: User) -> None:
    """Deactivate ``user``: the email stays reserved, every token dies now."""
    session = db.session()
    user.deactivated_at = user.updated_at = now()
    count = revoke_all(session, user)
    audit.record(session, "deactivated", user_id=user.id, revoked=count)
    session.commit()


def revoke_tokens(user: User) -> int:
    """Revoke every token of ``user``, as an operator does from the CLI."""
    session = db.session()
    count = revoke_all(session, user)
    audit.record(session, "tokens_revoked", user_id=user.id, count=count)
    session.commit()
    return count


def _require_password(user: User, password: str, field: str) -> None:
    if not security.passwords().verify(user.password_hash, password):
        session = db.session()
        audit.record(session, "password_check_failed", user_id=user.id)
        session.commit()
        raise ApiError(
            403,
            "wrong-password",
            f"{field} is not the account's password.",
            errors=[{"field": field, "message": "does not match"}],
        )


def introspect(secret: str) -> dict[str, object]:
    """RFC 7662: what the token is, or exactly ``{"active": False}``."""
    token = active_token(secret)
    if token is None:
        return {"active": False}

    user = token.user
    return {
        "active": True,
        "sub": user.id,
        "email": user.email,
        "name": user.name,
        "exp": int(token.expires_at.timestamp()),
        "iat": int(token.created_at.timestamp()),
        "token_type": "Bearer",
        "client_id": TOKEN_CLIENT_ID,
    }


def authenticate_client(client_id: str, secret: str) -> bool:
    """Whether ``client_id`` and ``secret`` name a service client."""
    if client_id == BUILTIN_CLIENT:
        expected = current_app.config["RAPTOR_CLIENT_SECRET"]
        return bool(expected) and security.same(secret, expected)

    if not valid_client_id(client_id):
        return False

    client = db.session().get(ServiceClient, client_id)
    presented = security.digest(secret)
    if client is None:
        return False
    return security.same(presented, client.secret_digest)


def get_user(user_id: str) -> User | None:
    try:
        canonical = str(uuid.UUID(user_id))
    except ValueError:
        return None  # not an id Queue ever gives out
    return db.session().get(User, canonical)


def valid_client_id(client_id: str) -> bool:
    """Whether ``client_id`` has the form every client id has."""
    return CLIENT_ID.fullmatch(client_id) is not None


def client_exists(client_id: str) -> bool:
    if client_id == BUILTIN_CLIENT:
        return True
    if not valid_client_id(client_id):
        return False
    return db.session().get(ServiceClient, client_id) is not None


def save_client(client_id: str) -> str:
    """Create or rotate a stored service client; returns the new secret once."""
    if client_id == BUILTIN_CLIENT:
        raise ApiError(
            409, "builtin-client", "The raptor client's secret is set by config."
        )
    session = db.session()
    secret = security.new_secret("qcs_")
    client = session.get(ServiceClient, client_id)
    if client is None:
        client = ServiceClient(id=client_id, created_at=now())
        session.add(client)
        event = "client_created"
    else:
        client.rotated_at = now()
        event = "client_rotated"

    client.secret_digest = security.digest(secret)
    audit.record(session, event, client_id=client_id)
    session.commit()
    return secret
