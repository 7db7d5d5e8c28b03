"""A proposal's log in words: one description per kind of event, for the history on its page,
its feeds and a member's "what changed" page alike; and the history page by page, so a proposal
with hundreds of steps is read fifty at a time."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from assembly.extensions import db
from assembly.proposals.models import EventKind, Phase, Proposal, ProposalEvent

# Steps shown at once on a proposal's page; earlier ones are a link away (?before=SEQ).
HISTORY_PAGE = 50


def _phase(value: str | None) -> str:
    return str(Phase(value).label) if value else ""


def describe_event(event: ProposalEvent) -> str:
    who = event.actor.display_name if event.actor else _("someone")
    data = event.data or {}
    if event.kind == EventKind.CREATED:
        return _("%(who)s named this proposal.", who=who)
    if event.kind == EventKind.REVISED:
        return _("%(who)s saved revision %(n)s.", who=who, n=data.get("revision"))
    if event.kind == EventKind.IMPLEMENTATION:
        from assembly.implementation.service import describe_update  # (it imports proposals)

        return describe_update(data.get("status"), who, data.get("percent"))
    if event.kind == EventKind.CO_BRINGER_ADDED:
        return _("%(who)s added %(body)s (%(collective)s) to the bodies bringing it.", who=who,
                 body=data.get("body_name"), collective=data.get("collective"))
    if event.kind == EventKind.CO_BRINGER_WITHDRAWN:
        return _("%(who)s recorded that %(body)s (%(collective)s) no longer brings it.",
                 who=who, body=data.get("body_name"), collective=data.get("collective"))
    return _("%(who)s moved it from “%(source)s” to “%(target)s”.", who=who,
             source=_phase(event.from_phase), target=_phase(event.to_phase))


@dataclass(frozen=True)
class HistoryPage:
    """Up to ``HISTORY_PAGE`` consecutive steps, oldest first (the order the page has always
    used), and where the neighbouring pages start."""

    events: list[ProposalEvent]
    total: int  # steps in the whole history
    earlier: int | None  # ?before= for the steps before these, if there are any
    later: int | None  # ?before= for the steps after these, None when they are the newest
    newest: bool  # these are the latest steps (the page without ?before=)

    @property
    def first_seq(self) -> int:
        return self.events[0].seq if self.events else 0

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0


def history_page(proposal: Proposal, before: int | None = None,
                 size: int = HISTORY_PAGE) -> HistoryPage:
    """The ``size`` steps before step ``before`` (the latest ones when None), read by keyset on
    (proposal_id, seq): one statement for the steps, one each for their meetings and people,
    however long the history is."""
    select = (sa.select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
              .options(selectinload(ProposalEvent.meeting), selectinload(ProposalEvent.actor))
              .order_by(ProposalEvent.seq.desc()).limit(size + 1))
    if before is not None:
        select = select.where(ProposalEvent.seq < before)
    found = list(db.session.scalars(select))
    shown = found[:size][::-1]
    earlier = shown[0].seq if len(found) > size else None
    total = proposal.event_count
    later = None
    if before is not None and shown:
        # Steps are numbered 1, 2, 3… without gaps (proposals.service._record), so the next
        # page ends ``size`` steps further on; past the newest step it is the first page.
        later = shown[-1].seq + size + 1
        if later > total:
            later = None
    return HistoryPage(shown, total, earlier, later, newest=before is None)
