"""Users and tokens written straight into Queue's tables, many at a time.

Going through the API would hash every password with argon2, which is what
sign-up costs but not what a large table is; every seeded user shares one
hash made once. Tokens are stored as Queue stores them, as keyed digests of
secrets that only the caller gets back.
"""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from queue_identity import security
from queue_identity.models import Token, User

PASSWORD = "a bench passphrase, long and unusual"  # every seeded user's
BATCH = 10_000


def seed(
    engine: Engine,
    count: int,
    *,
    config: Mapping[str, Any],
    password_hash: str,
    label: str = "user",
) -> list[str]:
    """Add ``count`` users, each with one live token; return the token secrets.

    ``config`` is the config of the Queue app that will read them: its
    ``SECRET_KEY`` keys the digests. Emails are ``<label>-<n>@bench.example``,
    so several seedings of one database must use different labels.
    """
    moment = datetime.now(UTC)
    expires = moment + timedelta(seconds=config["TOKEN_ABSOLUTE_TTL"])
    tokens = [security.new_secret(config["TOKEN_PREFIX"]) for _ in range(count)]
    with engine.begin() as connection:
        for start in range(0, count, BATCH):
            users, rows = [], []
            for number in range(start, min(count, start + BATCH)):
                user_id = str(uuid.uuid4())
                users.append(_user(user_id, f"{label}-{number}", password_hash, moment))
                digest = security.digest(tokens[number], config["SECRET_KEY"])
                rows.append(_token(user_id, digest, moment, expires))
            connection.execute(insert(User.__table__), users)
            connection.execute(insert(Token.__table__), rows)
    return tokens


def _user(
    user_id: str, name: str, password_hash: str, moment: datetime
) -> dict[str, Any]:
    email = f"{name}@bench.example"
    return {
        "id": user_id,
        "email": email,
        "email_key": email,
        "name": name,
        "password_hash": password_hash,
        "created_at": moment,
        "updated_at": moment,
        "deactivated_at": None,
    }


def _token(
    user_id: str, digest: str, moment: datetime, expires: datetime
) -> dict[str, Any]:
    return {
        "digest": digest,
        "user_id": user_id,
        "created_at": moment,
        "last_used_at": moment,
        "expires_at": expires,
        "revoked_at": None,
    }
