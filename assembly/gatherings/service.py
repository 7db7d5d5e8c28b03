"""Gatherings of a network with parallel working tables, and the tables' reports.

A working table is a meeting of its own body (of kind ``working_table``: held like a working
group of the network, never offered as one): the live layer takes its notes per guiding question
(each question is a point on the agenda), its minutes are written when it closes, and its body's
visibility decides who reads the table. The report's "proposals and future directions" enter
the lifecycle as ``identified`` proposals of the network or of chosen member collectives, each
linked back to its table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assembly.collectives import service as collectives
from assembly.collectives.models import Body, BodyKind, Collective
from assembly.core.db import Visibility, strictest, utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.gatherings.models import Gathering, WorkingTable, WorkingTableProposal
from assembly.live.models import LiveNote
from assembly.meetings import service as meetings
from assembly.meetings.models import ItemKind
from assembly.people.models import Person
from assembly.people.service import LANGUAGES, clean_text, is_member, require_member
from assembly.proposals import service as proposals
from assembly.proposals.models import Proposal
from assembly.visibility import (
    Viewer,
    body_filter,
    readable_filter,
    viewer_for,
    visible_proposals,
)

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_QUESTIONS = 20
MAX_DIRECTIONS = 30
TABLE_MINUTES = 120
# A list item of Markdown: "- ", "* ", "+ " or "1. ".
LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+(.*)$")


# --- reading --------------------------------------------------------------------------------

def visible_gatherings(viewer: Viewer) -> sa.Select:
    # Gatherings are public or for members (a table may be confidential, never a gathering), so
    # no body can make one readable: the body condition compares with an id that never exists.
    return sa.select(Gathering).where(readable_filter(
        viewer, [Gathering.visibility], Gathering.network_id, sa.literal(-1)))


def get_gathering(viewer: Viewer, network: Collective, slug: str) -> Gathering:
    found = db.session.scalars(visible_gatherings(viewer).where(
        Gathering.network_id == network.id, Gathering.slug == slug)).first()
    if found is None:
        raise NotFound(_l("%(what)s not found.", what=_l("Gathering")))
    return found


def gatherings_of(viewer: Viewer, network: Collective) -> list[Gathering]:
    return list(db.session.scalars(visible_gatherings(viewer).where(
        Gathering.network_id == network.id).order_by(Gathering.starts_on.desc())))


def visible_tables(viewer: Viewer) -> sa.Select:
    """A table is read through its body: the stricter of the gathering's and its own level,
    a confidential one only by its participants."""
    return sa.select(WorkingTable).join(Body, WorkingTable.body_id == Body.id) \
        .where(body_filter(viewer))


def tables_of(viewer: Viewer, gathering: Gathering) -> list[WorkingTable]:
    return list(db.session.scalars(visible_tables(viewer).where(
        WorkingTable.gathering_id == gathering.id)
        .order_by(WorkingTable.position, WorkingTable.id)))


def get_table(viewer: Viewer, gathering: Gathering, table_id: int) -> WorkingTable:
    found = db.session.scalars(visible_tables(viewer).where(
        WorkingTable.gathering_id == gathering.id, WorkingTable.id == table_id)).first()
    if found is None:
        raise NotFound(_l("%(what)s not found.", what=_l("Working table")))
    return found


def table_proposals(viewer: Viewer, table: WorkingTable) -> list[Proposal]:
    """The proposals that came out of a table's report, as far as this viewer may read them."""
    return list(db.session.scalars(
        visible_proposals(viewer)
        .join(WorkingTableProposal, WorkingTableProposal.proposal_id == Proposal.id)
        .where(WorkingTableProposal.table_id == table.id).order_by(Proposal.id)))


def table_of_proposal(viewer: Viewer, proposal: Proposal) -> WorkingTable | None:
    """The table a proposal came from, if this viewer may read that table."""
    return db.session.scalars(visible_tables(viewer).join(
        WorkingTableProposal, WorkingTableProposal.table_id == WorkingTable.id)
        .where(WorkingTableProposal.proposal_id == proposal.id)).first()


def table_of_body(viewer: Viewer, body: Body) -> WorkingTable | None:
    """The working table a body holds, if this viewer may read it (through that same body)."""
    if body.kind != BodyKind.WORKING_TABLE:
        return None
    return db.session.scalars(visible_tables(viewer).where(WorkingTable.body_id == body.id)
                              ).first()


# --- parsing lists ----------------------------------------------------------------------------

def list_items(markdown: str) -> list[list[str]]:
    """The items of a Markdown list, each as its lines (the first one without its bullet).
    Text without any bullet counts one item per line."""
    lines = [line.rstrip() for line in (markdown or "").splitlines()]
    if not any(LIST_ITEM.match(line) for line in lines):
        return [[line.strip()] for line in lines if line.strip()]
    items: list[list[str]] = []
    for line in lines:
        found = LIST_ITEM.match(line)
        if found:
            items.append([found.group(1).strip()])
        elif items and line.strip():
            items[-1].append(line.strip())
    return [item for item in items if item[0]]


