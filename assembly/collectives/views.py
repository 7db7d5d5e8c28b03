"""The front door (collectives and networks), a collective's page, its bodies, and the forms
members use to start collectives, networks and working groups. Everything read here is selected
through ``assembly.visibility``; the rules are in ``collectives.service``."""

from datetime import timedelta
from itertools import groupby

import sqlalchemy as sa
from babel.dates import get_day_names
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import contains_eager

from assembly.archive import front_door
from assembly.archive.front_door import BEING_DECIDED
from assembly.collectives import service
from assembly.collectives.forms import (
    VISIBILITY_EXPLANATIONS,
    CollectiveForm,
    JoinNetworkForm,
    ParticipantForm,
    RhythmForm,
    WorkingGroupForm,
)
from assembly.collectives.models import Body, BodyKind, Collective, CollectiveKind
from assembly.core.db import Visibility, utcnow
from assembly.core.errors import Invalid
from assembly.core.web import apply_form_error
from assembly.extensions import db
from assembly.meetings.models import Meeting, MeetingStatus
from assembly.meetings.service import upcoming_meetings
from assembly.networks import service as networks
from assembly.people.models import Person
from assembly.people.service import members_of, require_member
from assembly.proposals.models import Agreement, AgreementStatus, Phase, Proposal
from assembly.proposals.service import due_for_review, mandates
from assembly.visibility import (
    Viewer,
    current_viewer,
    forget_current_viewer,
    get_body,
    get_collective,
    visible_bodies,
    visible_meetings,
    visible_proposals,
)

bp = Blueprint("collectives", __name__, template_folder="templates")

# Items of each list on a body page, however large the archive: the rest are a link away.
LIST_LIMIT = 30


# --- helpers --------------------------------------------------------------------------------

def _actor() -> Person:
    return current_user._get_current_object()


def _by_phase(proposals) -> list[tuple[Phase, list[Proposal]]]:
    """Proposals grouped in the order of the lifecycle, empty phases left out."""
    order = {phase: n for n, phase in enumerate(Phase)}
    ranked = sorted(proposals, key=lambda p: order[Phase(p.phase)])
    return [(Phase(phase), list(group)) for phase, group in groupby(ranked, key=lambda p: p.phase)]


def _open_counts(viewer: Viewer) -> dict[int, int]:
    """Proposals being decided in each collective, as this viewer may see them."""
    found = visible_proposals(viewer).where(Proposal.phase.in_(BEING_DECIDED)).subquery()
    rows = db.session.execute(
        sa.select(found.c.collective_id, sa.func.count()).group_by(found.c.collective_id)
    )
    return dict(rows.all())


def _bodies(viewer: Viewer, collective: Collective) -> list[Body]:
    assemblies_first = sa.case((Body.kind == BodyKind.WORKING_GROUP, 1), else_=0)
    # Working tables are reached through their gathering, not listed among working groups.
    return list(db.session.scalars(
        visible_bodies(viewer).where(Body.collective_id == collective.id,
                                     Body.kind != BodyKind.WORKING_TABLE)
        .order_by(assemblies_first, Body.name)
    ))


def _being_decided(viewer: Viewer, collective: Collective) -> front_door.Page:
    """The latest few, and those its bodies bring jointly; the rest a link away (bounded,
    however large the archive: assembly.archive.front_door)."""
    return front_door.being_decided(viewer, collective, BEING_DECIDED)


def _coming_meetings(viewer: Viewer, collective: Collective, limit: int = 10) -> list[Meeting]:
    # The same rule as meetings.service.upcoming_meetings, over all bodies in one query.
    return list(db.session.scalars(
        visible_meetings(viewer).options(contains_eager(Meeting.body))
        .where(Meeting.collective_id == collective.id, Meeting.status != MeetingStatus.CLOSED,
               Meeting.cancelled_at.is_(None),
               Meeting.starts_at >= utcnow() - timedelta(hours=12))
        .order_by(Meeting.starts_at).limit(limit)
    ))


def _agreements(viewer: Viewer, *conditions, order=None, limit: int = 10):
    """(proposal, agreement in force) pairs the viewer may read."""
    return db.session.execute(
        visible_proposals(viewer).add_columns(Agreement)
        .join(Agreement, Agreement.proposal_id == Proposal.id)
        .where(Agreement.status == AgreementStatus.IN_FORCE, *conditions)
        .order_by(*(order or [Agreement.agreed_at.desc()])).limit(limit)
    ).all()


def _only_visible_meetings(viewer: Viewer, meetings: list[Meeting]) -> list[Meeting]:
    ids = {m.id for m in meetings}
    if not ids:
        return []
    seen = set(db.session.scalars(visible_meetings(viewer).where(Meeting.id.in_(ids))))
    return [m for m in meetings if m in seen]


def _day_names() -> dict[int, str]:
    """Weekday names (0 = Monday, as the rhythm stores them) in the reader's language, in the
    order their calendar uses."""
    locale = get_locale()
    names = get_day_names("wide", locale=locale)
    return {day: names[day] for day in sorted(names, key=lambda d: (d - locale.first_week_day) % 7)}


