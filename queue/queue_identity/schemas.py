"""Request and response bodies, validated by pydantic.

The same models generate the OpenAPI document, so what is validated and what
is documented cannot drift apart. Requests forbid unknown fields and do not
coerce types: ``"name": 5`` is an error, not ``"5"``.
"""

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

# The documented password bounds; the configured minimum may be higher.
PASSWORD_MIN = 12
PASSWORD_MAX = 256


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def normal_email(value: str) -> str:
    """``value`` trimmed, validated and normalised; ValueError when invalid."""
    return _check_email(value.strip())


def _check_email(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None


Email = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(min_length=3, max_length=320),
    AfterValidator(_check_email),
    Field(examples=["ada@example.com"]),
]
Password = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX)]
NewPassword = Annotated[
    str,
    Field(
        min_length=PASSWORD_MIN,
        max_length=PASSWORD_MAX,
        description="12 to 256 characters, any Unicode; common passwords refused.",
    ),
]


def _check_name(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    for char in value:
        category = unicodedata.category(char)
        # Control characters, unpaired surrogates and direction overrides
        # have no place in a name; they break logs, storage and display.
        if category in ("Cc", "Cs") or char in _BIDI_CONTROLS:
            raise ValueError(f"must not contain the character U+{ord(char):04X}")

    if not any(unicodedata.category(c)[0] in "LNPS" for c in value):
        raise ValueError("must contain a visible character")
    return value


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

Name = Annotated[
    str,
    BeforeValidator(_strip),
    StringConstraints(min_length=1, max_length=200),
    AfterValidator(_check_name),
]


def problems(error: ValidationError) -> list[dict[str, str]]:
    """Each field that failed and why, never echoing the value given."""
    return [
        {
            "field": ".".join(str(part) for part in item["loc"]) or "body",
            "message": item["msg"],
        }
        for item in error.errors(include_url=False, include_input=False)
    ]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class SignUp(Request):
    email: Email
    password: NewPassword
    name: Name


class SignIn(Request):
    email: Email
    password: Password


class ProfileUpdate(Request):
    name: Name


class PasswordChange(Request):
    current_password: Password
    new_password: NewPassword


class Deactivation(Request):
    password: Password


class UserOut(BaseModel):
    id: str
    email: str
    name: str
    created_at: datetime


class ServiceUserOut(UserOut):
    active: bool


class SessionOut(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name
    expires_in: int = Field(description="Seconds until the absolute expiry.")
    expires_at: datetime


class ActiveToken(BaseModel):
    active: Literal[True]
    sub: str
    email: str
    name: str
    exp: int
    iat: int
    token_type: Literal["Bearer"]
    client_id: str


class InactiveToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: Literal[False]


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    request_id: str | None
    errors: list[dict[str, str]] | None = None


class Index(BaseModel):
    service: str
    version: str
    links: dict[str, str]


class Health(BaseModel):
    status: str
    checks: dict[str, str] | None = None