def questions(table: WorkingTable) -> list[str]:
    return [" ".join(item) for item in list_items(table.guiding_questions)]


@dataclass(frozen=True)
class Direction:
    title: str
    text: str


def directions(markdown: str) -> list[Direction]:
    """Proposals and future directions: the first line of an item is its title, the rest its
    text."""
    return [Direction(item[0], "\n".join(item[1:])) for item in list_items(markdown)]


# --- gatherings and tables --------------------------------------------------------------------

def _level(value: str, field: str, allowed=tuple(Visibility)) -> str:
    if value not in {level.value for level in allowed}:
        raise Invalid(_l("Unknown visibility."), field=field)
    return value


def _languages(value: str, network: Collective) -> str:
    codes = list(dict.fromkeys((value or "").split())) or network.language_list
    if any(code not in LANGUAGES for code in codes):
        raise Invalid(_l("Unknown language."), field="languages")
    return " ".join(codes)


def _unique_slug(network: Collective, title: str) -> str:
    base = collectives.slugify(title)
    taken = set(db.session.scalars(sa.select(Gathering.slug).where(
        Gathering.network_id == network.id)))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_gathering(network: Collective, actor: Person, *, title: str, starts_on: date,
                     ends_on: date | None = None, place: str = "", languages: str = "",
                     visibility: str = Visibility.PUBLIC, description: str = "") -> Gathering:
    """A gathering of a network. Public or for members: a single table can be confidential."""
    if not network.is_network:
        raise Conflict(_l("Only a network holds gatherings."))
    require_member(actor, network)
    title = clean_text(title, max_length=MAX_TITLE, field="title")
    ends_on = ends_on or starts_on
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise Invalid(_l("Give a date as YYYY-MM-DD."), field="starts_on")
    if ends_on < starts_on:
        raise Invalid(_l("The gathering cannot end before it starts."), field="ends_on")
    gathering = Gathering(
        network_id=network.id, slug=_unique_slug(network, title), title=title,
        description=clean_text(description, max_length=MAX_TEXT, field="description",
                               required=False),
        starts_on=starts_on, ends_on=ends_on,
        place=clean_text(place, max_length=200, field="place", required=False),
        languages=_languages(languages, network),
        visibility=_level(visibility, "visibility", (Visibility.PUBLIC, Visibility.MEMBERS)),
        created_by_id=actor.id, created_at=utcnow())
    db.session.add(gathering)
    db.session.flush()
    return gathering


def add_table(gathering: Gathering, actor: Person, *, title: str, guiding_questions: str = "",
              visibility: str = Visibility.PUBLIC, participants: list[Person] = (),
              guests: str = "", local_start: datetime | None = None) -> WorkingTable:
    """A working table: its own body in the network (participants are named there, so a
    confidential table is read by them alone) and one meeting whose agenda is its questions."""
    network = gathering.network
    require_member(actor, network)
    title = clean_text(title, max_length=MAX_TITLE, field="title")
    guiding_questions = clean_text(guiding_questions, max_length=MAX_TEXT,
                                   field="guiding_questions", required=False)
    asked = [" ".join(item) for item in list_items(guiding_questions)]
    if len(asked) > MAX_QUESTIONS:
        raise Invalid(_l("At most %(n)d guiding questions, please.", n=MAX_QUESTIONS),
                      field="guiding_questions")
    guests = "\n".join(clean_text(line, max_length=80, field="guests", required=False)
                       for line in (guests or "").splitlines() if line.strip())
    level = strictest(gathering.visibility, _level(visibility, "visibility")).value
    body = collectives.create_working_group(
        network, actor, title, purpose=_purpose(gathering), visibility=level)
    # Held like a working group, but its own kind: lists of working groups and delegation
    # choices never offer it.
    body.kind = BodyKind.WORKING_TABLE.value
    for person in participants:
        collectives.add_participant(body, actor, person)
    start = local_start or datetime.combine(gathering.starts_on, time(10, 0))
    meeting = meetings.create_meeting(
        body, actor, local_start=start, duration_minutes=TABLE_MINUTES, place=gathering.place,
        title=title, languages=gathering.languages, visibility=level)
    for question in asked:
        meetings.add_item(meeting, kind=ItemKind.FREE, actor=actor,
                          title=_shorten(question, MAX_TITLE), time_box_minutes=30,
                          note=question if len(question) > MAX_TITLE else "")
    position = len(gathering.tables)
    table = WorkingTable(gathering_id=gathering.id, body_id=body.id, meeting_id=meeting.id,
                         position=position, title=title, guiding_questions=guiding_questions,
                         guests=guests, created_at=utcnow())
    db.session.add(table)
    db.session.flush()
    db.session.expire(gathering, ["tables"])
    return table


def _purpose(gathering: Gathering) -> str:
    with force_locale(_language(gathering)):
        return _("A working table of the gathering “%(title)s”.", title=gathering.title)


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def _language(gathering: Gathering) -> str:
    return next((code for code in gathering.language_list if code in LANGUAGES), "en")