def _load_body(slug: str, body_slug: str) -> tuple[Collective, Body]:
    collective = get_collective(slug)
    return collective, get_body(current_viewer(), collective, body_slug)


def _body_url(collective: Collective, body: Body) -> str:
    return url_for("collectives.body", slug=collective.slug, body_slug=body.slug)


# --- reading --------------------------------------------------------------------------------

@bp.route("/")
def index():
    viewer = current_viewer()
    collectives = db.session.scalars(sa.select(Collective).order_by(Collective.name)).all()
    own = [c for c in collectives if viewer.is_member_of(c.id)]
    others = [c for c in collectives if not viewer.is_member_of(c.id)]
    return render_template("collectives/index.html", own=own, others=others,
                           counts=_open_counts(viewer))


@bp.route("/c/<slug>/")
def collective(slug):
    viewer = current_viewer()
    found = get_collective(slug)
    is_network = found.is_network
    decided = _being_decided(viewer, found)
    return render_template(
        "collectives/collective.html", collective=found, viewer=viewer,
        is_member=viewer.is_member_of(found.id),
        bodies=_bodies(viewer, found),
        general_assembly=service.general_assembly(found),
        being_decided=_by_phase(decided.proposals), more_being_decided=decided.next,
        meetings=_coming_meetings(viewer, found),
        agreements=_agreements(viewer, Proposal.collective_id == found.id),
        network_members=service.network_members(found) if is_network else [],
        networks=[] if is_network else service.member_networks(found),
        network_agreements=networks.network_agreements(viewer, found, limit=10),
    )


def _render_body(collective: Collective, body: Body, *, rhythm_form=None, add_form=None,
                 status: int = 200):
    viewer = current_viewer()
    is_member = viewer.is_member_of(collective.id)
    is_participant = body.id in viewer.participant_body_ids
    working_group = body.kind == BodyKind.WORKING_GROUP
    proposals = front_door.being_decided(viewer, collective, front_door.NOT_AGREED, body=body,
                                         limit=LIST_LIMIT)
    # The agreement's body is its proposal's; its index walks them by re-evaluation date.
    agreements = _agreements(viewer, Agreement.body_id == body.id,
                             order=[Agreement.review_date, Agreement.id], limit=LIST_LIMIT + 1)
    due = due_for_review(viewer, body, limit=LIST_LIMIT + 1)
    delegated = db.session.scalars(
        visible_proposals(viewer).options(contains_eager(Proposal.body))
        .where(Proposal.delegated_to_id == body.id, Proposal.phase == Phase.DELEGATED)
        .order_by(Proposal.return_date)
    ).all() if working_group else []
    if is_member and rhythm_form is None:
        rhythm_form = _rhythm_form(body, formdata=None)
    if body.has_participants and is_participant and add_form is None:
        add_form = _participant_form(collective, body)
    return render_template(
        "collectives/body.html", collective=collective, body=body, is_member=is_member,
        is_participant=is_participant, working_group=working_group,
        by_phase=_by_phase(proposals.proposals), more_proposals=proposals.next,
        mandates=mandates(delegated, collective.timezone),
        agreements=agreements[:LIST_LIMIT], more_agreements=len(agreements) > LIST_LIMIT,
        due=due[:LIST_LIMIT], more_due=len(due) > LIST_LIMIT,
        meetings=_only_visible_meetings(viewer, upcoming_meetings(body)),
        rhythm_form=rhythm_form, add_form=add_form, day_names=_day_names(),
    ), status


@bp.route("/c/<slug>/b/<body_slug>/")
def body(slug, body_slug):
    return _render_body(*_load_body(slug, body_slug))


# --- starting collectives, networks and working groups --------------------------------------

def _collective_form() -> CollectiveForm:
    form = CollectiveForm()
    mine = db.session.scalars(
        sa.select(Collective).where(
            Collective.id.in_(current_viewer().collective_ids),
            Collective.kind == CollectiveKind.COLLECTIVE,
        ).order_by(Collective.name)
    )
    form.joining_id.choices = [("", _("None for now"))] + [(c.id, c.name) for c in mine]
    if request.method == "GET":
        form.main_language.data = str(get_locale() or "en")
        form.is_network.data = request.args.get("network") == "1"
    return form


def _create(form: CollectiveForm) -> Collective:
    fields = {
        "slug": form.slug.data or None, "languages": form.language_codes(),
        "timezone": form.timezone.data, "description": form.description.data or "",
    }
    if form.is_network.data:
        joining = db.session.get(Collective, form.joining_id.data) if form.joining_id.data else None
        return service.create_network(form.name.data, founder=_actor(), joining=joining, **fields)
    return service.create_collective(form.name.data, founder=_actor(), **fields)


