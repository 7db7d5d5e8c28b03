"""Open-data exports: what each dataset holds, and its JSON and CSV forms written batch by batch.

A row is a flat dict of JSON-ready values (strings, numbers, None, and for JSON only, lists of
dicts). CSV leaves the nested lists out (they have their own datasets: a proposal's events are
``events.csv``) and guards cells against spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import url_for

from assembly.archive import service
from assembly.archive.service import Scope
from assembly.live.models import Minutes
from assembly.meetings.models import Meeting
from assembly.proposals.models import Agreement, Proposal, ProposalEvent

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds").replace("+00:00", "Z")
    return value.isoformat()


def proposal_url(collective_slug: str, proposal: Proposal) -> str:
    return url_for("proposals.proposal", slug=collective_slug, proposal_id=proposal.id,
                   proposal_slug=proposal.slug, _external=True)


def meeting_url(collective_slug: str, meeting_id: int) -> str:
    return url_for("meetings.meeting", slug=collective_slug, meeting_id=meeting_id,
                   _external=True)


class Batch:
    """What one batch of rows needs from the database besides the rows themselves, loaded with
    one query per kind, never one per row."""

    def __init__(self, scope: Scope, rows: list):
        self.scope, self.rows = scope, rows
        self.slug = scope.collective.slug
        self.bodies = service.public_bodies(scope.collective)

    def body_slug(self, body_id: int | None) -> str | None:
        body = self.bodies.get(body_id)
        return body.slug if body else None

    def readable_meetings(self, ids) -> set[int]:
        return service.public_meeting_ids({i for i in ids if i})


# --- rows of each dataset -------------------------------------------------------------------

def _event_row(event: ProposalEvent, meetings: set[int]) -> dict:
    return {
        "proposal_id": event.proposal_id, "seq": event.seq, "kind": event.kind,
        "from_phase": event.from_phase, "to_phase": event.to_phase, "at": _when(event.at),
        "actor": event.actor.display_name if event.actor else None, "reason": event.reason,
        "meeting_id": event.meeting_id if event.meeting_id in meetings else None,
    }


def proposal_rows(batch: Batch) -> Iterator[dict]:
    ids = [p.id for p in batch.rows]
    events = service.events_by_proposal(ids)
    texts = service.current_texts(ids)
    meetings = batch.readable_meetings(e.meeting_id for found in events.values() for e in found)
    for p in batch.rows:
        yield {
            "id": p.id, "url": proposal_url(batch.slug, p), "title": p.title, "phase": p.phase,
            "body": p.body.slug, "created_at": _when(p.created_at),
            "updated_at": _when(p.updated_at), "revision": p.revision_number,
            "text": texts.get(p.id, ""), "phase_reason": p.phase_reason,
            "delegated_to": batch.body_slug(p.delegated_to_id), "mandate": p.mandate,
            "return_date": _when(p.return_date), "review_date": _when(p.review_date),
            "events": [_event_row(e, meetings) for e in events.get(p.id, [])],
        }


def event_rows(batch: Batch) -> Iterator[dict]:
    meetings = batch.readable_meetings(e.meeting_id for e in batch.rows)
    for event in batch.rows:
        yield {"id": event.id, **_event_row(event, meetings)}


def agreement_rows(batch: Batch) -> Iterator[dict]:
    meetings = batch.readable_meetings(a.meeting_id for a in batch.rows)
    for a in batch.rows:
        yield {
            "id": a.id, "proposal_id": a.proposal_id,
            "url": proposal_url(batch.slug, a.proposal), "title": a.proposal.title,
            "body": batch.body_slug(a.body_id), "status": a.status,
            "agreed_at": _when(a.agreed_at), "revision": a.revision.number,
            "text": a.revision.text, "implementers": a.implementers,
            "implementer_body": batch.body_slug(a.implementer_body_id),
            "deadline": _when(a.deadline), "review_date": _when(a.review_date),
            "ended_at": _when(a.ended_at),
            "meeting_id": a.meeting_id if a.meeting_id in meetings else None,
            "present": "; ".join(person.display_name for person in a.present),
            "guests_present": a.guests_present,
            "positions": [{"kind": p.kind, "name": p.name, "reason": p.reason}
                          for p in a.positions],
        }


def meeting_rows(batch: Batch) -> Iterator[dict]:
    for m in batch.rows:
        yield {
            "id": m.id, "url": meeting_url(batch.slug, m.id), "body": m.body.slug,
            "title": m.title, "starts_at": _when(m.starts_at), "ends_at": _when(m.ends_at),
            "timezone": batch.scope.collective.timezone, "place": m.place,
            "online_link": m.online_link, "languages": m.languages, "status": m.status,
            "cancelled_at": _when(m.cancelled_at),
        }


def minutes_rows(batch: Batch) -> Iterator[dict]:
    for minutes in batch.rows:
        yield {
            "id": minutes.id, "meeting_id": minutes.meeting_id,
            "url": meeting_url(batch.slug, minutes.meeting_id) + "#minutes",
            "body": batch.body_slug(minutes.body_id),
            "meeting_starts_at": _when(minutes.meeting.starts_at),
            "created_at": _when(minutes.created_at), "text": minutes.text,
        }


@dataclass(frozen=True)
class Dataset:
    name: str
    select: Callable[[Scope], sa.Select]
    key: object  # the column batches and pages are keyed on
    rows: Callable[[Batch], Iterator[dict]]
    csv_fields: tuple[str, ...]


DATASETS = {d.name: d for d in (
    Dataset("proposals", service.proposals, Proposal.id, proposal_rows, (
        "id", "url", "title", "phase", "body", "created_at", "updated_at", "revision", "text",
        "phase_reason", "delegated_to", "mandate", "return_date", "review_date")),
    Dataset("events", service.events, ProposalEvent.id, event_rows, (
        "id", "proposal_id", "seq", "kind", "from_phase", "to_phase", "at", "actor", "reason",
        "meeting_id")),
    Dataset("agreements", service.agreements, Agreement.id, agreement_rows, (
        "id", "proposal_id", "url", "title", "body", "status", "agreed_at", "revision", "text",
        "implementers", "implementer_body", "deadline", "review_date", "ended_at",
        "meeting_id", "present", "guests_present")),
    Dataset("meetings", service.meetings, Meeting.id, meeting_rows, (
        "id", "url", "body", "title", "starts_at", "ends_at", "timezone", "place",
        "online_link", "languages", "status", "cancelled_at")),
    Dataset("minutes", service.minutes, Minutes.id, minutes_rows, (
        "id", "meeting_id", "url", "body", "meeting_starts_at", "created_at", "text")),
)}


# --- the two forms ------------------------------------------------------------------------

def row_batches(dataset: Dataset, scope: Scope, *, size: int, after: int = 0,
                limit: int | None = None) -> Iterator[list[dict]]:
    for rows in service.batches(dataset.select(scope), dataset.key, size, after=after,
                                limit=limit):
        yield list(dataset.rows(Batch(scope, rows)))


def json_chunks(header: dict, batches: Iterator[list[dict]], next_url: str | None
                ) -> Iterator[str]:
    """``{…header, "items": [ … ], "next": …}``, one chunk per batch."""
    opening = json.dumps(header, ensure_ascii=False)[:-1]
    yield opening + (', ' if header else '') + '"items": ['
    first = True
    for rows in batches:
        text = ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
        if text:
            yield ("\n" if first else ",\n") + text
            first = False
    yield "\n], " + json.dumps({"next": next_url})[1:] + "\n"


def _cell(value) -> str | int | None:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (the JSON
    export keeps the exact text)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(fields: tuple[str, ...], batches: Iterator[list[dict]]) -> Iterator[str]:
    """A header line, then one chunk per batch (RFC 4180: CRLF line ends, quoted as needed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    yield buffer.getvalue()
    for rows in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_cell(row[name]) for name in fields] for row in rows)
        yield buffer.getvalue()
