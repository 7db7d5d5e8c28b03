"""Creating collectives, networks and bodies, and naming the participants of bodies."""

import re
import unicodedata
from zoneinfo import available_timezones

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from assembly.collectives.models import (
    Body,
    BodyKind,
    BodyParticipant,
    Collective,
    CollectiveKind,
    NetworkMembership,
)
from assembly.core.db import Visibility
from assembly.core.errors import Conflict, Forbidden, Invalid
from assembly.extensions import db
from assembly.people.models import Person
from assembly.people.service import LANGUAGES, add_member, clean_text, require_member
from assembly.visibility import viewer_for


def slugify(text: str, max_length: int = 60) -> str:
    """ASCII slug when the text has Latin letters; otherwise keep the letters (Greek, Arabic)."""
    normal = unicodedata.normalize("NFKD", text)
    ascii_text = normal.encode("ascii", "ignore").decode()
    base = ascii_text if re.search(r"[A-Za-z0-9]", ascii_text) else text
    slug = re.sub(r"[^\w]+", "-", base.lower(), flags=re.UNICODE).strip("-_")
    return slug[:max_length].strip("-") or "item"


def _check_languages(languages: str) -> str:
    codes = languages.split()
    unknown = [code for code in codes if code not in LANGUAGES]
    if not codes or unknown:
        raise Invalid(_l("Choose languages among: %(codes)s", codes=" ".join(LANGUAGES)),
                      field="languages")
    return " ".join(dict.fromkeys(codes))


def _check_visibility(value: str) -> str:
    try:
        return Visibility(value).value
    except ValueError:
        raise Invalid(_l("Unknown visibility."), field="visibility") from None


def create_collective(
    name: str,
    *,
    founder: Person | None = None,
    kind: str = CollectiveKind.COLLECTIVE,
    slug: str | None = None,
    languages: str = "en",
    timezone: str = "UTC",
    description: str = "",
) -> Collective:
    """A collective starts with its general assembly (a network with its network assembly)."""
    name = clean_text(name, max_length=120, field="name")
    slug = slugify(slug or name)
    if db.session.scalar(sa.select(Collective.id).where(Collective.slug == slug)):
        raise Invalid(_l("The short name “%(slug)s” is taken.", slug=slug), field="slug")
    if timezone not in available_timezones():
        raise Invalid(_l("Unknown time zone."), field="timezone")
    if kind not in set(CollectiveKind):
        raise Invalid(_l("Unknown kind of collective."), field="kind")
    collective = Collective(
        name=name, slug=slug, kind=kind, languages=_check_languages(languages),
        timezone=timezone,
        description=clean_text(description, max_length=5000, field="description", required=False),
    )
    db.session.add(collective)
    db.session.flush()
    assembly_kind = (
        BodyKind.NETWORK_ASSEMBLY if kind == CollectiveKind.NETWORK else BodyKind.GENERAL_ASSEMBLY
    )
    db.session.add(Body(
        collective=collective, kind=assembly_kind, name=str(assembly_kind.label),
        slug="assembly", visibility=Visibility.PUBLIC,
    ))
    if founder is not None:
        add_member(collective, founder)
    db.session.flush()
    return collective


def general_assembly(collective: Collective) -> Body:
    return db.session.scalars(
        sa.select(Body).where(
            Body.collective_id == collective.id,
            Body.kind.in_([BodyKind.GENERAL_ASSEMBLY, BodyKind.NETWORK_ASSEMBLY]),
        ).order_by(Body.id)
    ).first()


def create_network(
    name: str,
    *,
    founder: Person,
    joining: Collective | None = None,
    **fields,
) -> Collective:
    """A network is a collective of kind ``network``; the founder's chosen collective joins it
    at once, so the network assembly has members from the start."""
    network = create_collective(name, founder=founder, kind=CollectiveKind.NETWORK, **fields)
    if joining is not None:
        join_network(network, joining, founder)
    return network


def create_working_group(
    collective: Collective,
    actor: Person,
    name: str,
    purpose: str = "",
    visibility: str = Visibility.PUBLIC,
) -> Body:
    require_member(actor, collective)
    name = clean_text(name, max_length=120, field="name")
    slug = slugify(name)
    taken = set(db.session.scalars(sa.select(Body.slug).where(Body.collective_id == collective.id)))
    base, n = slug, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    body = Body(
        collective=collective, kind=BodyKind.WORKING_GROUP, name=name, slug=slug,
        purpose=clean_text(purpose, max_length=5000, field="purpose", required=False),
        visibility=_check_visibility(visibility),
    )
    db.session.add(body)
    db.session.flush()
    # Whoever starts a group is its first participant, so a confidential group is never orphaned.
    add_participant(body, actor, actor)
    return body


def is_participant(person: Person | None, body: Body) -> bool:
    return person is not None and body.id in viewer_for(person).participant_body_ids


