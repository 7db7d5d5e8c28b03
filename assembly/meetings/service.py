"""Meetings: generated from a body's rhythm, agendas that carry postponed items and due
re-evaluations forward, and rotating roles."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from assembly.collectives.models import Body, BodyKind, BodyParticipant, NetworkMembership
from assembly.core.db import UTCDateTime, Visibility, utcnow
from assembly.core.errors import Conflict, Invalid, NotFound
from assembly.extensions import db
from assembly.live.models import ConsensusCheck
from assembly.meetings.models import AgendaItem, ItemKind, Meeting, MeetingRole, MeetingStatus, Role
from assembly.people.models import Membership, Person
from assembly.people.service import LANGUAGES, clean_text, require_member
from assembly.proposals.models import Phase, Proposal

MAX_TIME_BOX = 240
MIN_DURATION, MAX_DURATION = 15, 600
MAX_YEARS_AHEAD = 10


def local_zone(body: Body) -> ZoneInfo:
    return ZoneInfo(body.collective.timezone)


def local_date(moment: datetime, body: Body) -> date:
    return moment.astimezone(local_zone(body)).date()


def occurrences(body: Body, start: datetime, until: datetime) -> list[datetime]:
    """The UTC start times of a body's rhythm between two instants. The local wall-clock time
    stays fixed across daylight-saving changes (19:00 is 19:00 in winter and summer)."""
    if not body.has_rhythm:
        return []
    zone = local_zone(body)
    hour, minute = map(int, body.rhythm_time.split(":"))
    day = start.astimezone(zone).date()
    day += timedelta(days=(body.rhythm_weekday - day.weekday()) % 7)
    # Anchor the fortnightly (etc.) rhythm on a fixed Monday so it does not drift with `start`.
    anchor = date(2024, 1, 1)
    step = body.rhythm_every_weeks
    while ((day - anchor).days // 7) % step:
        day += timedelta(days=7)
    found = []
    while True:
        moment = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
        if moment > until:
            return found
        if moment >= start:
            found.append(moment)
        day += timedelta(weeks=step)


def plan_meetings(body: Body, *, weeks: int = 8, now: datetime | None = None) -> list[Meeting]:
    """Create the scheduled meetings of the coming weeks from the rhythm. Idempotent."""
    now = now or utcnow()
    existing = set(db.session.scalars(
        sa.select(Meeting.starts_at).where(Meeting.body_id == body.id, Meeting.starts_at >= now)
    ))
    created = []
    for moment in occurrences(body, now, now + timedelta(weeks=weeks)):
        if moment in existing:
            continue
        meeting = Meeting(
            collective_id=body.collective_id, body=body, starts_at=moment,
            duration_minutes=body.rhythm_minutes, place=body.default_place,
            languages=body.collective.languages, visibility=body.visibility, from_rhythm=True,
        )
        db.session.add(meeting)
        created.append(meeting)
    db.session.flush()
    upcoming = next_meeting(body, now=now)
    if upcoming is not None:
        carry_over(upcoming)
    return created


def plan_body_meetings(body: Body, actor: Person, *, weeks: int = 8) -> list[Meeting]:
    """A member asks for the coming meetings of a body to be planned from its rhythm."""
    require_member(actor, body.collective)
    if not body.has_rhythm:
        raise Conflict(_l("%(body)s has no meeting rhythm yet, so there is nothing to plan. "
                          "Set a rhythm first, or add a one-off meeting.", body=body.name))
    return plan_meetings(body, weeks=weeks)


def _check_languages(languages: str) -> str:
    codes = list(dict.fromkeys(languages.split()))
    if not codes:
        raise Invalid(_l("Choose at least one language."), field="languages")
    if any(code not in LANGUAGES for code in codes):
        raise Invalid(_l("Unknown language."), field="languages")
    return " ".join(codes)


def _interpretation(languages: str) -> str:
    """Interpretation languages announced for a meeting: any known codes, or none."""
    codes = list(dict.fromkeys((languages or "").split()))
    if any(code not in LANGUAGES for code in codes):
        raise Invalid(_l("Unknown language."), field="interpretation_languages")
    return " ".join(codes)


def set_open_discussion(meeting: Meeting, actor: Person, open_discussion: bool,
                        interpretation_languages: str = "") -> Meeting:
    """Mark (or unmark) a meeting as an open discussion for incomers, where nothing is
    decided. Not once an outcome has been recorded at it, nor while a consensus check is open
    (nobody could close it: an open discussion has no consensus check)."""
    require_member(actor, meeting.body.collective)
    _require_open(meeting)
    if open_discussion and any(item.outcome for item in agenda(meeting)):
        raise Conflict(_l("An outcome was already recorded at this meeting: it cannot become "
                          "an open discussion."))
    if open_discussion and db.session.scalar(sa.select(ConsensusCheck.id).where(
            ConsensusCheck.meeting_id == meeting.id, ConsensusCheck.closed_at.is_(None))):
        raise Conflict(_l("A consensus check is open at this meeting: close it first, then "
                          "mark the meeting as an open discussion."))
    meeting.open_discussion = bool(open_discussion)
    meeting.interpretation_languages = _interpretation(interpretation_languages)
    db.session.flush()
    return meeting


def _to_utc(local_start: datetime, body: Body) -> datetime:
    """A wall-clock time in the collective's zone as UTC, within a sensible planning range."""
    try:
        starts_at = local_start.replace(tzinfo=local_zone(body)).astimezone(UTC)
    except (OverflowError, ValueError):
        starts_at = None
    if starts_at is None or abs(starts_at - utcnow()) > timedelta(days=MAX_YEARS_AHEAD * 366):
        raise Invalid(_l("Choose a date within %(n)d years from now.", n=MAX_YEARS_AHEAD),
                      field="date")
    return starts_at


