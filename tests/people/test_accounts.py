"""Accounts: signing in and out, joining by invitation, inviting, and one's own account."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.people.models import Invitation, Membership, Person
from assembly.people.service import create_invitation

PASSWORD = "correct horse battery"
LONG = "x" * 10_000
LINK = re.compile(r"http://assembly\.test(/join/[\w-]+)")


@pytest.fixture
def clinic(make):
    collective = make.collective("Clinic", slug="clinic")
    return collective, make.member(collective, "Maria")


def invite(collective, by=None):
    _invitation, token = create_invitation(collective, by)
    db.session.commit()
    return f"/join/{token}"


def person_named(name):
    db.session.expire_all()
    return db.session.scalars(sa.select(Person).where(Person.display_name == name)).first()


def members(collective):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Membership)
                             .where(Membership.collective_id == collective.id))


JOIN = {"display_name": "Yusuf", "password": "a long password", "email": "yusuf@example.org",
        "language": "tr"}


# --- signing in and out ---------------------------------------------------------------------

def test_sign_in_failure_is_422_with_a_message(web, clinic):
    assert web.get("/login").status_code == 200
    for data in ({"name": "Maria", "password": "wrong password"},
                 {"name": "Nobody", "password": PASSWORD}):
        response = web.post("/login", data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Name or password is not right." in page
        assert f'value="{data["name"]}"' in page
        assert "Signed in" not in page
    response = web.post("/login", {"name": "", "password": ""})
    assert response.status_code == 422 and "This field is required." in response.get_data(
        as_text=True)


def test_sign_in_redirects_only_within_the_site(web, clinic):
    _, maria = clinic
    response = web.post("/login?next=//evil.example/x", {"name": "maria", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    web.post("/logout")
    response = web.post("/login?next=/c/clinic/", {"name": "Maria", "password": PASSWORD})
    assert response.headers["Location"] == "/c/clinic/"


def test_logout_is_post_only(web, clinic):
    web.login(clinic[1])
    assert web.get("/logout").status_code == 405
    assert "Signed in as Maria" in web.text("/")
    assert web.post("/logout", csrf=False).status_code == 400
    assert "Signed in as Maria" in web.text("/")
    assert web.post("/logout").status_code == 302
    assert "Signed in as" not in web.text("/")


# --- joining by invitation ------------------------------------------------------------------

def test_an_invitation_works_exactly_once(web, other_web, clinic):
    collective, _ = clinic
    link = invite(collective)
    page = web.text(link)
    assert "Join Clinic" in page
    response = web.post(link, JOIN)
    assert response.status_code == 302 and response.headers["Location"].endswith("/c/clinic/")
    yusuf = person_named("Yusuf")
    assert yusuf.language == "tr" and yusuf.email == "yusuf@example.org"
    assert members(collective) == 2
    page = web.text("/c/clinic/")  # signed in, in the language he chose
    assert '<html lang="tr"' in page and "Yusuf" in page and "people.logout" not in page
    assert 'action="/logout"' in page
    response = other_web.get(link)
    assert response.status_code == 409
    assert "already been used" in response.get_data(as_text=True)
    response = other_web.post(link, {**JOIN, "display_name": "Second"})
    assert response.status_code == 409
    assert person_named("Second") is None


def test_unknown_and_expired_links(web, clinic):
    collective, _ = clinic
    response = web.get("/join/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)
    link = invite(collective)
    with freeze_time(utcnow() + timedelta(days=15)):
        response = web.get(link)
        assert response.status_code == 409
        assert "expired" in response.get_data(as_text=True)
        assert web.post(link, JOIN).status_code == 409
    assert person_named("Yusuf") is None


@pytest.mark.parametrize("change, message", [
    ({"display_name": ""}, "This field is required."),
    ({"display_name": LONG}, "Field cannot be longer than 80 characters."),
    ({"display_name": "Yusuf\x07"}, "invisible control characters"),
    ({"display_name": "maria"}, "Someone already uses this name"),
    ({"password": "short"}, "Field must be between 8 and 1000 characters long."),
    ({"email": "not an email"}, "does not look like an email address"),
    ({"language": "xx"}, "Not a valid choice"),
])
def test_rejected_join_keeps_what_was_typed_but_not_the_password(web, clinic, change, message):
    collective, _ = clinic
    link = invite(collective)
    response = web.post(link, {**JOIN, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if "email" not in change:
        assert 'value="yusuf@example.org"' in page
    if "display_name" not in change:
        assert 'value="Yusuf"' in page
    assert JOIN["password"] not in page and 'value="short"' not in page
    assert members(collective) == 1
    # the link was not used up by the failed attempt
    assert web.post(link, JOIN).status_code == 302
    assert members(collective) == 2


def test_join_with_forged_csrf_is_refused(web, clinic):
    link = invite(clinic[0])
    assert web.post(link, {**JOIN, "csrf_token": "forged"}).status_code == 400
    assert web.post(link, JOIN, csrf=False).status_code == 400
    assert person_named("Yusuf") is None


def test_signed_in_person_joins_with_their_account(web, make, clinic):
    collective, _ = clinic
    eleni = make.person("Eleni")
    link = invite(collective)
    web.login(eleni)
    assert "Join Clinic as Eleni?" in web.text(link)
    response = web.post(link, {"confirm": "1"})
    assert response.status_code == 302
    assert members(collective) == 2
    assert "/c/clinic/invitations" in web.text("/c/clinic/")


def test_member_following_a_link_leaves_it_unused(web, clinic):
    collective, maria = clinic
    link = invite(collective)
    web.login(maria)
    page = web.text(link)
    assert "You are already a member of Clinic" in page and 'name="confirm"' not in page
    response = web.post(link, {"confirm": "1"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.scalars(sa.select(Invitation)).one().used_at is None


# --- inviting -------------------------------------------------------------------------------

def test_member_creates_a_link_shown_once(web, other_web, clinic):
    collective, maria = clinic
    web.login(maria)
    page = web.text("/c/clinic/invitations")
    assert "Members (1)" in page and "Maria" in page
    response = web.post("/c/clinic/invitations", {"note": "For Yusuf"})
    assert response.status_code == 200
    link = LINK.search(response.get_data(as_text=True)).group(1)
    assert "/join/" not in web.text("/c/clinic/invitations")
    invitation = db.session.scalars(sa.select(Invitation)).one()
    assert invitation.note == "For Yusuf" and invitation.created_by_id == maria.id
    assert link.split("/")[-1] not in invitation.token_hash
    assert other_web.post(link, JOIN).status_code == 302
    assert members(collective) == 2


@pytest.mark.parametrize("note, message", [
    (LONG, "Field cannot be longer than 200 characters."),
    ("For \x1b Yusuf", "invisible control characters"),
])
def test_bad_invitation_note_is_refused(web, clinic, note, message):
    web.login(clinic[1])
    response = web.post("/c/clinic/invitations", {"note": note})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "/join/" not in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_only_members_invite(web, other_web, make, clinic):
    stranger = make.member(make.collective("School"), "Stranger")
    web.login(stranger)
    assert web.get("/c/clinic/invitations").status_code == 403
    assert web.post("/c/clinic/invitations", {"note": ""}).status_code == 403
    response = other_web.get("/c/clinic/invitations")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert web.get("/c/nowhere/invitations").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


# --- one's own account ----------------------------------------------------------------------

def test_person_changes_name_and_language(web, clinic):
    _, maria = clinic
    web.login(maria)
    page = web.text("/account")
    assert 'value="Maria"' in page and "Clinic" in page
    response = web.post("/account", {"display_name": "Maria K.", "language": "el"})
    assert response.status_code == 302
    assert "lang=el" in response.headers["Set-Cookie"]
    changed = person_named("Maria K.")
    assert changed.id == maria.id and changed.language == "el"
    web.post("/logout")
    web.login(changed)


@pytest.mark.parametrize("change, message", [
    ({"display_name": ""}, "This field is required."),
    ({"display_name": LONG}, "Field cannot be longer than 80 characters."),
    ({"display_name": "Ma\x00ria"}, "invisible control characters"),
    ({"display_name": "AHMAD"}, "Someone already uses this name"),
    ({"language": "xx"}, "Not a valid choice"),
])
def test_bad_account_input_is_refused_and_kept(web, make, clinic, change, message):
    collective, maria = clinic
    make.member(collective, "Ahmad")
    web.login(maria)
    response = web.post("/account", {"display_name": "Maria K.", "language": "el", **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if change.get("display_name") == "AHMAD":
        assert 'value="AHMAD"' in page
    db.session.expire_all()
    assert db.session.get(Person, maria.id).display_name == "Maria"


def test_account_needs_sign_in_and_csrf(web, clinic):
    response = web.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    web.login(clinic[1])
    response = web.post("/account", {"display_name": "Mallory", "language": "en"}, csrf=False)
    assert response.status_code == 400
    assert person_named("Mallory") is None


# --- passwords ------------------------------------------------------------------------------

def test_passwords_are_stored_hashed(app, make):
    from werkzeug.security import check_password_hash

    tested = make.person("Tested")
    assert tested.password_hash.startswith("pbkdf2:") and PASSWORD not in tested.password_hash
    app.config["PASSWORD_HASH_METHOD"] = "scrypt"
    production = make.person("Production")
    assert production.password_hash.startswith("scrypt:")
    assert PASSWORD not in production.password_hash
    assert check_password_hash(production.password_hash, PASSWORD)


def test_default_configuration_hashes_with_scrypt(monkeypatch, tmp_path):
    from assembly import create_app

    monkeypatch.delenv("PASSWORD_HASH_METHOD", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                      "SOCKETIO_ASYNC_MODE": "threading"})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
