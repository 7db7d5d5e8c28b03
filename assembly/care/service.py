"""Care for the carers (DESIGN.md §7): what each member carries, breaks, and how a body's load
is spread.

A person's *load* is what they hold now: roles in coming meetings, open mandates of the working
groups they take part in, implementation tasks of those groups not yet complete, and
re-evaluations due in their bodies. It is a list of things with counts per kind, never a score:
the only use of a number across people is to put lighter-loaded people first among suggestions,
and nobody is shown anyone else's count.

Every read goes through ``assembly.visibility``: a person's own page counts what they may read,
and suggestions shown to someone count only what that someone may read, so an ordering never
reveals a confidential role.

A break lasts until the end of the chosen day in the collective's time zone; after that instant
the person is simply back. Ending it early keeps the row (``ended_at``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from assembly.care.models import Break
from assembly.collectives.models import (
    PARTICIPANT_KINDS,
    Body,
    BodyKind,
    BodyParticipant,
    Collective,
    NetworkMembership,
)
from assembly.core.db import Visibility, utcnow
from assembly.core.errors import Invalid
from assembly.digest.service import REVIEW_AHEAD
from assembly.extensions import db
from assembly.implementation.service import completed_agreement_ids
from assembly.meetings.models import Meeting, MeetingRole, MeetingStatus, Role
from assembly.meetings.service import eligible_people
from assembly.people.models import Membership, Person
from assembly.people.service import clean_text
from assembly.proposals.models import Agreement, AgreementStatus, Phase, Proposal
from assembly.visibility import Viewer, viewer_for, visible_meetings, visible_proposals

MAX_NOTE = 500
MAX_BREAK_DAYS = 366
# A meeting that started less than this long ago is still "coming" (as on the body page).
STARTED_GRACE = timedelta(hours=12)
# The body's spread looks at the meetings of the coming month.
SPREAD_AHEAD = timedelta(days=31)
# Roles every meeting needs; an interpreter only when the meeting has several languages.
CORE_ROLES = (Role.FACILITATOR, Role.NOTE_TAKER, Role.TIME_KEEPER)


# --- breaks --------------------------------------------------------------------------------

def home_timezone(person: Person) -> str:
    """The time zone of the person's first collective (the one they joined first)."""
    zone = db.session.scalar(
        sa.select(Collective.timezone)
        .join(Membership, Membership.collective_id == Collective.id)
        .where(Membership.person_id == person.id)
        .order_by(Membership.joined_at, Membership.id).limit(1))
    return zone or "UTC"