def create_meeting(
    body: Body,
    actor: Person,
    *,
    local_start: datetime,
    duration_minutes: int = 120,
    place: str = "",
    online_link: str = "",
    title: str = "",
    languages: str | None = None,
    visibility: str | None = None,
    not_before: datetime | None = None,
    open_discussion: bool = False,
    interpretation_languages: str = "",
) -> Meeting:
    """A one-off meeting. ``local_start`` is a naive wall-clock time in the collective's zone.
    ``not_before`` refuses a start earlier than that instant (a new meeting from a form)."""
    require_member(actor, body.collective)
    if not isinstance(duration_minutes, int) or not (
            MIN_DURATION <= duration_minutes <= MAX_DURATION):
        raise Invalid(_l("A meeting lasts between %(min)d and %(max)d minutes.",
                         min=MIN_DURATION, max=MAX_DURATION), field="duration_minutes")
    online_link = clean_text(online_link, max_length=300, field="online_link", required=False)
    if online_link and (not online_link.startswith(("https://", "http://"))
                        or any(ch.isspace() for ch in online_link)):
        raise Invalid(_l("The online link must be a web address starting with https://"),
                      field="online_link")
    languages = _check_languages(
        languages if languages is not None else body.collective.languages)
    visibility = visibility or body.visibility
    if visibility not in set(Visibility):
        raise Invalid(_l("Unknown visibility."), field="visibility")
    starts_at = _to_utc(local_start, body)
    if not_before is not None and starts_at < not_before:
        raise Invalid(_l("A new meeting cannot start in the past."), field="date")
    if db.session.scalar(sa.select(Meeting.id).where(
        Meeting.body_id == body.id, Meeting.starts_at == starts_at
    )):
        raise Invalid(_l("This body already meets at that time."), field="time")
    meeting = Meeting(
        collective_id=body.collective_id, body=body, starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=clean_text(place, max_length=200, field="place", required=False),
        online_link=online_link,
        title=clean_text(title, max_length=200, field="title", required=False),
        languages=languages, visibility=visibility, open_discussion=bool(open_discussion),
        interpretation_languages=_interpretation(interpretation_languages),
    )
    db.session.add(meeting)
    db.session.flush()
    if next_meeting(body) is meeting:
        carry_over(meeting)
    return meeting