@bp.route("/collectives/new", methods=["GET", "POST"])
@login_required
def new():
    form = _collective_form()
    if form.validate_on_submit():
        try:
            created = _create(form)
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        else:
            db.session.commit()
            forget_current_viewer()
            flash(_("%(name)s is started. Invite the others with a link.", name=created.name),
                  "ok")
            return redirect(url_for("collectives.collective", slug=created.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("collectives/new.html", form=form), status


def _chosen_network(form: JoinNetworkForm) -> Collective:
    if form.network_slug.data:
        return service.find_network(form.network_slug.data)
    if form.network_id.data:
        return db.session.get(Collective, form.network_id.data)
    raise Invalid(_("Choose a network from the list or type its short name."), field="network_id")


@bp.route("/c/<slug>/networks/join", methods=["GET", "POST"])
@login_required
def join_network(slug):
    collective = get_collective(slug)
    require_member(_actor(), collective)
    service.require_can_join_networks(collective)
    form = JoinNetworkForm()
    form.network_id.choices = [("", _("Choose…"))] + [
        (n.id, n.name) for n in service.networks_to_join(collective)]
    if form.validate_on_submit():
        try:
            network = _chosen_network(form)
            service.join_network(network, collective, _actor())
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s now takes part in %(network)s.", name=collective.name,
                    network=network.name), "ok")
            return redirect(url_for("collectives.collective", slug=collective.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("collectives/join_network.html", form=form,
                           collective=collective), status


@bp.route("/c/<slug>/working-groups/new", methods=["GET", "POST"])
@login_required
def new_working_group(slug):
    collective = get_collective(slug)
    require_member(_actor(), collective)
    form = WorkingGroupForm()
    if form.validate_on_submit():
        try:
            group = service.create_working_group(collective, _actor(), form.name.data,
                                                 form.purpose.data or "", form.visibility.data)
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        else:
            db.session.commit()
            forget_current_viewer()
            flash(_("The working group %(name)s is started; you are its first participant.",
                    name=group.name), "ok")
            return redirect(_body_url(collective, group))
    status = 422 if request.method == "POST" else 200
    return render_template("collectives/new_working_group.html", form=form,
                           collective=collective, explanations=VISIBILITY_EXPLANATIONS), status


# --- taking part in a body and its rhythm ---------------------------------------------------

def _participant_form(collective: Collective, body: Body, formdata=None) -> ParticipantForm:
    form = ParticipantForm(formdata=formdata)
    taking_part = {p.id for p in body.participants}
    form.person_id.choices = [("", _("Choose a member…"))] + [
        (p.id, p.display_name) for p in members_of(collective) if p.id not in taking_part]
    return form


def _rhythm_form(body: Body, formdata=None) -> RhythmForm:
    if formdata is None:
        form = RhythmForm(formdata=None, weekday=body.rhythm_weekday, time=body.rhythm_time,
                          every_weeks=body.rhythm_every_weeks, minutes=body.rhythm_minutes,
                          place=body.default_place)
    else:
        form = RhythmForm()
    form.weekday.choices = [("", _("No regular meetings"))] + list(_day_names().items())
    return form


@bp.route("/c/<slug>/b/<body_slug>/participants/join", methods=["POST"])
@login_required
def join_body(slug, body_slug):
    collective, found = _load_body(slug, body_slug)
    service.add_participant(found, _actor(), _actor())
    db.session.commit()
    flash(_("You take part in %(name)s.", name=found.name), "ok")
    return redirect(_body_url(collective, found))


@bp.route("/c/<slug>/b/<body_slug>/participants/leave", methods=["POST"])
@login_required
def leave_body(slug, body_slug):
    collective, found = _load_body(slug, body_slug)
    service.remove_participant(found, _actor(), _actor())
    db.session.commit()
    flash(_("You no longer take part in %(name)s.", name=found.name), "ok")
    # Someone who leaves a confidential group can no longer see it.
    still_visible = found.visibility != Visibility.CONFIDENTIAL
    return redirect(_body_url(collective, found) if still_visible
                    else url_for("collectives.collective", slug=collective.slug))


@bp.route("/c/<slug>/b/<body_slug>/participants", methods=["POST"])
@login_required
def add_participant(slug, body_slug):
    collective, found = _load_body(slug, body_slug)
    require_member(_actor(), collective)
    form = _participant_form(collective, found, formdata=request.form)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        service.add_participant(found, _actor(), person)
        db.session.commit()
        flash(_("%(name)s takes part in %(body)s.", name=person.display_name, body=found.name),
              "ok")
        return redirect(_body_url(collective, found))
    return _render_body(collective, found, add_form=form, status=422)


@bp.route("/c/<slug>/b/<body_slug>/rhythm", methods=["POST"])
@login_required
def rhythm(slug, body_slug):
    collective, found = _load_body(slug, body_slug)
    require_member(_actor(), collective)
    form = _rhythm_form(found, formdata=request.form)
    if form.validate_on_submit():
        try:
            service.set_rhythm(found, _actor(), form.weekday.data, (form.time.data or "").strip(),
                               form.every_weeks.data, form.minutes.data, form.place.data or "")
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        else:
            db.session.commit()
            flash(_("The meeting rhythm of %(name)s is saved.", name=found.name), "ok")
            return redirect(_body_url(collective, found))
    return _render_body(collective, found, rhythm_form=form, status=422)
