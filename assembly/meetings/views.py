"""Meeting pages: the meeting with its agenda and roles (anyone who may see it), and the changes
members make to them. Every change is a small plain form; no JavaScript is needed."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from assembly.care import views as care_views
from assembly.collectives.models import Body, Collective
from assembly.core.db import Visibility, strictest, utcnow
from assembly.core.errors import Conflict, Invalid
from assembly.core.web import apply_form_error, in_zone
from assembly.extensions import db
from assembly.live import service as live
from assembly.live.events import broadcast
from assembly.live.minutes import minutes_of
from assembly.meetings import forms
from assembly.meetings import service as meetings
from assembly.meetings.models import AgendaItem, Meeting, MeetingStatus, Role
from assembly.people.models import Person
from assembly.people.service import LANGUAGES, require_member
from assembly.proposals import service as proposals
from assembly.proposals.models import Phase, Proposal
from assembly.visibility import (
    current_viewer,
    get_body,
    get_collective,
    get_meeting,
    visible_meetings,
    visible_proposals,
)

bp = Blueprint("meetings", __name__, template_folder="templates")


# --- helpers ---------------------------------------------------------------------------------

def meeting_url(meeting: Meeting, **kw) -> str:
    return url_for("meetings.meeting", slug=meeting.collective.slug, meeting_id=meeting.id, **kw)


def _actor() -> Person:
    return current_user._get_current_object()


def _load(slug: str, meeting_id: int) -> Meeting:
    return get_meeting(current_viewer(), get_collective(slug), meeting_id)


def _load_for_change(slug: str, meeting_id: int) -> Meeting:
    """The meeting, if this person may see it (else 404) and is a member (else 403)."""
    meeting = _load(slug, meeting_id)
    require_member(_actor(), meeting.collective)
    return meeting


def _body(slug: str, body_slug: str) -> tuple[Collective, Body]:
    collective = get_collective(slug)
    return collective, get_body(current_viewer(), collective, body_slug)


def _held_on(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return _("never held this role")
    return _("last held on %(date)s", date=format_date(in_zone(moment, timezone).date()))


def _meeting_title(meeting: Meeting) -> str:
    return meeting.title or _("Meeting of %(body)s", body=meeting.body.name)


def _status_words(meeting: Meeting) -> str:
    if meeting.cancelled_at is not None:
        return _("Cancelled")
    return str(meeting.status_enum.label)


# --- the page --------------------------------------------------------------------------------

@dataclass
class RoleBlock:
    """One role on the page: who holds it and the form to give it to someone."""

    role: Role
    holders: list = field(default_factory=list)
    form: forms.RoleForm | None = None
    suggested: list = field(default_factory=list)


def _role_form(meeting: Meeting, role: Role, formdata=None) -> tuple[forms.RoleForm, list]:
    form = forms.RoleForm(formdata=formdata, prefix=role.value)
    timezone = meeting.collective.timezone
    suggested = meetings.suggest_for_role(meeting, role)
    suggested_ids = {person.id for person, _last in suggested}
    others = [(person, last) for person, last in meetings.role_candidates(meeting, role)
              if person.id not in suggested_ids]
    resting = care_views.resting_in(meeting.body)

    def option(person, last, group):
        words = "; ".join([_held_on(last, timezone)] + ([resting[person.id]]
                                                        if person.id in resting else []))
        return SelectChoice(person.id, f"{person.display_name} ({words})", optgroup=group)

    first, rest = _("Suggested: has held it least recently"), _("Everyone else who can take it")
    form.person_id.choices = ([option(*s, first) for s in suggested]
                              + [option(*o, rest) for o in others])
    return form, suggested


def _roles(meeting: Meeting, editable: bool, active: tuple | None) -> list[RoleBlock]:
    holders = meetings.role_holders(meeting)
    blocks = []
    for role in Role:
        block = RoleBlock(role, [h for h in holders if h.role == role])
        if editable:
            block.form, block.suggested = _role_form(meeting, role)
            if active and active[0] == ("role", role.value):
                active_form = active[1]
                active_form.person_id.choices = block.form.person_id.choices
                block.form = active_form
        blocks.append(block)
    return blocks


def _hidden_proposals(items: list[AgendaItem]) -> set[int]:
    """Proposals on the agenda that this viewer may not read: their titles stay hidden."""
    ids = {item.proposal_id for item in items if item.proposal_id is not None}
    if not ids:
        return set()
    readable = set(db.session.scalars(
        visible_proposals(current_viewer()).where(Proposal.id.in_(ids))
        .with_only_columns(Proposal.id)))
    return ids - readable


def _page(meeting: Meeting, *, active: tuple | None = None, status: int = 200):
    """Render the meeting. ``active`` is ((kind, key), form) of a form sent with errors, shown
    again in place with what was typed."""
    # The viewer of this request already knows the memberships: no second look-up.
    can_act = current_viewer().is_member_of(meeting.collective_id)
    is_open = meeting.status != MeetingStatus.CLOSED and meeting.cancelled_at is None
    editable = can_act and is_open
    items = meetings.agenda(meeting)
    active_key = active[0] if active else None

    def form_for(key, factory):
        return active[1] if active_key == key else factory()

    time_box_forms = {}
    if editable:
        for item in items:
            time_box_forms[item.id] = form_for(
                ("time_box", item.id),
                lambda item=item: forms.TimeBoxForm(
                    prefix=f"item{item.id}", formdata=None,
                    time_box_minutes=item.time_box_minutes))
    free_form = form_for(("free", None), lambda: forms.FreePointForm(formdata=None)) \
        if editable else None
    open_form = form_for(("open_discussion", None), lambda: forms.OpenDiscussionForm(
        formdata=None, open_discussion=meeting.open_discussion,
        interpretation_languages=meeting.interpretation_list)) if editable else None
    planned = sum(item.time_box_minutes for item in items)
    # A form sent back with errors may sit far down the page: name it at the top, with a link.
    problem = next((f for f in active[1] if f.errors), None) if active else None
    return render_template(
        "meetings/meeting.html",
        meeting=meeting, collective=meeting.collective, body=meeting.body,
        title=_meeting_title(meeting), status_words=_status_words(meeting),
        visibility=strictest(meeting.visibility, meeting.body.visibility),
        items=items, hidden=_hidden_proposals(items), phase=Phase,
        planned=planned, can_act=can_act, editable=editable,
        time_box_forms=time_box_forms, free_form=free_form, open_form=open_form,
        roles=_roles(meeting, editable, active), problem=problem,
        resting=care_views.resting_in(meeting.body) if can_act else {},
        minutes=minutes_of(current_viewer(), meeting), languages_named=[
            LANGUAGES.get(code, code) for code in meeting.languages.split()],
    ), status


@bp.route("/c/<slug>/m/<int:meeting_id>")
def meeting(slug, meeting_id):
    return _page(_load(slug, meeting_id))


def _done(meeting: Meeting, message: str, anchor: str = "agenda"):
    db.session.commit()
    flash(message, "ok")
    return redirect(meeting_url(meeting, _anchor=anchor))


def _refused(slug: str, meeting_id: int, key: tuple, form, error: Invalid | None = None):
    """A form came back wrong: show the page again with the form, its message and its values."""
    if error is not None:
        db.session.rollback()
        apply_form_error(form, error)
    return _page(_load(slug, meeting_id), active=(key, form), status=422)


# --- agenda ----------------------------------------------------------------------------------

@bp.route("/c/<slug>/m/<int:meeting_id>/items", methods=["POST"])
@login_required
def add_free_point(slug, meeting_id):
    found = _load_for_change(slug, meeting_id)
    form = forms.FreePointForm()
    key = ("free", None)
    if not form.validate():
        return _refused(slug, meeting_id, key, form)
    try:
        meetings.add_free_point(found, _actor(), form.title.data, form.time_box_minutes.data,
                                form.note.data or "")
    except Invalid as error:
        return _refused(slug, meeting_id, key, form, error)
    return _done(found, _("The point is on the agenda."))


@bp.route("/c/<slug>/m/<int:meeting_id>/items/<int:item_id>/move", methods=["POST"])
@login_required
def move_item(slug, meeting_id, item_id):
    found = _load_for_change(slug, meeting_id)
    item = meetings.find_item(found, item_id)
    form = forms.MoveForm()
    if not form.validate():
        flash(_("Say whether to move the item up or down."), "error")
        return _page(found, status=422)
    order = [each.id for each in meetings.agenda(found)]
    step = -1 if form.direction.data == "up" else 1
    meetings.move_item(item, _actor(), order.index(item.id) + step)
    return _done(found, _("The agenda order is changed."), anchor=f"item-{item.id}")


@bp.route("/c/<slug>/m/<int:meeting_id>/items/<int:item_id>/time-box", methods=["POST"])
@login_required
def set_time_box(slug, meeting_id, item_id):
    found = _load_for_change(slug, meeting_id)
    item = meetings.find_item(found, item_id)
    form = forms.TimeBoxForm(prefix=f"item{item.id}")
    key = ("time_box", item.id)
    if not form.validate():
        return _refused(slug, meeting_id, key, form)
    try:
        meetings.set_time_box(item, _actor(), form.time_box_minutes.data)
    except Invalid as error:
        return _refused(slug, meeting_id, key, form, error)
    return _done(found, _("The time box is changed."), anchor=f"item-{item.id}")


@bp.route("/c/<slug>/m/<int:meeting_id>/items/<int:item_id>/remove", methods=["POST"])
@login_required
def remove_item(slug, meeting_id, item_id):
    found = _load_for_change(slug, meeting_id)
    item = meetings.find_item(found, item_id)
    meetings.remove_item(item, _actor())
    return _done(found, _("The item is taken off the agenda. The record keeps it."))


# --- roles -----------------------------------------------------------------------------------

@bp.route("/c/<slug>/m/<int:meeting_id>/roles/<role>", methods=["POST"])
@login_required
def assign_role(slug, meeting_id, role):
    found = _load_for_change(slug, meeting_id)
    if role not in set(Role):
        abort(404)
    role = Role(role)
    form = forms.RoleForm(prefix=role.value)
    key = ("role", role.value)
    if not form.validate():
        return _refused(slug, meeting_id, key, form)
    person_id = form.person_id.data
    person = db.session.get(Person, person_id) if person_id is not None else None
    try:
        meetings.assign_role(found, _actor(), role, person, form.language.data or "")
    except Invalid as error:
        return _refused(slug, meeting_id, key, form, error)
    return _done(found, _("%(name)s is %(role)s at this meeting.", name=person.display_name,
                          role=role.label), anchor="roles")


@bp.route("/c/<slug>/m/<int:meeting_id>/roles/held/<int:holder_id>/release", methods=["POST"])
@login_required
def release_role(slug, meeting_id, holder_id):
    found = _load_for_change(slug, meeting_id)
    holder = meetings.find_role_holder(found, holder_id)
    name, role = holder.person.display_name, holder.role_enum.label
    meetings.release_role(holder, _actor())
    return _done(found, _("%(name)s no longer holds the role %(role)s.", name=name, role=role),
                 anchor="roles")


# --- open discussion -------------------------------------------------------------------------

@bp.route("/c/<slug>/m/<int:meeting_id>/open-discussion", methods=["POST"])
@login_required
def open_discussion(slug, meeting_id):
    found = _load_for_change(slug, meeting_id)
    form = forms.OpenDiscussionForm()
    key = ("open_discussion", None)
    if not form.validate():
        return _refused(slug, meeting_id, key, form)
    marked = bool(form.open_discussion.data)
    try:
        # Through the live layer: a live meeting's screens change with it.
        to_room = live.set_open_discussion(
            found, _actor(), marked, " ".join(form.interpretation_languages.data or []))
    except Invalid as error:
        return _refused(slug, meeting_id, key, form, error)
    except Conflict as error:
        # Not possible from the meeting's state (an outcome is recorded): said at the form,
        # which keeps what was chosen. A closed or cancelled meeting shows no form: the
        # error page says why.
        db.session.rollback()
        found = _load(slug, meeting_id)
        if found.status == MeetingStatus.CLOSED or found.cancelled_at is not None:
            raise
        form.open_discussion.errors = [*form.open_discussion.errors, str(error.message)]
        return _page(found, active=(key, form), status=error.status)
    response = _done(found, _("The meeting is an open discussion: nothing is decided at it.")
                     if marked else _("The meeting is no longer an open discussion."),
                     anchor="open-discussion")
    if to_room:
        broadcast(found)
    return response


# --- status ----------------------------------------------------------------------------------

@bp.route("/c/<slug>/m/<int:meeting_id>/start", methods=["POST"])
@login_required
def start(slug, meeting_id):
    found = _load_for_change(slug, meeting_id)
    # Starting also takes up the agenda: postponed proposals return, due reviews open.
    proposals.begin_meeting(found, _actor())
    return _done(found, _("The meeting has started."), anchor="main")


@bp.route("/c/<slug>/m/<int:meeting_id>/close", methods=["POST"])
@login_required
def close(slug, meeting_id):
    found = _load_for_change(slug, meeting_id)
    # Through the live layer: its state winds down and the minutes are written and published.
    live.close_meeting(found, _actor())
    response = _done(found, _("The meeting is closed and its minutes are published."),
                     anchor="minutes")
    broadcast(found)
    return response


@bp.route("/c/<slug>/m/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel(slug, meeting_id):
    found = _load_for_change(slug, meeting_id)
    meetings.cancel_meeting(found, _actor())
    return _done(found, _("The meeting is cancelled. Its points move to the next meeting."),
                 anchor="main")


# --- a body's meetings -----------------------------------------------------------------------

def _visibility_choices(body: Body) -> list[SelectChoice]:
    """A meeting can be as open as its body or more closed; confidential only in a confidential
    body (elsewhere nobody would be named to read it)."""
    floor = Visibility(body.visibility)
    return [SelectChoice(v.value, v.label) for v in Visibility
            if v.rank >= floor.rank and (v != Visibility.CONFIDENTIAL or floor == v)]


@bp.route("/c/<slug>/b/<body_slug>/meetings/new", methods=["GET", "POST"])
@login_required
def new(slug, body_slug):
    collective, body = _body(slug, body_slug)
    require_member(_actor(), collective)
    form = forms.MeetingForm()
    form.visibility.choices = _visibility_choices(body)
    if request.method == "GET":
        form.languages.data = collective.language_list
        form.visibility.data = body.visibility
        form.place.data = body.default_place
        form.duration_minutes.data = body.rhythm_minutes
    elif form.validate_on_submit():
        try:
            created = meetings.create_meeting(
                body, _actor(), local_start=datetime.combine(form.date.data, form.time.data),
                duration_minutes=form.duration_minutes.data, place=form.place.data or "",
                online_link=form.online_link.data or "", title=form.title.data or "",
                languages=" ".join(form.languages.data or []), visibility=form.visibility.data,
                not_before=utcnow(), open_discussion=form.open_discussion.data,
                interpretation_languages=" ".join(form.interpretation_languages.data or []),
            )
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        else:
            db.session.commit()
            flash(_("The meeting is planned."), "ok")
            return redirect(meeting_url(created))
    status = 422 if request.method == "POST" else 200
    return render_template("meetings/new.html", form=form, collective=collective,
                           body=body), status


@bp.route("/c/<slug>/b/<body_slug>/meetings/plan", methods=["POST"])
@login_required
def plan(slug, body_slug):
    collective, body = _body(slug, body_slug)
    weeks = current_app.config["MEETING_PLAN_WEEKS"]
    created = meetings.plan_body_meetings(body, _actor(), weeks=weeks)
    db.session.commit()
    if created:
        flash(ngettext("%(num)d meeting planned from the rhythm.",
                       "%(num)d meetings planned from the rhythm.", len(created)), "ok")
    else:
        flash(_("No new meetings: the coming %(n)d weeks are already planned.", n=weeks), "ok")
    return redirect(url_for("collectives.body", slug=collective.slug, body_slug=body.slug))


@bp.route("/c/<slug>/b/<body_slug>/meetings")
def body_meetings(slug, body_slug):
    """Every meeting of a body this person may see: the coming ones, then the past ones."""
    collective, body = _body(slug, body_slug)
    found = db.session.scalars(
        visible_meetings(current_viewer()).where(Meeting.body_id == body.id)
        .order_by(Meeting.starts_at.desc()).limit(200)
    ).all()
    now = utcnow()
    upcoming = sorted((m for m in found if m.status != MeetingStatus.CLOSED
                       and m.cancelled_at is None and m.ends_at >= now),
                      key=lambda m: m.starts_at)
    past = [m for m in found if m not in upcoming]
    return render_template(
        "meetings/list.html", collective=collective, body=body, upcoming=upcoming, past=past,
        title_of=_meeting_title, status_of=_status_words,
        can_act=current_viewer().is_member_of(collective.id))