def next_meeting(body: Body, *, now: datetime | None = None) -> Meeting | None:
    """The next meeting of a body that has not started yet: where carried items go."""
    return db.session.scalars(
        sa.select(Meeting).where(
            Meeting.body_id == body.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at >= (now or utcnow()),
        ).order_by(Meeting.starts_at)
    ).first()


def upcoming_meetings(body: Body, limit: int = 10) -> list[Meeting]:
    return list(db.session.scalars(
        sa.select(Meeting).where(
            Meeting.body_id == body.id, Meeting.status != MeetingStatus.CLOSED,
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at >= utcnow() - timedelta(hours=12),
        ).order_by(Meeting.starts_at).limit(limit)
    ))


def _require_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise Conflict(_l("This meeting is closed; its agenda can no longer change."))
    if meeting.cancelled_at is not None:
        raise Conflict(_l("This meeting was cancelled; its agenda can no longer change."))


def _require_on_agenda(item: AgendaItem) -> None:
    if item.removed_at is not None:
        raise NotFound(_l("This item is no longer on the agenda."))


def agenda(meeting: Meeting) -> list[AgendaItem]:
    """The items of a meeting in order, with their proposals loaded in one more query."""
    return list(db.session.scalars(
        sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                    AgendaItem.removed_at.is_(None))
        .options(selectinload(AgendaItem.proposal))
        .order_by(AgendaItem.position, AgendaItem.id)
    ))


def find_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id or item.removed_at is not None:
        raise NotFound(_l("This item is no longer on the agenda."))
    return item


def find_role_holder(meeting: Meeting, holder_id: int) -> MeetingRole:
    holder = db.session.get(MeetingRole, holder_id)
    if holder is None or holder.meeting_id != meeting.id:
        raise NotFound(_l("Nobody holds that role at this meeting any more."))
    return holder


def open_item(proposal_id: int, meeting: Meeting | None = None, *,
              not_started: bool = False) -> AgendaItem | None:
    """The agenda item still waiting for an outcome for this proposal (at a given meeting, or at
    any meeting that has not closed; with ``not_started``, only at meetings still to come)."""
    select = sa.select(AgendaItem).join(Meeting).where(
        AgendaItem.proposal_id == proposal_id,
        AgendaItem.removed_at.is_(None),
        AgendaItem.outcome.is_(None),
        Meeting.status != MeetingStatus.CLOSED,
        Meeting.cancelled_at.is_(None),
    )
    if not_started:
        select = select.where(Meeting.status == MeetingStatus.SCHEDULED)
    if meeting is not None:
        select = select.where(AgendaItem.meeting_id == meeting.id)
    return db.session.scalars(select.order_by(Meeting.starts_at)).first()


def settle_items(proposal_id: int, outcome: str, meeting: Meeting | None = None) -> None:
    """A proposal reached an outcome: close its open agenda items so none is left waiting.
    At a given meeting only that item; otherwise the items of live meetings and, unless it was
    postponed (it then waits on the next meeting), those of meetings still to come."""
    select = sa.select(AgendaItem).join(Meeting).where(
        AgendaItem.proposal_id == proposal_id,
        AgendaItem.removed_at.is_(None),
        AgendaItem.outcome.is_(None),
        Meeting.status != MeetingStatus.CLOSED,
        Meeting.cancelled_at.is_(None),
    )
    if meeting is not None:
        select = select.where(AgendaItem.meeting_id == meeting.id)
    elif outcome == Phase.POSTPONED:
        select = select.where(Meeting.status == MeetingStatus.LIVE)
    for item in db.session.scalars(select):
        item.outcome = outcome