def end_of_day(day: date, timezone: str) -> datetime:
    """The UTC instant a local day ends: midnight of the next day, with that day's offset (so a
    daylight-saving change inside the break is accounted for)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone)) \
        .astimezone(UTC)


def local_today(timezone: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(timezone)).date()


def _active(when: datetime):
    return sa.and_(Break.ended_at.is_(None), Break.created_at <= when, Break.ends_at > when)


def on_break(person: Person, when: datetime | None = None) -> Break | None:
    """The break this person is taking at ``when`` (now by default), if any."""
    return db.session.scalars(
        sa.select(Break).where(Break.person_id == person.id, _active(when or utcnow()))
        .order_by(Break.id.desc())).first()


def breaks_of(person_ids, when: datetime | None = None) -> dict[int, Break]:
    """Who among these people (ids, or a select of ids) is on a break at ``when``: person id →
    their break. One query."""
    ids = person_ids if isinstance(person_ids, sa.Select) else set(person_ids)
    found = db.session.scalars(
        sa.select(Break).where(Break.person_id.in_(ids), _active(when or utcnow()))
        .order_by(Break.id))
    return {b.person_id: b for b in found}


def take_break(person: Person, until: date | None, note: str = "",
               now: datetime | None = None) -> Break:
    """Start a break now, until the end of ``until`` in the person's collective's time zone.
    A break already running is replaced (ended now), so there is only ever one."""
    now = now or utcnow()
    timezone = home_timezone(person)
    today = local_today(timezone, now)
    if until is None:
        raise Invalid(_l("Choose the last day of your break."), field="until")
    if until < today:
        raise Invalid(_l("The last day of a break cannot be in the past."), field="until")
    if until > today + timedelta(days=MAX_BREAK_DAYS):
        raise Invalid(_l("A break can be taken for up to a year at a time; take a new one "
                         "when it ends."), field="until")
    note = clean_text(note, max_length=MAX_NOTE, field="note", required=False)
    current = on_break(person, now)
    if current is not None:
        current.ended_at = now
    taken = Break(person_id=person.id, until=until, timezone=timezone,
                  ends_at=end_of_day(until, timezone), note=note, created_at=now)
    db.session.add(taken)
    db.session.flush()
    return taken


def end_break(person: Person, now: datetime | None = None) -> Break | None:
    """The person is back before the date they gave. Nothing to end is not an error."""
    now = now or utcnow()
    current = on_break(person, now)
    if current is not None:
        current.ended_at = now
        db.session.flush()
    return current


# --- what people carry ---------------------------------------------------------------------

def _coming(now: datetime):
    return sa.and_(Meeting.status != MeetingStatus.CLOSED, Meeting.cancelled_at.is_(None),
                   Meeting.starts_at >= now - STARTED_GRACE)


def _people_or(select: sa.Select, person_column, just_people: bool, *entities) -> sa.Select:
    """The rows a builder gives: the things with the person's id, or (to count) only the id."""
    if just_people:
        return select.with_only_columns(person_column.label("person_id"),
                                        maintain_column_froms=True)
    return select.add_columns(*entities, person_column)


def _role_rows(ids, viewer: Viewer, now: datetime, just_people=False) -> sa.Select:
    """(meeting, role, person id) for roles these people hold in coming meetings."""
    select = _people_or(visible_meetings(viewer), MeetingRole.person_id, just_people,
                        MeetingRole)
    return (select.join(MeetingRole, MeetingRole.meeting_id == Meeting.id)
            .where(MeetingRole.person_id.in_(ids), _coming(now)))


def _mandate_rows(ids, viewer: Viewer, just_people=False) -> sa.Select:
    """(proposal, person id) for mandates of the working groups these people take part in."""
    select = _people_or(visible_proposals(viewer), BodyParticipant.person_id, just_people)
    return (select.join(BodyParticipant, BodyParticipant.body_id == Proposal.delegated_to_id)
            .where(BodyParticipant.person_id.in_(ids), Proposal.phase == Phase.DELEGATED))


def _open_agreements():
    return sa.and_(Agreement.status == AgreementStatus.IN_FORCE,
                   Agreement.id.not_in(completed_agreement_ids()))


def _task_rows(ids, viewer: Viewer, just_people=False) -> sa.Select:
    """(proposal, agreement, person id) for agreements these people implement (through the
    implementer body they take part in), not complete yet."""
    select = _people_or(visible_proposals(viewer), BodyParticipant.person_id, just_people,
                        Agreement)
    return (select.join(Agreement, Agreement.proposal_id == Proposal.id)
            .join(BodyParticipant, BodyParticipant.body_id == Agreement.implementer_body_id)
            .where(BodyParticipant.person_id.in_(ids), _open_agreements()))


def _their_bodies(ids) -> sa.Subquery:
    """(person id, body id): the working groups they take part in, and the (not confidential)
    assemblies of their collectives and of the networks those belong to."""
    open_ = Body.visibility != Visibility.CONFIDENTIAL
    return sa.union(
        sa.select(BodyParticipant.person_id, BodyParticipant.body_id)
        .where(BodyParticipant.person_id.in_(ids)),
        sa.select(Membership.person_id, Body.id)
        .join(Body, Body.collective_id == Membership.collective_id)
        .where(Membership.person_id.in_(ids), Body.kind.notin_(PARTICIPANT_KINDS), open_),
        sa.select(Membership.person_id, Body.id)
        .join(NetworkMembership, NetworkMembership.collective_id == Membership.collective_id)
        .join(Body, Body.collective_id == NetworkMembership.network_id)
        .where(Membership.person_id.in_(ids), Body.kind == BodyKind.NETWORK_ASSEMBLY, open_),
    ).subquery()


