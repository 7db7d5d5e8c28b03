"""Minutes, written when a meeting closes: attendance, then per item the note-taker's notes and
the outcome as the proposal log recorded it (agreements with their re-evaluation date,
postponements with reasons and blocks, delegations with their mandates). Stored in Markdown with
the meeting's visibility; every read goes through ``visible_meetings``."""

import re
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assembly.collectives.models import Body
from assembly.core.db import Visibility, strictest, utcnow
from assembly.core.web import in_zone
from assembly.extensions import db
from assembly.live.models import LiveNote, Minutes
from assembly.live.service import participants
from assembly.meetings import service as meetings
from assembly.meetings.models import AgendaItem, Meeting, Role
from assembly.people.models import Person
from assembly.people.service import LANGUAGES, is_member
from assembly.proposals.models import Agreement, Phase, PositionKind, ProposalEvent
from assembly.visibility import Viewer, visible_meetings

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


# Labels written inside formatted lines: named here so the catalogue extraction finds them
# (it does not look inside f-strings); lazy, so each renders in the minutes' own language.
LABELS = {
    "block": _l("Block"),
    "delegated_to": _l("Delegated to"),
    "guests": _l("Guests"),
    "implemented_by": _l("Implemented by"),
    "interpretation": _l("Interpretation"),
    "mandate": _l("Mandate"),
    "outcome": _l("Outcome"),
    "present": _l("Present"),
    "re_evaluation_on": _l("Re-evaluation on"),
    "reason": _l("Reason"),
    "returns_by": _l("Returns by"),
}


def _inline(text: str | None) -> str:
    """User text on one line, its Markdown characters escaped so a name cannot format the
    minutes."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def meeting_language(meeting: Meeting) -> str:
    """A meeting's first language: its minutes are written in it and its projector speaks it."""
    codes = meeting.languages.split() or meeting.collective.language_list
    return next((code for code in codes if code in LANGUAGES), "en")


def generate_minutes(meeting: Meeting, actor: Person | None = None) -> Minutes:
    with force_locale(meeting_language(meeting)):
        text = minutes_text(meeting)
    minutes = db.session.scalars(sa.select(Minutes).where(Minutes.meeting_id == meeting.id)).first()
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, collective_id=meeting.collective_id,
                          body_id=meeting.body_id, created_by_id=getattr(actor, "id", None),
                          created_at=utcnow())
        db.session.add(minutes)
    minutes.text, minutes.visibility = text, meeting.visibility
    db.session.flush()
    return minutes


def visible_minutes(viewer: Viewer) -> sa.Select:
    # EXISTS for each minutes read, not IN (every readable meeting): a feed reads the newest
    # fifty minutes and stops, where the IN list grew with the archive.
    readable = (visible_meetings(viewer).with_only_columns(sa.literal(1))
                .where(Meeting.id == Minutes.meeting_id))
    return sa.select(Minutes).where(readable.exists())


def minutes_of(viewer: Viewer, meeting: Meeting) -> Minutes | None:
    return db.session.scalars(
        visible_minutes(viewer).where(Minutes.meeting_id == meeting.id)).first()


# --- writing ---------------------------------------------------------------------------------

def minutes_text(meeting: Meeting) -> str:
    title = meeting.title or _("Meeting of %(body)s", body=meeting.body.name)
    day = meetings.local_date(meeting.starts_at, meeting.body)
    lines = [f"# {_inline(title)}", "",
             f"{format_date(day, 'long')} · {_inline(meeting.body.name)}", ""]
    lines += _open_discussion(meeting)
    lines += _attendance(meeting)
    notes = dict(db.session.execute(sa.select(LiveNote.item_id, LiveNote.text).where(
        LiveNote.meeting_id == meeting.id)).all())
    for number, item in enumerate(meetings.agenda(meeting), start=1):
        lines += _item(meeting, number, item, notes.get(item.id, ""))
    return "\n".join(lines).rstrip() + "\n"


def _open_discussion(meeting: Meeting) -> list[str]:
    """An open discussion's notes are published like minutes, saying that nothing was
    decided and which languages were interpreted."""
    if not meeting.open_discussion:
        return []
    lines = ["**" + _("Open discussion for incomers: no decisions were taken.") + "**", ""]
    if meeting.interpretation_list:
        names = ", ".join(LANGUAGES.get(code, code) for code in meeting.interpretation_list)
        lines += [f"{LABELS['interpretation']}: {names}", ""]
    return lines


def _names(people) -> str:
    return ", ".join(_inline(name) for name in sorted(people, key=str.casefold)) or "—"


def _attendee(meeting: Meeting, participant) -> str:
    if participant.left_at is None:
        return participant.name
    at = format_time(in_zone(participant.left_at, meeting.collective.timezone)
                     .replace(tzinfo=None), "short", rebase=False)
    return _("%(name)s (left at %(time)s)", name=participant.name, time=at)


