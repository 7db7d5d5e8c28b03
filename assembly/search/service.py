"""Full-text search over proposals, agreements, minutes and comments: one interface, SQLite FTS5
on the embedded default and PostgreSQL full-text search in production.

Who finds what follows ``visibility``'s one rule, applied to the visibility, collective and
body each index row carries; the result count counts only readable rows. Snippets are made
here, from the original text, for both databases alike (the index holds folded words: see
``search.text``).

A common word matches a tenth of the archive. Counting and ranking every match would take
longer as the archive grows, so a search reads at most the ``CANDIDATES`` newest readable
matches (newest by index row: rows are written oldest first by ``reindex`` and rewritten when
their item changes), ranks those, and counts up to there: "more than 1,000 results". A rarer
word has fewer matches than that, so all of them are ranked and counted, as before."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from assembly.collectives.models import Body, Collective
from assembly.core.errors import Invalid
from assembly.extensions import db
from assembly.proposals.models import Phase
from assembly.search import index
from assembly.search.models import FTS_TABLE, VECTOR_COLUMN, SearchDocument, SearchKind
from assembly.search.text import Term, fts5_query, highlight, parse_query, snippet, tsquery
from assembly.visibility import (
    Viewer,
    co_brought_readable_ids,
    get_collective,
    readable_filter,
    visible_bodies,
)

CANDIDATES = 1000
# The kinds whose parent_id is a proposal's id (minutes hang from a meeting).
PROPOSAL_PARTS = (SearchKind.PROPOSAL, SearchKind.AGREEMENT, SearchKind.COMMENT)
PER_PAGE = 20
Doc = SearchDocument


@dataclass(frozen=True)
class Filters:
    collective_id: int | None = None
    body_id: int | None = None
    phase: str | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Hit:
    document: SearchDocument
    collective_slug: str
    collective_name: str
    body_name: str
    title: Markup
    snippet: Markup

    @property
    def kind(self) -> SearchKind:
        return self.document.kind_enum


@dataclass
class Results:
    terms: list[Term]
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # at most ``CANDIDATES``
    page: int = 1
    per_page: int = PER_PAGE
    capped: bool = False  # more readable matches than ``total``: "more than …"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


# --- filters --------------------------------------------------------------------------------

def _date(values: Mapping[str, str], name: str) -> date | None:
    text = (values.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(_l("Give a date as year-month-day, e.g. 2026-11-30."), field=name) from None


def _choice(values: Mapping[str, str], name: str, allowed) -> str | None:
    text = (values.get(name) or "").strip()
    if text and text not in {item.value for item in allowed}:
        raise Invalid(_l("Choose one of the listed values."), field=name)
    return text or None


def filters_from(viewer: Viewer, values: Mapping[str, str]) -> Filters:
    """Filters from what a search form sent: slugs, a phase, a kind, ISO dates. A body must be
    one this viewer may read; an unreadable one looks exactly like a missing one."""
    collective = body = None
    if slug := (values.get("collective") or "").strip():
        collective = get_collective(slug)
    if body_slug := (values.get("body") or "").strip():
        body = db.session.scalars(visible_bodies(viewer).where(
            Body.collective_id == getattr(collective, "id", None), Body.slug == body_slug)).first()
        if body is None:
            raise Invalid(_l("Choose a body of this collective from the list."), field="body")
    filters = Filters(
        collective_id=getattr(collective, "id", None), body_id=getattr(body, "id", None),
        phase=_choice(values, "phase", Phase), kind=_choice(values, "kind", SearchKind),
        date_from=_date(values, "from"), date_to=_date(values, "to"))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise Invalid(_l("The end of the period comes before its start."), field="to")
    return filters


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _filter_conditions(filters: Filters) -> list:
    conditions = []
    if filters.collective_id is not None:
        conditions.append(Doc.collective_id == filters.collective_id)
    if filters.body_id is not None:
        conditions.append(Doc.body_id == filters.body_id)
    if filters.phase:
        conditions.append(Doc.phase == filters.phase)
    if filters.kind:
        conditions.append(Doc.kind == filters.kind)
    if filters.date_from:
        conditions.append(Doc.updated_at >= _midnight(filters.date_from))
    if filters.date_to:
        conditions.append(Doc.updated_at < _midnight(filters.date_to + timedelta(days=1)))
    return conditions


# --- the two databases ----------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    source: object  # what to select from
    condition: object  # the words match
    rank: object  # how well they match
    lower_is_better: bool
    newest: object  # the order in which candidates are read
    # Rank only the candidates, once chosen (a rank computed in the scan would be computed for
    # every row the scan reads before its LIMIT applies).
    rank_after_limit: bool = False


def _sqlite_match(terms: list[Term]) -> Match:
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    fts_name = sa.literal_column(FTS_TABLE)
    # bm25: lower is better; a word in the title counts four times one in the text. FTS5 reads
    # its matches by rowid (= the document's id) in either direction without sorting.
    return Match(fts.join(Doc, Doc.id == fts.c.rowid), fts_name.op("MATCH")(fts5_query(terms)),
                 sa.func.bm25(fts_name, 4.0, 1.0), True, fts.c.rowid.desc())


def _postgresql_match(terms: list[Term]) -> Match:
    vector = sa.literal_column(f"{Doc.__tablename__}.{VECTOR_COLUMN}")
    query = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), tsquery(terms))
    # For a common word the planner walks the primary key from the newest row and stops after
    # CANDIDATES matches; for a rare one it asks the GIN index.
    return Match(Doc.__table__, vector.op("@@", is_comparison=True)(query),
                 sa.func.ts_rank_cd(vector, query), False, Doc.id.desc(), rank_after_limit=True)


def _match(terms: list[Term]) -> Match:
    dialect = db.session.get_bind().dialect.name
    return _postgresql_match(terms) if dialect == "postgresql" else _sqlite_match(terms)


# --- searching ------------------------------------------------------------------------------

def _ranked_candidates(match: Match, conditions: list) -> tuple[list[int], bool]:
    """Ids of the newest ``CANDIDATES`` readable matches, best first (ties: newest first), and
    whether there were more. One statement, whatever the archive's size."""
    newest = (sa.select(Doc.id).select_from(match.source).where(*conditions)
              .order_by(match.newest).limit(CANDIDATES + 1))
    if match.rank_after_limit:
        chosen = newest.subquery()
        select = sa.select(Doc.id, match.rank).join(chosen, chosen.c.id == Doc.id)
    else:
        select = newest.add_columns(match.rank)
    rows = db.session.execute(select).all()
    sign = 1 if match.lower_is_better else -1
    ranked = sorted(rows[:CANDIDATES], key=lambda row: (sign * row[1], -row[0]))
    return [row[0] for row in ranked], len(rows) > CANDIDATES


