"""Queue's HTTP routes: thin adapters from requests to :mod:`services`.

Paths are Queue's own; mounted, each is under ``/api/v1``. End users present
``Authorization: Bearer``; services present HTTP Basic with their client id
and secret. Every error is raised and rendered by :mod:`errors`.
"""

from importlib.metadata import version
from typing import Any, TypeVar

from flask import Blueprint, Response, request, url_for
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import BadRequest

from . import audit, db, migrations, openapi, schemas, services
from .errors import ApiError
from .models import Token

bp = Blueprint("queue", __name__)

RequestModel = TypeVar("RequestModel", bound=schemas.Request)


def parse(model: type[RequestModel]) -> RequestModel:
    """The JSON body validated as ``model``; 415, 400 or 422 otherwise."""
    if not request.is_json:
        raise ApiError(415, "unsupported-media-type", "Send application/json.")

    try:
        payload = request.get_json()
    except BadRequest:
        raise ApiError(400, "malformed-json", "The body is not valid JSON.") from None
    except RecursionError:
        # json gives up on deep nesting with RecursionError, not ValueError.
        raise ApiError(400, "invalid-body", "The body is nested too deeply.") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid-body", "The body must be a JSON object.")

    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise _unprocessable(error) from None


def _unprocessable(error: ValidationError) -> ApiError:
    problems = schemas.problems(error)
    fields = ", ".join(sorted({item["field"] for item in problems}))
    return ApiError(422, "invalid-body", f"Invalid fields: {fields}.", errors=problems)


def dump(model: type[BaseModel], value: Any) -> dict[str, Any]:
    return model.model_validate(value, from_attributes=True).model_dump(mode="json")


def bearer_secret() -> str:
    """The token in ``Authorization: Bearer``, or "" (the scheme ignores case)."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def bearer_token() -> Token:
    """The caller's live token, or a 401 that says how to authenticate."""
    secret = bearer_secret()
    token = services.active_token(secret) if secret else None
    if token is None:
        raise ApiError(
            401,
            "invalid-token",
            "Send a valid access token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="queue", error="invalid_token"'},
        )
    return token


def service_client() -> str:
    """The authenticated service client's id, or a 401."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        client_id, secret = auth.username or "", auth.password or ""
        if services.authenticate_client(client_id, secret):
            return client_id

    # Only a known client id is recorded: what arrives as the user name may
    # be anything, a secret pasted in the wrong place included.
    attempted = auth.username if auth is not None else None
    known = attempted is not None and services.client_exists(attempted)
    session = db.session()
    audit.record(
        session,
        "service_auth_failed",
        client_id=attempted if known else None,
        known_client=known,
    )
    session.commit()
    raise ApiError(
        401,
        "invalid-client",
        "Authenticate as a service client with HTTP Basic.",
        headers={"WWW-Authenticate": 'Basic realm="queue"'},
    )


def no_content() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


@bp.get("/")
def index() -> dict[str, Any]:
    return {
        "service": "queue",
        "version": version("raptor-service"),
        "links": {
            "openapi": url_for(".openapi_document"),
            "health": url_for(".healthz"),
            "ready": url_for(".readyz"),
        },
    }


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers. Touches no dependency."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Readiness: the database answers and its schema is current."""
    checks = {"database": "ok", "migrations": "ok"}
    try:
        current = migrations.current(db.engine())
    except Exception:  # any failure to answer means not ready
        checks = {"database": "unreachable", "migrations": "unknown"}
    else:
        expected = migrations.head()
        if current != expected:
            checks["migrations"] = f"at {current}, expected {expected}"

    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return body, 200 if ready else 503


@bp.get("/openapi.json")
def openapi_document() -> dict[str, Any]:
    return openapi.document(request.script_root)


@bp.post("/users")
def sign_up() -> tuple[dict[str, Any], int, dict[str, str]]:
    data = parse(schemas.SignUp)
    user = services.sign_up(data.email, data.password, data.name)
    location = url_for(".get_user", user_id=user.id)
    return dump(schemas.UserOut, user), 201, {"Location": location}


@bp.post("/sessions")
def sign_in() -> tuple[dict[str, Any], int]:
    data = parse(schemas.SignIn)
    issued = services.sign_in(data.email, data.password)
    expires_at = issued.token.expires_at
    body = {
        "access_token": issued.secret,
        "token_type": "Bearer",
        "expires_in": int((expires_at - services.now()).total_seconds()),
        "expires_at": expires_at,
    }
    return dump(schemas.SessionOut, body), 201


@bp.get("/users/me")
def me() -> dict[str, Any]:
    return dump(schemas.UserOut, bearer_token().user)


@bp.patch("/users/me")
def update_me() -> dict[str, Any]:
    token = bearer_token()
    data = parse(schemas.ProfileUpdate)
    return dump(schemas.UserOut, services.rename(token.user, data.name))


@bp.put("/users/me/password")
def change_password() -> Response:
    token = bearer_token()
    data = parse(schemas.PasswordChange)
    services.change_password(token, data.current_password, data.new_password)
    return no_content()


@bp.delete("/users/me")
def deactivate() -> Response:
    token = bearer_token()
    data = parse(schemas.Deactivation)
    services.deactivate(token, data.password)
    return no_content()


@bp.delete("/sessions/current")
def sign_out() -> Response:
    services.sign_out(bearer_token())
    return no_content()


@bp.delete("/sessions")
def sign_out_everywhere() -> Response:
    services.sign_out_everywhere(bearer_token())
    return no_content()


@bp.post("/tokens/introspect")
def introspect() -> dict[str, Any]:
    service_client()
    token = request.form.get("token")
    if not token:
        raise ApiError(
            400,
            "invalid-request",
            "Send the token as the form field 'token'.",
            errors=[{"field": "token", "message": "is required"}],
        )
    return services.introspect(token)


@bp.get("/users/<user_id>")
def get_user(user_id: str) -> dict[str, Any]:
    service_client()
    user = services.get_user(user_id)
    if user is None:
        raise ApiError(404, "user-not-found", "No user has this id.")
    return dump(schemas.ServiceUserOut, user)
