"""Raptor, the monolith. Its Flask application lives in :mod:`backend_v2.api`."""