def _attendance(meeting: Meeting) -> list[str]:
    members, guests = [], []
    for participant in participants(meeting, including_left=True):
        is_guest = participant.person is None or not is_member(participant.person,
                                                               meeting.collective)
        (guests if is_guest else members).append(_attendee(meeting, participant))
    lines = ["## " + _("Attendance"), "",
             f"- **{LABELS['present']} ({len(members)}):** {_names(members)}",
             f"- **{LABELS['guests']} ({len(guests)}):** {_names(guests)}"]
    for role in (Role.FACILITATOR, Role.NOTE_TAKER, Role.TIME_KEEPER):
        holders = [p.display_name for p in meeting.holders(role)]
        if holders:
            lines.append(f"- **{role.label}:** {_names(holders)}")
    return [*lines, ""]


def _open_to_readers(meeting: Meeting, level: str, collective_id: int, body_id: int) -> bool:
    """Minutes are read by whoever may read the meeting: they name a proposal or a body only
    if every such reader may read it too (a members-only proposal decided at a public meeting
    stays unnamed, as on the meeting page)."""
    meeting_level = strictest(meeting.visibility, meeting.body.visibility)
    level = Visibility(level)
    if level == Visibility.PUBLIC:
        return True
    if level == Visibility.MEMBERS:
        return meeting_level != Visibility.PUBLIC and collective_id == meeting.collective_id
    return meeting_level == Visibility.CONFIDENTIAL and body_id == meeting.body_id


def _proposal_is_open(meeting: Meeting, item: AgendaItem) -> bool:
    proposal = item.proposal
    level = strictest(proposal.visibility, proposal.body.visibility)
    return _open_to_readers(meeting, level, proposal.collective_id, proposal.body_id)


def _item(meeting: Meeting, number: int, item: AgendaItem, note: str) -> list[str]:
    if item.proposal is not None and not _proposal_is_open(meeting, item):
        return [f"## {number}. " + _("A proposal not open to every reader of these minutes"), ""]
    lines = [f"## {number}. {_inline(item.display_title)}", "", f"*{item.kind_enum.label}*", ""]
    lines += [note.strip() if note.strip() else "*" + _("No notes were taken.") + "*", ""]
    if item.proposal is None:
        return lines
    if item.outcome is None:
        return [*lines, f"**{LABELS['outcome']}:** " + _("none recorded; the proposal returns at "
                                                     "the next meeting."), ""]
    lines.append(f"**{LABELS['outcome']}:** {Phase(item.outcome).label}")
    lines.append("")
    lines += _record_of(meeting, item)
    return [*lines, ""]


def _events(meeting: Meeting, item: AgendaItem) -> list[ProposalEvent]:
    return list(db.session.scalars(sa.select(ProposalEvent).where(
        ProposalEvent.proposal_id == item.proposal_id, ProposalEvent.meeting_id == meeting.id,
        ProposalEvent.to_phase.in_([Phase.AGREED, Phase.POSTPONED, Phase.DELEGATED,
                                    Phase.DRAFTING])).order_by(ProposalEvent.seq)))


def _record_of(meeting: Meeting, item: AgendaItem) -> list[str]:
    lines = []
    for event in _events(meeting, item):
        if event.reason:
            lines.append(f"- {LABELS['reason']}: {_inline(event.reason)}")
        if event.to_phase == Phase.AGREED:
            lines += _agreement(meeting, item, event)
        elif event.to_phase == Phase.POSTPONED:
            for block in event.data.get("blocks", []):
                lines.append(f"- **{LABELS['block']}** ({_inline(block.get('name'))}): "
                             f"{_inline(block.get('reason'))}")
        elif event.to_phase == Phase.DELEGATED:
            lines += _delegation(meeting, event)
    return lines


def _agreement(meeting: Meeting, item: AgendaItem, event: ProposalEvent) -> list[str]:
    agreement = db.session.scalars(sa.select(Agreement).where(
        Agreement.proposal_id == item.proposal_id, Agreement.meeting_id == meeting.id)
        .order_by(Agreement.id.desc())).first()
    review = event.data.get("review_date")
    lines = []
    if review:
        when = format_date(date.fromisoformat(review), "long")
        lines.append(f"- {LABELS['re_evaluation_on']}: {when}")
    if agreement is None:
        return lines
    if agreement.implementers:
        lines.append(f"- {LABELS['implemented_by']}: {_inline(agreement.implementers)}")
    for position in agreement.positions:
        if position.resolved_at_meeting_id is not None:
            continue
        label = PositionKind(position.kind).label
        reason = f": {_inline(position.reason)}" if position.reason else ""
        lines.append(f"- {label} ({_inline(position.name)}){reason}")
    return lines


def _delegation(meeting: Meeting, event: ProposalEvent) -> list[str]:
    group = db.session.get(Body, event.data.get("working_group") or 0)
    if group is not None and not _open_to_readers(meeting, group.visibility,
                                                  group.collective_id, group.id):
        name = _("a working group not open to every reader of these minutes")
    else:
        name = _inline(group.name if group else "")
    lines = [f"- {LABELS['delegated_to']}: {name}",
             f"- {LABELS['mandate']}: {_inline(event.data.get('mandate'))}"]
    if event.data.get("return_date"):
        returns = date.fromisoformat(event.data["return_date"])
        lines.append(f"- {LABELS['returns_by']}: {format_date(returns, 'long')}")
    return lines