def _review_rows(ids, viewer: Viewer, now: datetime, just_people=False) -> sa.Select:
    """(proposal, person id) for re-evaluations open or due soon in their bodies."""
    theirs = _their_bodies(ids)
    due = sa.or_(Proposal.phase == Phase.UNDER_REVIEW,
                 sa.and_(Proposal.phase == Phase.AGREED,
                         Proposal.review_date <= (now + REVIEW_AHEAD).date()))
    select = _people_or(visible_proposals(viewer), theirs.c.person_id, just_people)
    return select.join(theirs, theirs.c.body_id == Proposal.body_id).where(due)


@dataclass
class Load:
    """What one person carries now, as things (with counts per kind, never one number)."""

    roles: list[MeetingRole] = field(default_factory=list)
    mandates: list[Proposal] = field(default_factory=list)
    tasks: list[tuple[Proposal, Agreement]] = field(default_factory=list)
    reviews: list[Proposal] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.roles or self.mandates or self.tasks or self.reviews)

    @property
    def counts(self) -> dict[str, int]:
        return {"roles": len(self.roles), "mandates": len(self.mandates),
                "tasks": len(self.tasks), "reviews": len(self.reviews)}


def load(person: Person, now: datetime | None = None) -> Load:
    """The person's own load, as they may read it."""
    now, ids, viewer = now or utcnow(), {person.id}, viewer_for(person)
    roles = db.session.execute(
        _role_rows(ids, viewer, now).order_by(Meeting.starts_at, MeetingRole.id)
        .options(selectinload(Meeting.body).selectinload(Body.collective)))
    mandates = _mandate_rows(ids, viewer).order_by(Proposal.return_date, Proposal.id)
    tasks = _task_rows(ids, viewer).order_by(Agreement.deadline, Proposal.id)
    reviews = _review_rows(ids, viewer, now).order_by(Proposal.review_date, Proposal.id)
    return Load(
        roles=[role for _meeting, role, _id in roles],
        mandates=[p for p, _id in db.session.execute(mandates)],
        tasks=[(p, a) for p, a, _id in db.session.execute(tasks)],
        reviews=[p for p, _id in db.session.execute(reviews)],
    )


def load_size_subquery(ids, viewer: Viewer, now: datetime | None = None) -> sa.Subquery:
    """(person_id, size): how many things each of these people (ids, or a select of ids)
    carries, counting only what ``viewer`` may read. People who carry nothing have no row.
    Used to put lighter-loaded people first; never shown."""
    now = now or utcnow()
    every = sa.union_all(
        _role_rows(ids, viewer, now, just_people=True),
        _mandate_rows(ids, viewer, just_people=True),
        _task_rows(ids, viewer, just_people=True),
        _review_rows(ids, viewer, now, just_people=True),
    ).subquery()
    return (sa.select(every.c.person_id, sa.func.count().label("size"))
            .group_by(every.c.person_id).subquery())


def load_sizes(person_ids: Iterable[int], viewer: Viewer,
               now: datetime | None = None) -> Counter:
    """The same as a Counter, for a few people. One query."""
    sizes = load_size_subquery(set(person_ids), viewer, now)
    return Counter(dict(db.session.execute(sa.select(sizes.c.person_id, sizes.c.size)).all()))


def resting_ids(now: datetime | None = None) -> sa.Select:
    """The people on a break at ``now``, as a select of ids (to leave them out of a query)."""
    return sa.select(Break.person_id).where(_active(now or utcnow()))


# --- working groups, for delegation --------------------------------------------------------