def add_item(
    meeting: Meeting,
    *,
    kind: ItemKind,
    actor: Person | None = None,
    proposal: Proposal | None = None,
    title: str = "",
    time_box_minutes: int = 15,
    note: str = "",
) -> AgendaItem:
    _require_open(meeting)
    if proposal is None:
        title = clean_text(title, max_length=200, field="title")
    _check_time_box(time_box_minutes)
    last = db.session.scalar(
        sa.select(sa.func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    item = AgendaItem(
        meeting_id=meeting.id, position=(last or 0) + 1, kind=kind, proposal=proposal,
        title=title, time_box_minutes=time_box_minutes,
        note=clean_text(note, max_length=5000, field="note", required=False),
        added_by_id=getattr(actor, "id", None),
    )
    db.session.add(item)
    db.session.flush()
    db.session.expire(meeting, ["items"])
    return item


def _check_time_box(minutes) -> None:
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_TIME_BOX:
        raise Invalid(_l("A time box is between 1 and %(n)d minutes.", n=MAX_TIME_BOX),
                      field="time_box_minutes")


def add_free_point(meeting: Meeting, actor: Person, title: str, time_box_minutes: int = 10,
                   note: str = "") -> AgendaItem:
    require_member(actor, meeting.body.collective)
    return add_item(meeting, kind=ItemKind.FREE, actor=actor, title=title,
                    time_box_minutes=time_box_minutes, note=note)


def carry_over(meeting: Meeting) -> list[AgendaItem]:
    """Put the body's postponed proposals, proposals whose meeting was cancelled, its due
    re-evaluations and its overdue implementations on this meeting's agenda, unless they
    already are on an open agenda. Idempotent. A proposal someone took off this very agenda is
    not put back on it."""
    if meeting.status == MeetingStatus.CLOSED or meeting.cancelled_at is not None:
        return []
    # Here, not at the top: the implementation package builds on the proposals service.
    from assembly.implementation.service import overdue_proposal_ids

    meeting_day = local_date(meeting.starts_at, meeting.body)
    taken_off = set(db.session.scalars(sa.select(AgendaItem.proposal_id).where(
        AgendaItem.meeting_id == meeting.id, AgendaItem.removed_at.is_not(None),
        AgendaItem.proposal_id.is_not(None))))
    candidates = db.session.scalars(
        sa.select(Proposal).where(
            Proposal.body_id == meeting.body_id,
            sa.or_(
                Proposal.phase.in_([Phase.POSTPONED, Phase.ON_AGENDA]),
                sa.and_(Proposal.phase == Phase.AGREED, Proposal.review_date <= meeting_day),
                Proposal.id.in_(overdue_proposal_ids(meeting_day)),
            ),
        ).order_by(Proposal.updated_at, Proposal.id)
    )
    added = []
    for proposal in candidates:
        # A postponed proposal waits for a meeting still to come: an item left without an
        # outcome at the (live) meeting that postponed it does not hold it back.
        waiting = open_item(proposal.id, not_started=proposal.phase == Phase.POSTPONED)
        if proposal.id in taken_off or waiting is not None:
            continue
        if proposal.phase in (Phase.POSTPONED, Phase.ON_AGENDA):
            kind, note = ItemKind.CARRIED_OVER, proposal.phase_reason
        elif proposal.review_date is not None and proposal.review_date <= meeting_day:
            kind, note = ItemKind.REVIEW, ""
        else:
            kind, note = ItemKind.IMPLEMENTATION, ""
        added.append(add_item(meeting, kind=kind, proposal=proposal, note=note))
    return added


def carry_to_next_meeting(proposal: Proposal) -> AgendaItem | None:
    meeting = next_meeting(proposal.body)
    if meeting is None:
        return None
    before = {item.id for item in meeting.items}
    carry_over(meeting)
    return next((i for i in meeting.items if i.proposal_id == proposal.id
                 and i.id not in before), None)


def remove_item(item: AgendaItem, actor: Person) -> None:
    require_member(actor, item.meeting.body.collective)
    _require_on_agenda(item)
    _require_open(item.meeting)
    item.removed_at, item.removed_by_id = utcnow(), actor.id
    db.session.flush()
    db.session.expire(item.meeting, ["items"])


def move_item(item: AgendaItem, actor: Person, new_index: int) -> list[AgendaItem]:
    """Move an item to a 0-based place in the agenda and renumber the rest."""
    require_member(actor, item.meeting.body.collective)
    _require_on_agenda(item)
    _require_open(item.meeting)
    items = [i for i in agenda(item.meeting) if i.id != item.id]
    new_index = max(0, min(new_index, len(items)))
    items.insert(new_index, item)
    for position, each in enumerate(items, start=1):
        each.position = position
    db.session.flush()
    db.session.expire(item.meeting, ["items"])
    return items


def set_time_box(item: AgendaItem, actor: Person, minutes: int) -> AgendaItem:
    require_member(actor, item.meeting.body.collective)
    _require_on_agenda(item)
    _require_open(item.meeting)
    _check_time_box(minutes)
    item.time_box_minutes = minutes
    db.session.flush()
    return item


def eligible_people(body: Body) -> sa.Select:
    """Who can hold a role: participants of a working group (or table), members for an
    assembly."""
    if body.has_participants or body.visibility == Visibility.CONFIDENTIAL:
        return sa.select(Person).join(BodyParticipant, BodyParticipant.person_id == Person.id) \
            .where(BodyParticipant.body_id == body.id)
    if body.kind == BodyKind.NETWORK_ASSEMBLY:
        collectives = sa.select(NetworkMembership.collective_id).where(
            NetworkMembership.network_id == body.collective_id)
        condition = sa.or_(Membership.collective_id == body.collective_id,
                           Membership.collective_id.in_(collectives))
    else:
        condition = Membership.collective_id == body.collective_id
    return sa.select(Person).where(
        Person.id.in_(sa.select(Membership.person_id).where(condition)))


def assign_role(meeting: Meeting, actor: Person, role: Role | str, person: Person | None,
                language: str = "") -> MeetingRole:
    require_member(actor, meeting.body.collective)
    _require_open(meeting)
    role = Role(role)
    if person is None:
        raise Invalid(_l("Choose a person."), field="person_id")
    if not db.session.scalar(
        sa.select(sa.func.count()).select_from(
            eligible_people(meeting.body).where(Person.id == person.id).subquery())
    ):
        raise Invalid(_l("%(name)s cannot hold a role in this body.", name=person.display_name),
                      field="person_id")
    if role == Role.INTERPRETER and language not in LANGUAGES:
        raise Invalid(_l("Say which language the interpreter interprets into."),
                      field="language")
    if role != Role.INTERPRETER:
        language = ""
    existing = db.session.scalars(sa.select(MeetingRole).where(
        MeetingRole.meeting_id == meeting.id, MeetingRole.role == role,
        MeetingRole.person_id == person.id,
    )).first()
    if existing is not None:
        existing.language = language
        return existing
    holder = MeetingRole(meeting_id=meeting.id, role=role, person_id=person.id, language=language)
    db.session.add(holder)
    db.session.flush()
    db.session.expire(meeting, ["roles"])
    return holder


def role_holders(meeting: Meeting) -> list[MeetingRole]:
    """Who holds which role at this meeting, with the people loaded in one more query."""
    return list(db.session.scalars(
        sa.select(MeetingRole).where(MeetingRole.meeting_id == meeting.id)
        .options(selectinload(MeetingRole.person))
        .order_by(MeetingRole.role, MeetingRole.id)
    ))


def release_role(holder: MeetingRole, actor: Person) -> None:
    require_member(actor, holder.meeting.body.collective)
    _require_open(holder.meeting)
    meeting = holder.meeting
    db.session.delete(holder)
    db.session.flush()
    db.session.expire(meeting, ["roles"])


def _last_held(meeting: Meeting, role: Role) -> sa.Subquery:
    """When each person last held a role in this body, before this meeting. ``type_coerce``
    keeps the UTC column type on MAX(), so both SQLite and PostgreSQL give aware datetimes."""
    return (
        sa.select(MeetingRole.person_id,
                  sa.type_coerce(sa.func.max(Meeting.starts_at), UTCDateTime).label("last"))
        .join(Meeting, Meeting.id == MeetingRole.meeting_id)
        .where(Meeting.body_id == meeting.body_id, MeetingRole.role == role,
               Meeting.starts_at < meeting.starts_at, Meeting.cancelled_at.is_(None))
        .group_by(MeetingRole.person_id).subquery()
    )


def role_candidates(meeting: Meeting, role: Role | str) -> list[tuple[Person, datetime | None]]:
    """Everyone who could take this role (except those who already hold it at this meeting),
    by name, each with when they last held it in this body. One query."""
    role = Role(role)
    last_held = _last_held(meeting, role)
    holders = sa.select(MeetingRole.person_id).where(MeetingRole.meeting_id == meeting.id,
                                                      MeetingRole.role == role)
    people = eligible_people(meeting.body).subquery()
    rows = db.session.execute(
        sa.select(Person, last_held.c.last)
        .join(people, people.c.id == Person.id)
        .outerjoin(last_held, last_held.c.person_id == Person.id)
        .where(Person.id.not_in(holders))
        .order_by(Person.display_name, Person.id)
    ).all()
    return [(person, last) for person, last in rows]


def suggest_for_role(meeting: Meeting, role: Role | str, limit: int = 3, viewer=None
                     ) -> list[tuple[Person, datetime | None]]:
    """People who carry the lightest load now (care.service), then who have held this role
    least recently in this body (never first), so roles rotate and the load is spread. People
    who already hold a role at this meeting, or are taking a break, are not suggested. Loads
    count only what ``viewer`` (the one asking; by default this request's) may read. One
    query."""
    from assembly.care import service as care  # care reads meetings: imported late
    from assembly.visibility import current_viewer

    role = Role(role)
    last_held = _last_held(meeting, role)
    assigned = sa.select(MeetingRole.person_id).where(MeetingRole.meeting_id == meeting.id)
    people = eligible_people(meeting.body).subquery()
    load = care.load_size_subquery(sa.select(people.c.id), viewer or current_viewer())
    rows = db.session.execute(
        sa.select(Person, last_held.c.last)
        .join(people, people.c.id == Person.id)
        .outerjoin(last_held, last_held.c.person_id == Person.id)
        .outerjoin(load, load.c.person_id == Person.id)
        .where(Person.id.not_in(assigned), Person.id.not_in(care.resting_ids()))
        .order_by(sa.func.coalesce(load.c.size, 0), last_held.c.last.is_not(None),
                  last_held.c.last, Person.display_name, Person.id)
        .limit(limit)
    ).all()
    return [(person, last) for person, last in rows]


def start_meeting(meeting: Meeting, actor: Person) -> Meeting:
    require_member(actor, meeting.body.collective)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(_l("Only a scheduled meeting can start."))
    if meeting.cancelled_at is not None:
        raise Conflict(_l("This meeting was cancelled."))
    meeting.status, meeting.started_at = MeetingStatus.LIVE, utcnow()
    db.session.flush()
    return meeting


def close_meeting(meeting: Meeting, actor: Person) -> Meeting:
    require_member(actor, meeting.body.collective)
    if meeting.status != MeetingStatus.LIVE:
        raise Conflict(_l("Only a live meeting can be closed."))
    meeting.status, meeting.closed_at = MeetingStatus.CLOSED, utcnow()
    db.session.flush()
    # Proposals left without an outcome wait on the next agenda rather than being forgotten.
    upcoming = next_meeting(meeting.body)
    if upcoming is not None:
        carry_over(upcoming)
    return meeting


def cancel_meeting(meeting: Meeting, actor: Person) -> Meeting:
    """Soft: the meeting stays in the record as cancelled; its items move to the next one."""
    require_member(actor, meeting.body.collective)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(_l("Only a scheduled meeting can be cancelled."))
    if meeting.cancelled_at is not None:
        raise Conflict(_l("This meeting was cancelled."))
    meeting.cancelled_at = utcnow()
    items = agenda(meeting)
    for item in items:
        item.removed_at, item.removed_by_id = meeting.cancelled_at, actor.id
    db.session.flush()
    db.session.expire(meeting, ["items"])
    upcoming = next_meeting(meeting.body)
    if upcoming is not None:
        # Proposals and due reviews are found again by carry_over; free points are copied.
        carry_over(upcoming)
        for item in items:
            if item.proposal_id is None:
                add_item(upcoming, kind=ItemKind.FREE, actor=actor, title=item.title,
                         time_box_minutes=item.time_box_minutes, note=item.note)
    return meeting
