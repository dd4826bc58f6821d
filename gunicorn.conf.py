"""The one gunicorn configuration, for the composed service and Queue alone.

Heroku conventions: bind to $PORT, size the pool with WEB_CONCURRENCY, log to
stdout, and finish in-flight requests inside the 30 s Heroku allows between
SIGTERM and SIGKILL.
"""

import logging
import os

from flask import g, has_app_context

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# Heroku sends SIGTERM, then SIGKILL 30 s later.
graceful_timeout = 25
timeout = 30
# Longer than the router's 90 s idle timeout, so the router closes first.
keepalive = 95
# Heartbeat files on a RAM disk: a slow or full disk must not stall workers.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# Heroku's Python setup trusts every peer (FORWARDED_ALLOW_IPS='*'), so a
# client could set SCRIPT_NAME or PATH_INFO through headers, or claim https.
# ProxyFix in the app is the one place that reads forwarded headers.
forwarder_headers = ""
secure_scheme_headers: dict[str, str] = {}

# gunicorn's control socket lives at one path per user, so two servers on a
# machine (the composed app and a standalone Queue) take it from each other;
# nothing here uses it, and a dyno has no operator shell to use it from.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# %(r)s is the request line as the client sent it, /api/v1 prefix included;
# %(p)s is the worker's pid, to tell which worker of a dyno answered.
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s '
    'worker=%(p)s agent="%(a)s"'
)


class RequestIdFilter:
    """Stamp each record with the request id of the Flask app serving it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request_id"):
            return True

        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            # The access line is logged after the response, outside any app;
            # the id is the one the response carried.
            request_id = record.args.get("{x-request-id}o")
        else:
            request_id = g.get("request_id") if has_app_context() else None
        record.request_id = request_id or "-"
        return True


logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": RequestIdFilter}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"level": loglevel.upper(), "handlers": ["stdout"]},
    "loggers": {
        # Alembic announces each of its plugins at INFO on import.
        "alembic": {"level": "WARNING"},
        # httpx logs every request Raptor makes to Queue at INFO.
        "httpx": {"level": "WARNING"},
        "gunicorn.error": {
            "level": loglevel.upper(),
            "handlers": ["stdout"],
            "propagate": False,
        },
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["stdout"],
            "propagate": False,
        },
    },
}