def _hits(ids: list[int], terms: list[Term]) -> list[Hit]:
    """The documents of one page of results, in the order of ``ids``, with where they live."""
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(Doc, Collective.slug, Collective.name, Body.name)
        .join(Collective, Collective.id == Doc.collective_id)
        .join(Body, Body.id == Doc.body_id)
        .where(Doc.id.in_(ids))).all()
    by_id = {row[0].id: row for row in rows}
    return [Hit(doc, slug, name, body_name, highlight(doc.title or doc.context, terms),
                snippet(doc.body, terms))
            for doc, slug, name, body_name in (by_id[i] for i in ids if i in by_id)]


def _readable(viewer: Viewer) -> sa.ColumnElement:
    """The documents this viewer may read: by their own visibility, collective and body, or
    as parts of a proposal a body they work in brings jointly (its text, agreement, comments)."""
    own = readable_filter(viewer, [Doc.visibility], Doc.collective_id, Doc.body_id)
    co_brought = co_brought_readable_ids(viewer)
    if co_brought is None:
        return own
    return sa.or_(own, sa.and_(Doc.kind.in_(PROPOSAL_PARTS), Doc.parent_id.in_(co_brought)))


def search(viewer: Viewer, query: str | None, filters: Filters | None = None,
           page: int = 1) -> Results:
    """The readable items matching every word of ``query``, best first, one page of them."""
    terms = parse_query(query)
    page = min(max(page, 1), -(-CANDIDATES // PER_PAGE))
    if not terms:
        return Results(terms, page=page)
    match = _match(terms)
    conditions = [
        match.condition,
        _readable(viewer),
        *_filter_conditions(filters or Filters()),
    ]
    ranked, capped = _ranked_candidates(match, conditions)
    shown = ranked[(page - 1) * PER_PAGE:page * PER_PAGE]
    return Results(terms, _hits(shown, terms), len(ranked), page, capped=capped)


def reindex() -> dict[SearchKind, int]:
    """Rebuild the whole index in the current transaction (the caller commits)."""
    return index.reindex(db.session.connection())