def add_participant(body: Body, actor: Person, person: Person) -> BodyParticipant:
    """Members join open groups themselves; only participants can add someone to a
    confidential one."""
    if not body.has_participants:
        raise Conflict(_l("Only working groups have named participants; everyone in the "
                          "collective takes part in its assembly."))
    require_member(actor, body.collective)
    require_member(person, body.collective)
    confidential = body.visibility == Visibility.CONFIDENTIAL
    has_participants = db.session.scalar(
        sa.select(sa.func.count()).where(BodyParticipant.body_id == body.id)
    )
    if confidential and has_participants and not is_participant(actor, body):
        raise Forbidden(_l("Only participants of a confidential group can add people to it."))
    existing = db.session.scalars(
        sa.select(BodyParticipant).where(
            BodyParticipant.body_id == body.id, BodyParticipant.person_id == person.id
        )
    ).first()
    if existing is not None:
        return existing
    participant = BodyParticipant(body_id=body.id, person_id=person.id)
    db.session.add(participant)
    db.session.flush()
    db.session.expire(body, ["participants"])
    return participant


def _participant_ids(body: Body) -> set[int]:
    return set(db.session.scalars(
        sa.select(BodyParticipant.person_id).where(BodyParticipant.body_id == body.id)
    ))


def remove_participant(body: Body, actor: Person, person: Person) -> None:
    if actor.id != person.id and not is_participant(actor, body):
        raise Forbidden(_l("Only participants can change who takes part."))
    if body.visibility == Visibility.CONFIDENTIAL and _participant_ids(body) == {person.id}:
        # Nobody could read or reach the group any more, and nobody could add anyone back.
        raise Conflict(_l("You are the last participant of this confidential group, so you "
                          "cannot leave it: first add someone else."))
    db.session.execute(
        sa.delete(BodyParticipant).where(
            BodyParticipant.body_id == body.id, BodyParticipant.person_id == person.id
        )
    )
    db.session.expire(body, ["participants"])


def set_rhythm(
    body: Body, actor: Person, weekday: int | None, time: str | None, every_weeks: int = 1,
    minutes: int = 120, place: str = "",
) -> Body:
    require_member(actor, body.collective)
    if weekday is not None:
        if not 0 <= weekday <= 6:
            raise Invalid(_l("Choose a day of the week."), field="weekday")
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time or ""):
            raise Invalid(_l("Give the time as HH:MM, e.g. 19:00."), field="time")
        if not 1 <= every_weeks <= 8:
            raise Invalid(_l("Choose every 1 to 8 weeks."), field="every_weeks")
        if not 15 <= minutes <= 600:
            raise Invalid(_l("A meeting lasts between 15 and 600 minutes."), field="minutes")
    body.rhythm_weekday, body.rhythm_time = weekday, time if weekday is not None else None
    body.rhythm_every_weeks, body.rhythm_minutes = every_weeks, minutes
    body.default_place = clean_text(place, max_length=200, field="place", required=False)
    db.session.flush()
    return body


def member_networks(collective: Collective) -> list[Collective]:
    return list(db.session.scalars(
        sa.select(Collective).join(NetworkMembership, NetworkMembership.network_id == Collective.id)
        .where(NetworkMembership.collective_id == collective.id).order_by(Collective.name)
    ))


def network_members(network: Collective) -> list[Collective]:
    return list(db.session.scalars(
        sa.select(Collective)
        .join(NetworkMembership, NetworkMembership.collective_id == Collective.id)
        .where(NetworkMembership.network_id == network.id).order_by(Collective.name)
    ))


def require_can_join_networks(collective: Collective) -> None:
    if collective.is_network:
        raise Conflict(_l("A network cannot join another network."))


def networks_to_join(collective: Collective) -> list[Collective]:
    """The networks this collective is not part of yet, by name."""
    joined = sa.select(NetworkMembership.network_id).where(
        NetworkMembership.collective_id == collective.id)
    return list(db.session.scalars(
        sa.select(Collective).where(
            Collective.kind == CollectiveKind.NETWORK, Collective.id.not_in(joined)
        ).order_by(Collective.name)
    ))


def find_network(slug: str) -> Collective:
    """A network named by its short name in a form: unknown is a mistake in the input."""
    slug = (slug or "").strip().strip("/").lower()
    network = db.session.scalars(
        sa.select(Collective).where(Collective.slug == slug)
    ).first() if slug else None
    if network is None or not network.is_network:
        raise Invalid(_l("There is no network with the short name “%(slug)s”.", slug=slug),
                      field="network_slug")
    return network


def join_network(network: Collective, collective: Collective, actor: Person) -> NetworkMembership:
    """A member of a collective brings it into a network. Members of the collective then take
    part in the network assembly."""
    if not network.is_network:
        raise Conflict(_l("%(name)s is not a network.", name=network.name))
    require_can_join_networks(collective)
    require_member(actor, collective)
    existing = db.session.scalars(sa.select(NetworkMembership).where(
        NetworkMembership.network_id == network.id,
        NetworkMembership.collective_id == collective.id,
    )).first()
    if existing is not None:
        return existing
    link = NetworkMembership(network=network, collective=collective)
    db.session.add(link)
    db.session.flush()
    return link
