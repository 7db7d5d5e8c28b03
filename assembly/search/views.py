"""GET /search: the form and one page of results; works without JavaScript."""

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_babel import format_number

from assembly.collectives.models import Body, Collective
from assembly.core.errors import Invalid
from assembly.extensions import db
from assembly.proposals.models import Phase
from assembly.search import service
from assembly.search.models import SearchKind
from assembly.search.service import Hit
from assembly.search.text import QUERY_LIMIT, parse_query
from assembly.visibility import current_viewer, get_collective, visible_bodies

bp = Blueprint("search", __name__, template_folder="templates")
FIELDS = ("q", "collective", "body", "phase", "kind", "from", "to")


def hit_url(hit: Hit) -> str:
    doc = hit.document
    if doc.kind == SearchKind.MINUTES:
        return url_for("meetings.meeting", slug=hit.collective_slug, meeting_id=doc.parent_id,
                       _anchor="minutes")
    anchors = {SearchKind.AGREEMENT: f"agreement-{doc.ref_id}",
               SearchKind.COMMENT: f"comment-{doc.ref_id}"}
    return url_for("proposals.proposal", slug=hit.collective_slug, proposal_id=doc.parent_id,
                   _anchor=anchors.get(doc.kind_enum))


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 6 else 1


def _page_url(values: dict, page: int) -> str:
    return url_for("search.search", **{k: v for k, v in values.items() if v}, page=page)


@bp.route("/search")
def search():
    viewer = current_viewer()
    values = {name: request.args.get(name, "")[:QUERY_LIMIT * 2] for name in FIELDS}
    collective = get_collective(values["collective"]) if values["collective"] else None
    error, status = None, 200
    try:
        filters = service.filters_from(viewer, values)
        results = service.search(viewer, values["q"], filters,
                                 _page_number(request.args.get("page")))
    except Invalid as invalid:
        error, status = invalid, 422
        results = service.Results(parse_query(values["q"]))
    bodies = db.session.scalars(
        visible_bodies(viewer).where(Body.collective_id == collective.id).order_by(Body.name)
    ).all() if collective else []
    return render_template(
        "search/search.html", values=values, results=results, error=error,
        total_text=format_number(results.total),  # "1,000" or "1.000", as the reader writes it
        collective=collective, bodies=bodies,
        collectives=db.session.scalars(sa.select(Collective).order_by(Collective.name)).all(),
        phases=list(Phase), kinds=list(SearchKind), hit_url=hit_url,
        page_url=lambda page: _page_url(values, page),
    ), status
