"""Queue alone, for ``gunicorn queue_identity.wsgi:app`` after extraction."""

from werkzeug.middleware.proxy_fix import ProxyFix

from . import create_app

# Heroku's router is the one trusted hop, as in the composed service.
app = ProxyFix(create_app(), x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)
