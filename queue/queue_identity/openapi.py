"""Queue's OpenAPI 3.1 document, generated from the pydantic schemas.

The operations are listed once, here; their bodies come from :mod:`schemas`,
the same models that validate requests, so the document cannot drift from
what the code accepts and answers.
"""

from functools import cache
from importlib.metadata import version
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from . import schemas

REF = "#/components/schemas/{model}"
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
SERVICE: list[dict[str, list[str]]] = [{"service": []}]

# (method, path, summary, request model, {status: response model or None},
#  security)
OPERATIONS: list[tuple[str, str, str, Any, dict[int, Any], Any]] = [
    ("get", "/", "Service index", None, {200: schemas.Index}, []),
    ("get", "/healthz", "Liveness", None, {200: schemas.Health}, []),
    (
        "get",
        "/readyz",
        "Readiness",
        None,
        {200: schemas.Health, 503: schemas.Health},
        [],
    ),
    ("get", "/openapi.json", "This document", None, {200: "document"}, []),
    (
        "post",
        "/users",
        "Sign up",
        schemas.SignUp,
        {201: schemas.UserOut, 409: schemas.Problem, 422: schemas.Problem},
        [],
    ),
    (
        "post",
        "/sessions",
        "Sign in",
        schemas.SignIn,
        {201: schemas.SessionOut, 401: schemas.Problem, 429: schemas.Problem},
        [],
    ),
    (
        "delete",
        "/sessions",
        "Sign out everywhere",
        None,
        {204: None, 401: schemas.Problem},
        BEARER,
    ),
    (
        "delete",
        "/sessions/current",
        "Sign out",
        None,
        {204: None, 401: schemas.Problem},
        BEARER,
    ),
    (
        "get",
        "/users/me",
        "The caller",
        None,
        {200: schemas.UserOut, 401: schemas.Problem},
        BEARER,
    ),
    (
        "patch",
        "/users/me",
        "Change the caller's name",
        schemas.ProfileUpdate,
        {200: schemas.UserOut, 401: schemas.Problem, 422: schemas.Problem},
        BEARER,
    ),
    (
        "delete",
        "/users/me",
        "Deactivate the caller",
        schemas.Deactivation,
        {204: None, 401: schemas.Problem, 403: schemas.Problem},
        BEARER,
    ),
    (
        "put",
        "/users/me/password",
        "Change the caller's password",
        schemas.PasswordChange,
        {204: None, 401: schemas.Problem, 403: schemas.Problem, 422: schemas.Problem},
        BEARER,
    ),
    (
        "post",
        "/tokens/introspect",
        "Introspect a token (RFC 7662)",
        "form",
        {200: (schemas.ActiveToken, schemas.InactiveToken), 401: schemas.Problem},
        SERVICE,
    ),
    (
        "get",
        "/users/{user_id}",
        "One user, for services",
        None,
        {200: schemas.ServiceUserOut, 401: schemas.Problem, 404: schemas.Problem},
        SERVICE,
    ),
]

MODELS: list[type[BaseModel]] = [
    schemas.SignUp, schemas.SignIn, schemas.ProfileUpdate, schemas.PasswordChange,
    schemas.Deactivation, schemas.UserOut, schemas.ServiceUserOut,
    schemas.SessionOut, schemas.ActiveToken, schemas.InactiveToken,
    schemas.Problem, schemas.Index, schemas.Health,
]  # fmt: skip


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": REF.format(model=model.__name__)}


def _content(model: Any, media_type: str = "application/json") -> dict[str, Any]:
    if isinstance(model, tuple):
        schema: dict[str, Any] = {"oneOf": [_ref(m) for m in model]}
    else:
        schema = _ref(model)
    return {media_type: {"schema": schema}}


def _responses(responses: dict[int, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status, model in responses.items():
        entry: dict[str, Any] = {"description": str(status)}
        if model is schemas.Problem:
            entry["content"] = _content(model, "application/problem+json")
        elif model == "document":
            entry["content"] = {"application/json": {"schema": {"type": "object"}}}
        elif model is not None:
            entry["content"] = _content(model)
        out[str(status)] = entry
    return out


def _operation(summary: str, body: Any, responses: Any, security: Any) -> Any:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": _responses(responses),
        "security": security,
    }
    if body == "form":
        form = {
            "type": "object",
            "required": ["token"],
            "properties": {"token": {"type": "string"}},
        }
        operation["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": form}},
        }
    elif body is not None:
        operation["requestBody"] = {"required": True, "content": _content(body)}
    return operation


@cache
def _components() -> dict[str, Any]:
    pairs: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (model, "validation") for model in MODELS[:5]
    ]
    pairs += [(model, "serialization") for model in MODELS[5:]]
    _, schema = models_json_schema(pairs, ref_template=REF)
    return dict(schema.get("$defs", {}))


def document(server: str = "") -> dict[str, Any]:
    """The whole document; ``server`` is where Queue is mounted, if anywhere."""
    paths: dict[str, Any] = {}
    for method, path, summary, body, responses, security in OPERATIONS:
        operation = _operation(summary, body, responses, security)
        if "{user_id}" in path:
            operation["parameters"] = [
                {"name": "user_id", "in": "path", "required": True,
                 "schema": {"type": "string"}}
            ]  # fmt: skip
        paths.setdefault(path, {})[method] = operation

    return {
        "openapi": "3.1.0",
        "info": {"title": "Queue identity API", "version": version("raptor-service")},
        "servers": [{"url": server or "/"}],
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "service": {"type": "http", "scheme": "basic"},
            },
        },
    }