@dataclass(frozen=True)
class GroupLoad:
    body: Body
    mandates: int
    tasks: int
    participants: int
    on_break: int

    @property
    def all_resting(self) -> bool:
        return self.participants > 0 and self.on_break == self.participants


def _group_counts(select: sa.Select, body_column, ids: set[int]) -> Counter:
    rows = db.session.execute(
        select.with_only_columns(body_column, sa.func.count())
        .where(body_column.in_(ids)).group_by(body_column))
    return Counter({body_id: n for body_id, n in rows})


def group_loads(bodies: Sequence[Body], viewer: Viewer, now: datetime | None = None
                ) -> list[GroupLoad]:
    """Each working group's open mandates and tasks (as ``viewer`` may read them), and how
    many of its participants are on a break; lighter groups first, then by name."""
    now, ids = now or utcnow(), {b.id for b in bodies}
    if not ids:
        return []
    mandates = _group_counts(visible_proposals(viewer).where(Proposal.phase == Phase.DELEGATED),
                             Proposal.delegated_to_id, ids)
    tasks = _group_counts(
        visible_proposals(viewer).join(Agreement, Agreement.proposal_id == Proposal.id)
        .where(_open_agreements()), Agreement.implementer_body_id, ids)
    participants = _group_counts(sa.select(BodyParticipant.body_id), BodyParticipant.body_id,
                                 ids)
    resting = _group_counts(
        sa.select(BodyParticipant.body_id).join(Break, Break.person_id == BodyParticipant.person_id)
        .where(_active(now)), BodyParticipant.body_id, ids)
    found = [GroupLoad(b, mandates[b.id], tasks[b.id], participants[b.id], resting[b.id])
             for b in bodies]
    return sorted(found, key=lambda g: (g.all_resting, g.mandates + g.tasks, g.body.name,
                                        g.body.id))


# --- a body's spread -----------------------------------------------------------------------

@dataclass
class Spread:
    """How a body's load is spread, in counts about the group, never per person."""

    participants: int
    holding_roles: int
    on_break: int
    open_mandates: int
    unfilled: list[tuple[Meeting, list[Role]]]


def needed_roles(meeting: Meeting) -> list[Role]:
    several_languages = len(set(meeting.languages.split())) > 1
    return list(CORE_ROLES) + ([Role.INTERPRETER] if several_languages else [])


def body_spread(body: Body, viewer: Viewer, now: datetime | None = None) -> Spread:
    """Who can hold roles in the body, how many of them hold one in the coming month, how many
    are on a break, and the roles still unfilled in the coming month's meetings."""
    now = now or utcnow()
    eligible = eligible_people(body).with_only_columns(Person.id).scalar_subquery()
    participants = db.session.scalar(
        sa.select(sa.func.count()).select_from(eligible_people(body).subquery()))
    meetings = db.session.scalars(
        visible_meetings(viewer).where(Meeting.body_id == body.id, _coming(now),
                                       Meeting.starts_at < now + SPREAD_AHEAD)
        .options(selectinload(Meeting.roles)).order_by(Meeting.starts_at)).all()
    holders = {r.person_id for m in meetings for r in m.roles}
    holding = db.session.scalar(
        sa.select(sa.func.count(Person.id)).where(Person.id.in_(holders), Person.id.in_(eligible))
    ) if holders else 0
    resting = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Break.person_id)))
        .where(_active(now), Break.person_id.in_(eligible)))
    mandates = db.session.scalar(
        visible_proposals(viewer).with_only_columns(sa.func.count(Proposal.id))
        .where(Proposal.delegated_to_id == body.id, Proposal.phase == Phase.DELEGATED)
    ) if body.kind == BodyKind.WORKING_GROUP else 0
    unfilled = []
    for meeting in meetings:
        held = {r.role for r in meeting.roles}
        missing = [role for role in needed_roles(meeting) if role not in held]
        if missing:
            unfilled.append((meeting, missing))
    return Spread(participants, holding, resting, mandates, unfilled)
