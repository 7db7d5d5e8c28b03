"""Atom feeds, iCalendar feeds and open-data exports of a collective's public archive, the page
that lists them, the links every page puts in its <head> (canonical, alternate feeds), and the
page that continues the front door's list of proposals being decided.

Feeds, calendars and exports read as the anonymous viewer (``service.OPEN``): they are open
data, the same for everyone, so even a signed-in member gets only public items there. The
pages read as their reader (``current_viewer``), like every other page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from jinja2 import pass_context
from markupsafe import Markup, escape

from assembly.archive import export, front_door, ical, service
from assembly.archive.service import OPEN, Scope
from assembly.collectives.models import Body, Collective
from assembly.collectives.service import network_members
from assembly.core.db import utcnow
from assembly.core.errors import Invalid
from assembly.core.feeds import Entry, atom_response
from assembly.core.markup import render_markdown
from assembly.live.models import Minutes
from assembly.meetings.models import OPEN_DISCUSSION, Meeting
from assembly.proposals.history import describe_event
from assembly.proposals.models import EventKind, Phase, Proposal, ProposalEvent
from assembly.visibility import (
    can_read_body,
    can_read_proposal,
    current_viewer,
    get_body,
    get_collective,
)
from assembly.visibility import get_proposal as get_visible_proposal

bp = Blueprint("archive", __name__, template_folder="templates")

ATOM_TYPE = "application/atom+xml"
CALENDAR_TYPE = "text/calendar"
MAX_PAGE = 1000
BATCH_SIZE = 500  # rows read and written per chunk of an export


def _host() -> str:
    return request.host.split(":")[0] or "assembly.invalid"


def _tag(kind: str, number: int) -> str:
    """A stable entry id (RFC 4151) that survives a change of title or slug."""
    return f"tag:{_host()},2026:{kind}/{number}"


def _language() -> str:
    return str(get_locale() or "en")


# --- Atom -----------------------------------------------------------------------------------

def _event_title(proposal: Proposal, event: ProposalEvent) -> str:
    if event.kind == EventKind.CREATED:
        return _("New proposal: %(title)s", title=proposal.title)
    if event.kind == EventKind.REVISED:
        return _("%(title)s: new revision", title=proposal.title)
    if not event.to_phase:  # implementation, co-bringing: no phase to name
        return _("%(title)s: %(what)s", title=proposal.title, what=describe_event(event))
    return _("%(title)s: %(phase)s", title=proposal.title, phase=Phase(event.to_phase).label)


def _event_entry(collective: Collective, proposal: Proposal, event: ProposalEvent) -> Entry:
    parts = []
    if event.to_phase:
        parts.append(f"<p>{escape(Phase(event.to_phase).explanation)}</p>")
    if event.reason:
        parts.append(f"<p>{escape(event.reason)}</p>")
    return Entry(
        id=_tag("event", event.id), title=_event_title(proposal, event),
        link=export.proposal_url(collective.slug, proposal), updated=event.at,
        summary_html="".join(parts), author=event.actor.display_name if event.actor else "",
        categories=(event.to_phase,) if event.to_phase else (),
    )


def _minutes_entry(collective: Collective, minutes: Minutes) -> Entry:
    meeting = minutes.meeting
    return Entry(
        id=_tag("minutes", minutes.id),
        title=_("Minutes: %(meeting)s", meeting=meeting.title or meeting.body.name),
        link=export.meeting_url(collective.slug, meeting.id) + "#minutes",
        updated=minutes.created_at, summary_html=str(render_markdown(minutes.text)),
        categories=("minutes",),
    )


def _feed(scope: Scope, *, title: str, alternate: str, proposal: Proposal | None = None):
    collective = scope.collective
    entries = [_event_entry(collective, p, e)
               for p, e in service.recent_events(scope, proposal=proposal)]
    if proposal is None:
        entries += [_minutes_entry(collective, m) for m in service.recent_minutes(scope)]
    entries.sort(key=lambda entry: entry.updated, reverse=True)
    return atom_response(
        feed_id=request.base_url, title=title, self_url=request.base_url,
        alternate_url=alternate, entries=entries[:service.FEED_SIZE], language=_language())


@bp.route("/c/<slug>/feed.atom")
def collective_feed(slug):
    collective = get_collective(slug)
    return _feed(Scope(collective),
                 title=_("%(name)s: what is being decided", name=collective.name),
                 alternate=url_for("collectives.collective", slug=slug, _external=True))


@bp.route("/c/<slug>/b/<body_slug>/feed.atom")
def body_feed(slug, body_slug):
    collective = get_collective(slug)
    body = get_body(OPEN, collective, body_slug)
    return _feed(Scope(collective, body),
                 title=_("%(body)s · %(name)s", body=body.name, name=collective.name),
                 alternate=url_for("collectives.body", slug=slug, body_slug=body.slug,
                                   _external=True))


@bp.route("/c/<slug>/p/<int:proposal_id>/feed.atom")
def proposal_feed(slug, proposal_id):
    collective = get_collective(slug)
    proposal = get_visible_proposal(OPEN, collective, proposal_id)
    return _feed(Scope(collective), proposal=proposal,
                 title=_("History of %(title)s", title=proposal.title),
                 alternate=export.proposal_url(slug, proposal))


# --- iCalendar ------------------------------------------------------------------------------

def _calendar_event(collective: Collective, meeting: Meeting) -> ical.Event:
    url = export.meeting_url(collective.slug, meeting.id)
    what = meeting.title or meeting.body.name
    details = [_("%(body)s of %(name)s", body=meeting.body.name, name=collective.name)]
    if meeting.languages:
        details.append(_("Languages: %(codes)s", codes=meeting.languages))
    if meeting.online_link:
        details.append(_("Online: %(link)s", link=meeting.online_link))
    categories = ()
    if meeting.open_discussion:  # labelled in the title and as a category
        label = str(OPEN_DISCUSSION)
        what, categories = f"{label}: {what}", (label,)
        details.insert(0, _("Open to everyone; nothing is decided at this meeting."))
        if meeting.interpretation_languages:
            details.append(_("Interpretation: %(codes)s", codes=meeting.interpretation_languages))
    details.append(url)
    return ical.Event(
        uid=f"meeting-{meeting.id}@{_host()}", starts_at=meeting.starts_at,
        ends_at=meeting.ends_at, summary=f"{what} · {collective.name}", url=url,
        location=meeting.place or meeting.online_link, description="\n".join(details),
        cancelled=meeting.cancelled_at is not None, categories=categories,
    )


def _calendar(scope: Scope, name: str, filename: str) -> Response:
    events = [_calendar_event(scope.collective, m) for m in service.calendar_meetings(scope)]
    text = ical.calendar(name, events, now=utcnow(), timezone=scope.collective.timezone)
    response = Response(text.encode(), content_type=f"{CALENDAR_TYPE}; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}.ics"'
    return response


@bp.route("/c/<slug>/meetings.ics")
def collective_calendar(slug):
    collective = get_collective(slug)
    return _calendar(Scope(collective), collective.name, collective.slug)


@bp.route("/c/<slug>/b/<body_slug>/meetings.ics")
def body_calendar(slug, body_slug):
    collective = get_collective(slug)
    body = get_body(OPEN, collective, body_slug)
    return _calendar(Scope(collective, body), f"{body.name} · {collective.name}",
                     f"{collective.slug}-{body.slug}")


# --- open data ------------------------------------------------------------------------------

def _page_args() -> tuple[int, int | None]:
    try:
        after = int(request.args.get("after", 0))
        limit = int(request.args["limit"]) if request.args.get("limit") else None
    except ValueError:
        raise Invalid(_("after and limit must be whole numbers."), field="limit") from None
    if after < 0 or (limit is not None and not 1 <= limit <= MAX_PAGE):
        raise Invalid(_("limit must be between 1 and %(max)d.", max=MAX_PAGE), field="limit")
    return after, limit


def _streamed(chunks, content_type: str, next_url: str | None) -> Response:
    response = Response(stream_with_context(chunks), content_type=content_type)
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@bp.route("/c/<slug>/export/<dataset>.<fmt>")
def export_dataset(slug, dataset, fmt):
    collective = get_collective(slug)
    found = export.DATASETS.get(dataset)
    if found is None or fmt not in ("json", "csv"):
        abort(404)
    after, limit = _page_args()
    scope = Scope(collective)
    next_url = None
    if limit is not None:
        next_after = service.next_page_after(found.select(scope), found.key, after=after,
                                             limit=limit)
        if next_after is not None:
            next_url = url_for(".export_dataset", slug=slug, dataset=dataset, fmt=fmt,
                               after=next_after, limit=limit, _external=True)
    size = current_app.config.get("EXPORT_BATCH_SIZE", BATCH_SIZE)
    batches = export.row_batches(found, scope, size=size, after=after, limit=limit)
    if fmt == "csv":
        response = _streamed(export.csv_chunks(found.csv_fields, batches),
                             "text/csv; charset=utf-8", next_url)
        response.headers["Content-Disposition"] = f'inline; filename="{slug}-{dataset}.csv"'
        return response
    header = {
        "dataset": dataset, "collective": slug,
        "source": url_for("collectives.collective", slug=slug, _external=True),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "public_only": True,
    }
    return _streamed(export.json_chunks(header, batches, next_url),
                     "application/json; charset=utf-8", next_url)


@bp.route("/c/<slug>/open-data")
def open_data(slug):
    collective = get_collective(slug)
    bodies = sorted(service.public_bodies(collective).values(), key=lambda b: (b.kind, b.name))
    return render_template(
        "archive/open_data.html", collective=collective, bodies=bodies,
        datasets=list(export.DATASETS), page_size=MAX_PAGE,
        members=network_members(collective) if collective.is_network else [])


# --- the front door, continued -------------------------------------------------------------

def _after() -> front_door.Cursor | None:
    token = request.args.get("after", "")
    return front_door.Cursor.parse(token) if token else None


@bp.route("/c/<slug>/being-decided")
def being_decided(slug):
    """Every proposal being decided, changed last first, fifty a page: where the front door's
    short list continues. ``?after=`` is where the previous page ended (keyset)."""
    collective = get_collective(slug)
    after = _after()
    page = front_door.being_decided(current_viewer(), collective,
                                    limit=front_door.PAGE_SIZE, after=after)
    return render_template("archive/being_decided.html", collective=collective, page=page,
                           first=after is None)


def _phase_filter() -> str | None:
    phase = request.args.get("phase", "")
    if phase and phase not in {known.value for known in Phase}:
        raise front_door.no_such_page()
    return phase or None


@bp.route("/c/<slug>/b/<body_slug>/proposals")
def body_proposals(slug, body_slug):
    """A body's proposals, changed last first, fifty a page (keyset, like the front door's):
    every one but its agreements (where the body page's short list continues), or those in
    one phase (``?phase=agreed``: where its list of agreements continues)."""
    collective = get_collective(slug)
    viewer = current_viewer()
    body = get_body(viewer, collective, body_slug)
    phase, after = _phase_filter(), _after()
    phases = (phase,) if phase else front_door.NOT_AGREED
    page = front_door.being_decided(viewer, collective, phases, body=body,
                                    limit=front_door.PAGE_SIZE, after=after)
    return render_template("archive/body_proposals.html", collective=collective, body=body,
                           page=page, phase=phase, first=after is None, phases=list(Phase))


# --- <head> links of every page -------------------------------------------------------------

def _link(rel: str, href: str, kind: str = "", title: str = "") -> str:
    attrs = f' type="{kind}"' if kind else ""
    attrs += f' title="{escape(title)}"' if title else ""
    return f'<link rel="{rel}" href="{escape(href)}"{attrs}>'


def _body_links(collective: Collective, body: Body) -> list[str]:
    if not can_read_body(OPEN, body):
        return []  # the feeds of a closed body do not exist for feed readers
    args = {"slug": collective.slug, "body_slug": body.slug, "_external": True}
    return [_link("alternate", url_for("archive.body_feed", **args), ATOM_TYPE,
                  _("Atom feed of %(body)s", body=body.name)),
            _link("alternate", url_for("archive.body_calendar", **args), CALENDAR_TYPE,
                  _("Meetings of %(body)s (iCalendar)", body=body.name))]


def _page_links(endpoint: str, context) -> list[str]:
    collective = context.get("collective")
    if not isinstance(collective, Collective):
        return []
    slug = collective.slug
    if endpoint == "collectives.collective":
        return [_link("canonical", url_for(endpoint, slug=slug, _external=True)),
                _link("alternate", url_for("archive.collective_feed", slug=slug, _external=True),
                      ATOM_TYPE, _("Atom feed of %(name)s", name=collective.name)),
                _link("alternate", url_for("archive.collective_calendar", slug=slug,
                                           _external=True),
                      CALENDAR_TYPE, _("Meetings of %(name)s (iCalendar)", name=collective.name))]
    if endpoint == "collectives.body" and isinstance(context.get("body"), Body):
        body = context["body"]
        return [_link("canonical", url_for(endpoint, slug=slug, body_slug=body.slug,
                                           _external=True)), *_body_links(collective, body)]
    if endpoint == "proposals.proposal" and isinstance(context.get("proposal"), Proposal):
        proposal = context["proposal"]
        links = [_link("canonical", export.proposal_url(slug, proposal))]
        if can_read_proposal(OPEN, proposal):
            links.append(_link("alternate", url_for("archive.proposal_feed", slug=slug,
                                                    proposal_id=proposal.id, _external=True),
                               ATOM_TYPE, _("History of %(title)s", title=proposal.title)))
        return links
    if endpoint == "meetings.meeting" and isinstance(context.get("meeting"), Meeting):
        meeting = context["meeting"]
        return [_link("canonical", export.meeting_url(slug, meeting.id)),
                *_body_links(collective, meeting.body)]
    return []


@bp.app_template_global("archive_links")
@pass_context
def archive_links(context) -> Markup:
    """Canonical and alternate (Atom, iCalendar) links for the page being rendered, from what
    its template already holds; error pages and forms get none."""
    if not request or request.endpoint is None or context.get("status"):
        return Markup("")
    return Markup("\n  ".join(_page_links(request.endpoint, context)))
