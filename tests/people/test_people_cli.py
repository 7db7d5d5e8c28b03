"""The instance operator's commands: a collective with its first invitation, and more links."""

import re
from urllib.parse import quote

import sqlalchemy as sa

from assembly.collectives.models import Collective
from assembly.extensions import db
from assembly.people.models import Membership

LINK = re.compile(r"^http://assembly\.test(/join/[\w-]+)$", re.MULTILINE)
JOIN = {"display_name": "Eleni", "password": "a long password", "email": "", "language": "el"}


def run(app, *args):
    return app.test_cli_runner().invoke(args=["assembly", *args])


def test_create_collective_prints_a_link_that_works_once(app, web, other_web):
    result = run(app, "create-collective", "Κοινωνικό Ιατρείο", "--languages", "el en",
                 "--timezone", "Europe/Athens")
    assert result.exit_code == 0, result.output
    collective = db.session.scalars(sa.select(Collective)).one()
    assert collective.languages == "el en" and collective.timezone == "Europe/Athens"
    link = LINK.search(result.output).group(1)
    assert web.get(link).status_code == 200
    response = web.post(link, JOIN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/c/{quote(collective.slug)}/")
    assert "/invitations" in web.text(f"/c/{collective.slug}/")
    assert other_web.get(link).status_code == 409
    assert other_web.post(link, {**JOIN, "display_name": "Another"}).status_code == 409
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1


def test_invite_prints_a_new_link(app, make, web):
    make.collective("Clinic", slug="clinic")
    result = run(app, "invite", "clinic")
    assert result.exit_code == 0, result.output
    link = LINK.search(result.output).group(1)
    assert web.post(link, JOIN).status_code == 302


def test_commands_refuse_bad_input(app):
    result = run(app, "invite", "nowhere")
    assert result.exit_code != 0 and "Collective not found" in result.output
    result = run(app, "create-collective", "Clinic", "--timezone", "Mars/Olympus")
    assert result.exit_code != 0 and "Unknown time zone" in result.output
    result = run(app, "create-collective", "Clinic", "--languages", "klingon")
    assert result.exit_code != 0 and "Choose languages" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Collective)) == 0
