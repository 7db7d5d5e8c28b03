"""``flask assembly …``: what the instance operator does from the command line."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from assembly.core.errors import DomainError
from assembly.extensions import db


@click.group("assembly")
def assembly_cli():
    """Collectives, invitations, demo data and meeting planning."""


def invitation_link(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/join/{token}"


def _fail(error: DomainError):
    db.session.rollback()
    raise click.ClickException(str(error.message))


@assembly_cli.command("create-collective")
@click.argument("name")
@click.option("--slug", help="Short name used in addresses (default: from the name).")
@click.option("--languages", default="en", show_default=True,
              help="Space-separated language codes, main language first.")
@click.option("--timezone", default="UTC", show_default=True, help="e.g. Europe/Athens")
@click.option("--network", is_flag=True, help="Create a network of collectives.")
@click.option("--description", default="")
@with_appcontext
def create_collective_command(name, slug, languages, timezone, network, description):
    """Create a collective and print a one-time invitation link for its first member."""
    from assembly.collectives.models import CollectiveKind
    from assembly.collectives.service import create_collective
    from assembly.people.service import create_invitation

    try:
        collective = create_collective(
            name, slug=slug, languages=languages, timezone=timezone, description=description,
            kind=CollectiveKind.NETWORK if network else CollectiveKind.COLLECTIVE,
        )
        _, token = create_invitation(collective, None, note="first member")
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created {collective.name} ({collective.slug}).")
    click.echo("One-time invitation link for the first member:")
    click.echo(invitation_link(token))


@assembly_cli.command("invite")
@click.argument("slug")
@with_appcontext
def invite_command(slug):
    """Print a new one-time invitation link for a collective."""
    from assembly.people.service import create_invitation
    from assembly.visibility import get_collective

    try:
        _, token = create_invitation(get_collective(slug), None, note="command line")
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(invitation_link(token))


@assembly_cli.command("plan-meetings")
@click.option("--weeks", type=int, default=None, help="How far ahead (default from config).")
@with_appcontext
def plan_meetings_command(weeks):
    """Create the coming meetings of every body that has a rhythm (safe to run daily)."""
    from assembly.collectives.models import Body
    from assembly.meetings.service import plan_meetings

    weeks = weeks or current_app.config["MEETING_PLAN_WEEKS"]
    total = 0
    for body in db.session.scalars(sa.select(Body).where(Body.rhythm_weekday.is_not(None))):
        total += len(plan_meetings(body, weeks=weeks))
    db.session.commit()
    click.echo(f"Planned {total} new meetings.")


@assembly_cli.command("check")
@with_appcontext
def check_command():
    """Check that every proposal agrees with its event log."""
    from assembly.proposals.models import Proposal
    from assembly.proposals.service import check_consistency

    bad = 0
    for proposal in db.session.scalars(sa.select(Proposal)):
        for problem in check_consistency(proposal):
            bad += 1
            click.echo(f"proposal {proposal.id}: {problem}")
    click.echo("All proposals agree with their history." if not bad else f"{bad} problems.")
    if bad:
        raise SystemExit(1)


@assembly_cli.command("reindex")
@with_appcontext
def reindex_command():
    """Rebuild the full-text search index (it is kept current on every write anyway)."""
    from assembly.search.service import reindex

    counts = reindex()
    db.session.commit()
    click.echo(", ".join(f"{count} {kind.value}" for kind, count in counts.items()) + " indexed.")


@assembly_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when a collective exists already.")
@with_appcontext
def demo_command(if_empty):
    """Load a small fictional social clinic with its network, in several languages."""
    from assembly.collectives.models import Collective
    from assembly.demo import load_demo

    if if_empty and db.session.scalar(sa.select(sa.func.count(Collective.id))):
        click.echo("The database already holds collectives; no demo loaded.")
        return
    try:
        summary = load_demo()
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(summary)


@assembly_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Write a consistent snapshot of the database to PATH while the server keeps running
    (SQLite: its online backup API; PostgreSQL: pg_dump --format=custom)."""
    from flask_babel import gettext as _

    from assembly.backup import backup

    try:
        written = backup(db.engine, path)
    except DomainError as error:
        _fail(error)
    click.echo(_("Backup written to %(path)s.", path=str(written)))


@assembly_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path, yes):
    """Replace everything in the database by the backup at PATH. Stop the server first: with
    SQLite a running server would go on with what it had read before; with PostgreSQL the
    restore would wait for its transactions."""
    from flask_babel import gettext as _

    from assembly.backup import restore

    if not yes:
        click.confirm(_("Everything in the database will be replaced by %(path)s. Is the "
                        "server stopped?", path=path), abort=True)
    try:
        restore(db.engine, path)
    except DomainError as error:
        _fail(error)
    click.echo(_("Restored from %(path)s.", path=path))