def eligible_participants(gathering: Gathering) -> list[Person]:
    """Members of the network and of any of its member collectives."""
    assembly = collectives.general_assembly(gathering.network)
    return list(db.session.scalars(
        meetings.eligible_people(assembly).order_by(Person.display_name)))


# --- the report -------------------------------------------------------------------------------

def _require_table_member(table: WorkingTable, actor: Person | None) -> None:
    require_member(actor, table.gathering.network)
    allowed = db.session.scalar(sa.select(sa.func.count()).select_from(
        visible_tables(viewer_for(actor)).where(WorkingTable.id == table.id).subquery()))
    if not allowed:
        raise Forbidden(_l("Only participants of this confidential table can do this."))


def notes_as_report(table: WorkingTable) -> str:
    """A first draft of the report: the live notes, question by question."""
    notes = dict(db.session.execute(sa.select(LiveNote.item_id, LiveNote.text).where(
        LiveNote.meeting_id == table.meeting_id)).all())
    parts = []
    for item in meetings.agenda(table.meeting):
        text = (notes.get(item.id) or "").strip()
        if text:
            parts.append(f"### {item.display_title}\n\n{text}")
    return "\n\n".join(parts)


def save_report(table: WorkingTable, actor: Person, *, report_text: str,
                directions_text: str) -> WorkingTable:
    _require_table_member(table, actor)
    if table.is_published:
        raise Conflict(_l("This report is published; it can no longer change."))
    table.report_text = clean_text(report_text, max_length=MAX_TEXT, field="report_text",
                                   required=False)
    table.directions = clean_text(directions_text, max_length=MAX_TEXT, field="directions",
                                  required=False)
    found = directions(table.directions)
    if len(found) > MAX_DIRECTIONS:
        raise Invalid(_l("At most %(n)d proposals per report, please.", n=MAX_DIRECTIONS),
                      field="directions")
    for direction in found:
        if len(direction.title) > proposals.MAX_TITLE:
            raise Invalid(_l("A proposal's title (the first line of its item) has at most "
                             "%(n)d characters.", n=proposals.MAX_TITLE), field="directions")
    db.session.flush()
    return table


def destinations(table: WorkingTable, actor: Person | None) -> list[Collective]:
    """Where the report's proposals can go: the network, and its member collectives the
    person belongs to (a proposal is brought by a member)."""
    network = table.gathering.network
    return [network] + [c for c in collectives.network_members(network) if is_member(actor, c)]


def proposal_visibility(table: WorkingTable) -> str:
    """As open as the table; a confidential table's proposals go to the members (bringing
    them forward is the table's choice, and they do not name the table)."""
    level = Visibility(table.body.visibility)
    return Visibility.MEMBERS.value if level == Visibility.CONFIDENTIAL else level.value


def _origin(table: WorkingTable) -> str:
    """The reason on the proposal's first event: where it came from."""
    gathering = table.gathering
    with force_locale(_language(gathering)):
        if table.body.visibility == Visibility.CONFIDENTIAL:
            return _("From the report of a working table at the gathering “%(gathering)s”.",
                     gathering=gathering.title)
        return _("From the report of the working table “%(table)s” at the gathering "
                 "“%(gathering)s”.", table=table.title, gathering=gathering.title)


def publish_report(table: WorkingTable, actor: Person,
                   to: list[Collective] | None = None) -> list[Proposal]:
    """Publish the report (with the table's visibility) and bring each of its proposals and
    future directions into the lifecycle of every chosen collective, as ``identified``."""
    _require_table_member(table, actor)
    if table.is_published:
        raise Conflict(_l("This report is already published."))
    if table.meeting.status == "live":
        raise Conflict(_l("The table is still meeting: close it first, so the notes are "
                          "complete."))
    if not table.report_text.strip() and not table.directions.strip():
        raise Invalid(_l("Write the report first."), field="report_text")
    allowed = {c.id: c for c in destinations(table, actor)}
    chosen = to if to is not None else [table.gathering.network]
    if not chosen or any(c.id not in allowed for c in chosen):
        raise Invalid(_l("Choose the network or collectives you are a member of."),
                      field="destinations")
    created = []
    reason, level = _origin(table), proposal_visibility(table)
    for collective in dict.fromkeys(chosen):
        body = collectives.general_assembly(collective)
        for direction in directions(table.directions):
            proposal = proposals.create_proposal(body, actor, direction.title, direction.text,
                                                 visibility=level, reason=reason)
            db.session.add(WorkingTableProposal(table_id=table.id, proposal_id=proposal.id,
                                                created_at=utcnow()))
            created.append(proposal)
    table.report_published_at, table.report_published_by_id = utcnow(), actor.id
    db.session.flush()
    return created


def published_tables(viewer: Viewer, gathering: Gathering) -> list[WorkingTable]:
    return [t for t in tables_of(viewer, gathering) if t.is_published]

