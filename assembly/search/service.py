"""Full-text search over proposals, agreements, minutes and comments: one interface, SQLite FTS5
on the embedded default and PostgreSQL full-text search in production.

Who finds what follows ``visibility``'s one rule, applied to the visibility, collective and
body each index row carries; the result count counts only readable rows. Snippets are made
here, from the original text, for both databases alike (the index holds folded words: see
``search.text``)."""

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
from assembly.search.models import FTS_TABLE, VECTOR_SQL, SearchDocument, SearchKind
from assembly.search.text import Term, fts5_query, highlight, parse_query, snippet, tsquery
from assembly.visibility import Viewer, get_collective, readable_filter, visible_bodies

PER_PAGE = 20
MAX_PAGE = 500
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
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))

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

def _sqlite_match(terms: list[Term]):
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    fts_name = sa.literal_column(FTS_TABLE)
    source = fts.join(Doc, Doc.id == fts.c.rowid)
    # bm25: lower is better; a word in the title counts four times one in the text.
    return source, fts_name.op("MATCH")(fts5_query(terms)), sa.func.bm25(fts_name, 4.0, 1.0)


def _postgresql_match(terms: list[Term]):
    vector = sa.literal_column(VECTOR_SQL)
    query = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), tsquery(terms))
    return (Doc.__table__, vector.op("@@", is_comparison=True)(query),
            sa.func.ts_rank_cd(vector, query).desc())


def _match(terms: list[Term]):
    dialect = db.session.get_bind().dialect.name
    return _postgresql_match(terms) if dialect == "postgresql" else _sqlite_match(terms)


# --- searching ------------------------------------------------------------------------------

def search(viewer: Viewer, query: str | None, filters: Filters | None = None,
           page: int = 1) -> Results:
    """The readable items matching every word of ``query``, best first, one page of them."""
    terms = parse_query(query)
    page = min(max(page, 1), MAX_PAGE)
    if not terms:
        return Results(terms, page=page)
    source, matches, rank = _match(terms)
    conditions = [
        matches,
        readable_filter(viewer, [Doc.visibility], Doc.collective_id, Doc.body_id),
        *_filter_conditions(filters or Filters()),
    ]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(source).where(*conditions))
    rows = db.session.execute(
        sa.select(Doc, Collective.slug, Collective.name, Body.name)
        .select_from(source)
        .join(Collective, Collective.id == Doc.collective_id)
        .join(Body, Body.id == Doc.body_id)
        .where(*conditions)
        .order_by(rank, Doc.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    hits = [Hit(doc, slug, name, body_name, highlight(doc.title or doc.context, terms),
                snippet(doc.body, terms))
            for doc, slug, name, body_name in rows]
    return Results(terms, hits, total or 0, page)


def reindex() -> dict[SearchKind, int]:
    """Rebuild the whole index in the current transaction (the caller commits)."""
    return index.reindex(db.session.connection())
