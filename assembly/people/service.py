"""Accounts, memberships and invitations. Membership is equal: there is no owner or chair."""

import hashlib
import secrets
import unicodedata
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from assembly.collectives.models import Collective
from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.people.models import Invitation, Membership, Person
from assembly.visibility import viewer_for

LANGUAGES = {
    "en": "English",
    "el": "Ελληνικά",
    "it": "Italiano",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "tr": "Türkçe",
    "ar": "العربية",
    "fa": "فارسی",
}
RTL_LANGUAGES = frozenset({"ar", "fa"})
MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 80


def clean_text(value: str | None, *, max_length: int, field: str, required: bool = True) -> str:
    """Trim, normalise and bound a piece of user text; refuse control characters."""
    value = unicodedata.normalize("NFC", (value or "").strip())
    if required and not value:
        raise Invalid(_l("This field is required."), field=field)
    if len(value) > max_length:
        raise Invalid(
            _l("Please keep this under %(n)d characters.", n=max_length), field=field
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise Invalid(_l("This text contains invisible control characters."), field=field)
    return value


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_person(
    display_name: str, password: str, email: str | None = None, language: str = "en"
) -> Person:
    display_name = clean_text(display_name, max_length=MAX_NAME_LENGTH, field="display_name")
    email = clean_text(email, max_length=254, field="email", required=False).lower() or None
    if email and ("@" not in email or " " in email):
        raise Invalid(_l("This does not look like an email address."), field="email")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise Invalid(
            _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )
    if language not in LANGUAGES:
        raise Invalid(_l("Unknown language."), field="language")
    _check_unique_name(display_name)
    if email and find_person(email) is not None:
        raise Invalid(_l("This email address is already used."), field="email")
    person = Person(
        display_name=display_name, email=email, language=language,
        password_hash=_hash_password(password),
    )
    db.session.add(person)
    db.session.flush()
    return person


def find_person(name_or_email: str) -> Person | None:
    """Login is by display name (unique, case-insensitive) or by email when one was given.
    The name as written also matches exactly: SQLite's lower() folds only ASCII letters, so a
    name such as "Δήμητρα" would otherwise never equal its lower-cased key there."""
    name = unicodedata.normalize("NFC", (name_or_email or "").strip())
    key = name.lower()
    if not key:
        return None
    return db.session.scalars(
        sa.select(Person).where(sa.or_(
            Person.display_name == name, sa.func.lower(Person.display_name) == key,
            Person.email == key,
        ))
    ).first()


def _check_unique_name(display_name: str, person: Person | None = None) -> None:
    other = find_person(display_name)
    if other is not None and (person is None or other.id != person.id):
        raise Invalid(
            _l("Someone already uses this name here. Add something, e.g. an initial."),
            field="display_name",
        )


def update_account(person: Person, display_name: str, language: str) -> Person:
    """A person changes how others see their name and the language the pages speak to them."""
    display_name = clean_text(display_name, max_length=MAX_NAME_LENGTH, field="display_name")
    if language not in LANGUAGES:
        raise Invalid(_l("Unknown language."), field="language")
    _check_unique_name(display_name, person)
    person.display_name, person.language = display_name, language
    db.session.flush()
    return person


def authenticate(name_or_email: str, password: str) -> Person | None:
    person = find_person(name_or_email)
    if person is None or not check_password_hash(person.password_hash, password or ""):
        return None
    return person


def is_member(person: Person | None, collective: Collective) -> bool:
    return person is not None and viewer_for(person).is_member_of(collective.id)


def require_member(person: Person | None, collective: Collective) -> None:
    if not is_member(person, collective):
        raise Forbidden(_l("Only members of %(name)s can do this.", name=collective.name))


def members_of(collective: Collective) -> list[Person]:
    return list(
        db.session.scalars(
            sa.select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.collective_id == collective.id)
            .order_by(Person.display_name)
        )
    )


def has_membership(person: Person, collective: Collective) -> bool:
    """A membership of this very collective (not one reached through a network)."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Membership.collective_id == collective.id, Membership.person_id == person.id
        )
    ) > 0


def add_member(collective: Collective, person: Person, invitation: Invitation | None = None):
    existing = db.session.scalars(
        sa.select(Membership).where(
            Membership.collective_id == collective.id, Membership.person_id == person.id
        )
    ).first()
    if existing is not None:
        return existing
    membership = Membership(collective=collective, person=person, invitation_id=getattr(
        invitation, "id", None))
    db.session.add(membership)
    db.session.flush()
    return membership


def create_invitation(
    collective: Collective, created_by: Person | None, note: str = ""
) -> tuple[Invitation, str]:
    """Any member may invite; the command line may too (``created_by`` None). Returns the
    invitation and the token, which is shown once and never stored."""
    if created_by is not None:
        require_member(created_by, collective)
    token = secrets.token_urlsafe(24)
    invitation = Invitation(
        collective=collective,
        created_by=created_by,
        token_hash=_token_hash(token),
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
        note=clean_text(note, max_length=200, field="note", required=False),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def find_invitation(token: str) -> Invitation:
    invitation = db.session.scalars(
        sa.select(Invitation).where(Invitation.token_hash == _token_hash(token or ""))
    ).first()
    if invitation is None:
        raise NotFound(_l("This invitation link is not valid."))
    if invitation.used_at is not None:
        raise Conflict(_l("This invitation link has already been used. "
                          "Ask a member for a new one."))
    if invitation.expires_at < utcnow():
        raise Conflict(_l("This invitation link has expired. Ask a member for a new one."))
    return invitation


def accept_invitation(token: str, person: Person) -> Membership:
    invitation = find_invitation(token)
    if has_membership(person, invitation.collective):
        # Leave the link unused: it was meant for someone else.
        raise Conflict(_l("You are already a member of %(name)s. The link stays unused, so it "
                          "can still be given to someone else.",
                          name=invitation.collective.name))
    invitation.used_at = utcnow()
    invitation.used_by_id = person.id
    return add_member(invitation.collective, person, invitation)


def join_by_invitation(
    token: str, display_name: str, password: str, email: str | None, language: str
) -> Person:
    find_invitation(token)  # refuse before creating an account for a dead link
    person = create_person(display_name, password, email, language)
    accept_invitation(token, person)
    return person
