"""Operator commands, as ``flask --app queue_identity queue <command>``."""

import click
from flask import Flask
from flask.cli import AppGroup
from pydantic import ValidationError

from . import db, migrations, schemas, services
from .errors import ApiError
from .models import User

cli = AppGroup("queue", help="Manage Queue: migrations, users, service clients.")


@cli.command("migrate")
def migrate() -> None:
    """Bring Queue's tables to the newest revision (safe to run again)."""
    migrations.upgrade(db.engine())
    click.echo(f"Queue's database is at revision {migrations.head()}.")


@cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The user's display name.")
@click.password_option(help="Asked for when not given.")
def create_user(email: str, name: str, password: str) -> None:
    """Sign a user up as if through the API."""
    try:
        data = schemas.SignUp(email=email, password=password, name=name)
        user = services.sign_up(data.email, data.password, data.name)
    except ValidationError as error:
        # str(error) would print the rejected password back to the terminal.
        reasons = "; ".join(
            f"{p['field']}: {p['message']}" for p in schemas.problems(error)
        )
        raise click.ClickException(reasons) from None
    except ApiError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"Created user {user.id} <{user.email}>.")


def _user(email: str) -> User:
    user = services.find_user(email)
    if user is None:
        raise click.ClickException(f"No user has the email {email!r}.")
    return user


@cli.command("deactivate-user")
@click.argument("email")
def deactivate_user(email: str) -> None:
    """Deactivate a user; every token of theirs dies at once."""
    user = _user(email)
    if not user.active:
        click.echo(f"{email} was deactivated already.")
        return
    services.deactivate_user(user)
    click.echo(f"Deactivated {email}.")


@cli.command("revoke-tokens")
@click.argument("email")
def revoke_tokens(email: str) -> None:
    """Revoke every token of a user; the account stays active."""
    count = services.revoke_tokens(_user(email))
    click.echo(f"Revoked {count} token(s) of {email}.")


@cli.command("create-client")
@click.argument("client_id")
def create_client(client_id: str) -> None:
    """Create a service client; its secret is printed this once."""
    if not services.valid_client_id(client_id):
        raise click.ClickException(
            "A client id is 1 to 64 of a-z, 0-9, '.', '_' and '-', "
            "starting with a letter or digit."
        )
    if services.client_exists(client_id):
        raise click.ClickException(f"Client {client_id!r} exists; rotate it instead.")
    _print_secret(client_id, services.save_client(client_id))


@cli.command("rotate-client")
@click.argument("client_id")
def rotate_client(client_id: str) -> None:
    """Give a service client a new secret; the old one stops working now."""
    if not services.client_exists(client_id):
        raise click.ClickException(f"No client {client_id!r}; create it first.")
    try:
        secret = services.save_client(client_id)
    except ApiError as error:  # the built-in client, whose secret is config
        raise click.ClickException(error.detail) from None
    _print_secret(client_id, secret)


def _print_secret(client_id: str, secret: str) -> None:
    click.echo(f"Client id: {client_id}")
    click.echo(f"Secret:    {secret}")
    click.echo("The secret is stored hashed and will not be shown again.")


def init_app(app: Flask) -> None:
    app.cli.add_command(cli)
