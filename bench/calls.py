"""Calls of a WSGI app in this process, as a server would make them."""

import base64
import io
import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.test import EnvironBuilder

from queue_identity.config import DEVELOPMENT_CLIENT_SECRET

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication, WSGIEnvironment


CLIENT_ID = "raptor"  # Queue's built-in client, Raptor's


class WsgiCall:
    """One request to ``app``, built once; each call gets a fresh environ.

    ``script_name`` is the prefix the app is mounted under, as the
    dispatcher hands it over. ``body``, when given, makes each call's body
    (outside the timing). The status must start with ``expect``.
    """

    def __init__(
        self,
        app: "WSGIApplication",
        path: str,
        *,
        method: str = "GET",
        script_name: str = "",
        headers: dict[str, str] | None = None,
        body: Callable[[], bytes] | None = None,
        content_type: str | None = None,
        expect: str = "200",
    ) -> None:
        builder = EnvironBuilder(
            path=path,
            base_url="http://127.0.0.1" + script_name,
            method=method,
            headers=headers,
            content_type=content_type,
        )
        self.template = builder.get_environ()
        self.template["REMOTE_ADDR"] = "127.0.0.1"
        builder.close()
        self.app, self.body, self.expect = app, body, expect

    def prepare(self) -> "WSGIEnvironment":
        environ = dict(self.template)
        data = self.body() if self.body is not None else b""
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        return environ

    def run(self, environ: "WSGIEnvironment") -> bytes:
        status: list[str] = []

        def start_response(line: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(line)
            return lambda data: None

        body = self.app(environ, start_response)
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

        if not status or not status[0].startswith(self.expect):
            raise AssertionError(f"{environ['PATH_INFO']} answered {status}: {data!r}")
        return data


def introspection(
    app: "WSGIApplication", tokens: Sequence[str], *, script_name: str = ""
) -> WsgiCall:
    """POST /tokens/introspect as Raptor's client sends it, a random token each."""
    basic = base64.b64encode(f"{CLIENT_ID}:{DEVELOPMENT_CLIENT_SECRET}".encode())
    return WsgiCall(
        app,
        "/tokens/introspect",
        method="POST",
        script_name=script_name,
        headers={"Authorization": "Basic " + basic.decode()},
        content_type="application/x-www-form-urlencoded",
        body=lambda: urlencode({"token": random.choice(tokens)}).encode(),
    )
