"""Proposal pages: reading (anyone who may see it) and the steps of the lifecycle (members)."""

from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assembly.collectives.models import Body, BodyKind
from assembly.core.db import utcnow
from assembly.core.errors import DomainError, Invalid
from assembly.core.web import apply_form_error, local_datetime
from assembly.extensions import db
from assembly.meetings import service as meetings
from assembly.meetings.models import Meeting, MeetingStatus
from assembly.people.models import Person
from assembly.people.service import LANGUAGES, is_member
from assembly.proposals import diff, forms
from assembly.proposals import service as proposals
from assembly.proposals.history import describe_event, history_page
from assembly.proposals.models import Phase, Proposal
from assembly.visibility import (
    current_viewer,
    get_body,
    get_collective,
    get_meeting,
    get_proposal,
    visible_bodies,
)

bp = Blueprint("proposals", __name__, template_folder="templates")
bp.add_app_template_global(describe_event, "describe_event")

# Revisions listed on the proposal page, the newest; every one is on its revisions page.
LATEST_REVISIONS = 10

ACTION_FORMS = {
    "start_drafting": forms.ReasonForm,
    "withdraw": forms.ReasonForm,
    "back_to_drafting": forms.ReasonForm,
    "return_from_delegation": forms.ReasonForm,
    "open_review": forms.ReasonForm,
    "delegate": forms.DelegateForm,
    "put_on_agenda": forms.AgendaForm,
    "agree": forms.AgreeForm,
    "postpone": forms.PostponeForm,
    "confirm": forms.ConfirmForm,
    "amend": forms.EndReviewForm,
    "retire": forms.EndReviewForm,
}


def proposal_url(proposal: Proposal, **kw) -> str:
    return url_for("proposals.proposal", slug=proposal.collective.slug, proposal_id=proposal.id,
                   proposal_slug=proposal.slug, **kw)


def _load(slug: str, proposal_id: int) -> Proposal:
    collective = get_collective(slug)
    return get_proposal(current_viewer(), collective, proposal_id)


def _meeting_label(meeting: Meeting) -> str:
    when = local_datetime(meeting.starts_at, meeting.body.collective.timezone, "short")
    return f"{when} · {meeting.body.name} · {meeting.status_enum.label}"


def _meeting_choices(proposal: Proposal, statuses) -> list[tuple]:
    since = utcnow() - timedelta(days=31)
    found = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.body_id == proposal.body_id, Meeting.status.in_(statuses),
            Meeting.cancelled_at.is_(None), Meeting.starts_at >= since,
        ).order_by(Meeting.starts_at).limit(20)
    )
    return [(m.id, _meeting_label(m)) for m in found]


def _body_choices(proposal: Proposal, *, working_groups_only=False) -> list[tuple]:
    select = visible_bodies(current_viewer()).where(Body.collective_id == proposal.collective_id)
    if working_groups_only:
        select = select.where(Body.kind == BodyKind.WORKING_GROUP)
    return [(b.id, b.name) for b in db.session.scalars(select.order_by(Body.name))]


def _working_group_choices(proposal: Proposal) -> list[tuple]:
    """Lighter-loaded groups first, each with its load in words (care for the carers)."""
    from assembly.care.views import working_group_choices  # care reads proposals: late

    groups = db.session.scalars(
        visible_bodies(current_viewer()).where(Body.collective_id == proposal.collective_id,
                                               Body.kind == BodyKind.WORKING_GROUP))
    return [(b.id, f"{b.name} ({words})") for b, words in working_group_choices(list(groups))]


def _build_form(name: str, proposal: Proposal, formdata=None):
    form = ACTION_FORMS[name](formdata=formdata, prefix=name, meta={"csrf": False})
    # Outcomes are decided at a live (or just closed) meeting; other steps may be taken anywhere.
    decided_at = [MeetingStatus.LIVE, MeetingStatus.CLOSED]
    none = [(None, _("Not at a meeting"))]
    if name == "agree":
        form.meeting_id.choices = _meeting_choices(proposal, decided_at)
        form.implementer_body_id.choices = none + _body_choices(proposal)
        form.present.choices = [
            (p.id, p.display_name)
            for p in db.session.scalars(meetings.eligible_people(proposal.body)
                                        .order_by(Person.display_name))]
        if formdata is None:
            form.review_date.data = utcnow().date() + timedelta(days=180)
            form.agreed_revision.data = proposal.revision_number
    elif name == "put_on_agenda":
        form.meeting_id.choices = _meeting_choices(
            proposal, [MeetingStatus.SCHEDULED, MeetingStatus.LIVE])
    else:
        form.meeting_id.choices = none + _meeting_choices(proposal, [MeetingStatus.LIVE])
    if name == "delegate":
        form.working_group_id.choices = _working_group_choices(proposal)
        form.return_body_id.choices = _body_choices(proposal)
        if formdata is None:
            form.return_body_id.data = proposal.body_id
            form.return_date.data = utcnow().date() + timedelta(days=28)
    if name == "confirm" and formdata is None:
        form.next_review_date.data = utcnow().date() + timedelta(days=365)
    return form


def _chosen_meeting(proposal: Proposal, meeting_id) -> Meeting | None:
    if meeting_id is None:
        return None
    return get_meeting(current_viewer(), proposal.collective, meeting_id)


def _chosen_body(proposal: Proposal, body_id, field: str) -> Body | None:
    if body_id is None:
        return None
    body = db.session.scalars(
        visible_bodies(current_viewer()).where(Body.id == body_id,
                                               Body.collective_id == proposal.collective_id)
    ).first()
    if body is None:
        raise Invalid(_("Choose a body of this collective."), field=field)
    return body


def _apply(name: str, proposal: Proposal, form) -> str:
    """Call the service for one step; returns the message to show."""
    actor = current_user._get_current_object()
    meeting = _chosen_meeting(proposal, form.meeting_id.data)
    reason = form.reason.data or ""
    if name == "start_drafting":
        proposals.start_drafting(proposal, actor, reason)
    elif name == "withdraw":
        proposals.withdraw(proposal, actor, reason, meeting)
    elif name == "back_to_drafting":
        proposals.back_to_drafting(proposal, actor, reason, meeting)
    elif name == "return_from_delegation":
        proposals.return_from_delegation(proposal, actor, reason)
    elif name == "open_review":
        proposals.open_review(proposal, actor, reason, meeting)
    elif name == "delegate":
        proposals.delegate(
            proposal, actor, reason=reason, meeting=meeting, mandate=form.mandate.data,
            working_group=_chosen_body(proposal, form.working_group_id.data, "working_group_id"),
            return_body=_chosen_body(proposal, form.return_body_id.data, "return_body_id"),
            return_date=form.return_date.data)
    elif name == "put_on_agenda":
        if meeting is None:
            raise Invalid(_("Choose a meeting."), field="meeting_id")
        proposals.put_on_agenda(proposal, actor, meeting, reason=reason,
                                time_box_minutes=form.time_box_minutes.data)
    elif name == "agree":
        _agree(proposal, actor, meeting, form)
    elif name == "postpone":
        blocks = [{"name": b.data["name"], "reason": b.data["reason"]}
                  for b in form.blocks if b.data["name"] or b.data["reason"]]
        proposals.postpone(proposal, actor, reason, meeting=meeting, blocks=blocks)
    elif name == "confirm":
        proposals.confirm_agreement(proposal, actor, next_review_date=form.next_review_date.data,
                                    reason=reason, process_note=form.process_note.data or "",
                                    meeting=meeting)
    elif name == "amend":
        proposals.amend_agreement(proposal, actor, reason=reason, meeting=meeting,
                                  process_note=form.process_note.data or "")
    elif name == "retire":
        proposals.retire_agreement(proposal, actor, reason=reason, meeting=meeting,
                                   process_note=form.process_note.data or "")
    return _("Recorded: %(phase)s.", phase=Phase(proposal.phase).label)


def _agree(proposal: Proposal, actor, meeting, form) -> None:
    present_ids = set(form.present.data or [])
    present = list(db.session.scalars(
        meetings.eligible_people(proposal.body).where(Person.id.in_(present_ids)))
    ) if present_ids else []
    positions = [
        {"kind": p.data["kind"], "name": p.data["name"], "reason": p.data["reason"]}
        for p in form.positions if p.data["kind"]
    ]
    revision = form.agreed_revision.data
    proposals.record_agreement(
        proposal, actor, meeting=meeting, review_date=form.review_date.data,
        implementers=form.implementers.data or "",
        implementer_body=_chosen_body(proposal, form.implementer_body_id.data,
                                      "implementer_body_id"),
        deadline=form.deadline.data, positions=positions, present=present,
        guests_present=form.guests_present.data or 0,
        agreed_revision=int(revision) if str(revision or "").isdigit() else None,
        reason=form.reason.data or "",
    )


def _history_before() -> int | None:
    """The ?before= of an earlier page of the history: a step number. Anything else is no such
    page (404); a number past the newest step is the first page."""
    value = request.args.get("before", "")
    if value == "":
        return None
    if not (value.isascii() and value.isdigit()) or int(value) < 2:
        abort(404)
    return int(value) if len(value) < 10 else None


def _page(proposal: Proposal, *, active: str | None = None, active_form=None, status=200,
          return_form=None, saved_draft: bool = False, before: int | None = None):
    if before is not None and before > proposal.event_count:
        before = None
    person = current_user if current_user.is_authenticated else None
    can_act = is_member(person, proposal.collective)
    if can_act and proposal.phase == Phase.DELEGATED and return_form is None:
        return_form = forms.ReturnForm(formdata=None)
    action_forms = {}
    if can_act:
        for action in proposals.available_actions(proposal):
            action_forms[action.name] = (
                active_form if action.name == active else _build_form(action.name, proposal))
    return render_template(
        "proposals/proposal.html", proposal=proposal, collective=proposal.collective,
        phase=Phase(proposal.phase), actions=proposals.available_actions(proposal),
        action_forms=action_forms, active=active, can_act=can_act, return_form=return_form,
        # Members of a body bringing it jointly edit the text too (they do not decide).
        can_take_part=proposals.may_take_part(person, proposal),
        saved_draft=saved_draft, history=history_page(proposal, before),
        revisions=proposals.revisions_of(proposal, latest=LATEST_REVISIONS),
        editable=Phase(proposal.phase) in proposals.EDITABLE_PHASES,
        # Only bodies this reader may know of: a confidential group is never named to others.
        bodies={b.id: b for b in db.session.scalars(visible_bodies(current_viewer()).where(
            Body.collective_id == proposal.collective_id))},
    ), status


@bp.route("/c/<slug>/p/<int:proposal_id>")
@bp.route("/c/<slug>/p/<int:proposal_id>-<proposal_slug>")
def proposal(slug, proposal_id, proposal_slug=None):
    found = _load(slug, proposal_id)
    before = _history_before()
    if proposal_slug != found.slug:
        return redirect(proposal_url(found, before=before), code=301)
    # Set by a successful save: the page tells the autosave script to forget the draft.
    saved_draft = session.pop("saved_draft", None) == found.id
    return _page(found, saved_draft=saved_draft, before=before)


@bp.route("/c/<slug>/p/<int:proposal_id>/steps/<action>", methods=["POST"])
@login_required
def act(slug, proposal_id, action):
    found = _load(slug, proposal_id)
    if action not in ACTION_FORMS:
        abort(404)
    form = _build_form(action, found, formdata=request.form)
    if not form.validate():
        return _page(found, active=action, active_form=form, status=422)
    try:
        message = _apply(action, found, form)
    except Invalid as error:
        db.session.rollback()
        apply_form_error(form, error)
        return _page(_load(slug, proposal_id), active=action, active_form=form, status=422)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _page(_load(slug, proposal_id), active=action, active_form=form,
                     status=error.status)
    db.session.commit()
    flash(message, "ok")
    return redirect(proposal_url(found))


def _proposal_form(collective) -> forms.ProposalForm:
    """The collective's languages offered first; at first the reader's own if it is one of
    them, else the collective's first."""
    form = forms.ProposalForm()
    own = [code for code in collective.language_list if code in LANGUAGES]
    codes = own + [code for code in LANGUAGES if code not in own]
    form.language.choices = [(code, LANGUAGES[code]) for code in codes]
    if request.method == "GET":
        reading = str(get_locale() or "")
        form.language.data = reading if reading in own else (own or ["en"])[0]
    return form


@bp.route("/c/<slug>/b/<body_slug>/proposals/new", methods=["GET", "POST"])
@login_required
def new(slug, body_slug):
    collective = get_collective(slug)
    body = get_body(current_viewer(), collective, body_slug)
    form = _proposal_form(collective)
    if form.validate_on_submit():
        try:
            created = proposals.create_proposal(
                body, current_user._get_current_object(), form.title.data, form.text.data or "",
                visibility=form.visibility.data, language=form.language.data or None)
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        else:
            db.session.commit()
            flash(_("The proposal is recorded as identified."), "ok")
            return redirect(proposal_url(created))
    elif request.method == "GET" and not is_member(current_user, collective):
        flash(_("Only members of %(name)s can bring a proposal.", name=collective.name), "error")
    status = 422 if request.method == "POST" else 200
    return render_template("proposals/new.html", form=form, collective=collective,
                           body=body), status


@bp.route("/c/<slug>/p/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug, proposal_id):
    found = _load(slug, proposal_id)
    form = forms.EditForm()
    current = found.current_revision
    conflict = merge = None
    if request.method == "GET":
        form.text.data = current.text if current else ""
        form.base_revision.data = found.revision_number
    elif form.validate_on_submit():
        base = _number(form.base_revision.data)
        try:
            proposals.revise(found, current_user._get_current_object(), form.text.data,
                             summary=form.summary.data or "", base_revision=base)
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        except DomainError as error:
            db.session.rollback()
            found = _load(slug, proposal_id)
            conflict = error
            if "current_revision" in error.details:
                merge = _merge(found, base, form.text.data)
            # Keep what was typed; the next save is based on the newer revision.
            form.base_revision.data = found.revision_number
        else:
            db.session.commit()
            session["saved_draft"] = found.id
            flash(_("Saved as revision %(n)d.", n=found.revision_number), "ok")
            return redirect(proposal_url(found))
    status = conflict.status if conflict else (422 if request.method == "POST" else 200)
    return render_template("proposals/edit.html", form=form, proposal=found,
                           collective=found.collective, conflict=conflict, merge=merge,
                           current=found.current_revision, max_text=proposals.MAX_TEXT,
                           draft_strings=_draft_strings()), status


def _number(value) -> int:
    return int(value) if str(value or "").isdigit() else -1


def _merge(proposal: Proposal, base: int, typed: str) -> dict:
    """What the other person changed since the typist started, and what the typist changes on
    top of the current version: the two sides of a conflict, side by side."""
    started = next((r for r in proposal.revisions if r.number == base), None)
    current = proposal.current_revision
    current_text = current.text if current else ""
    theirs = diff.word_diff(started.text if started else "", current_text)
    mine = diff.word_diff(current_text, typed or "")
    return {"started": started, "theirs": diff.render(theirs), "mine": diff.render(mine),
            "theirs_counts": diff.counts(theirs), "mine_counts": diff.counts(mine)}


def _draft_strings() -> dict:
    """The autosave script's words, rendered here so they are translated (no English in JS)."""
    return {
        "restored": _("A draft you had not saved was restored from this browser. Check it "
                      "before saving."),
        "discard": _("Discard the saved draft"),
        "discarded": _("The saved draft was discarded; the text is as it was when the page "
                       "opened."),
    }


@bp.route("/c/<slug>/p/<int:proposal_id>/revisions/<int:number>")
def revision(slug, proposal_id, number):
    found = _load(slug, proposal_id)
    shown = proposals.get_revision(found, number)
    return render_template("proposals/revision.html", proposal=found, revision=shown,
                           collective=found.collective, restore_form=forms.RestoreForm(),
                           can_take_part=proposals.may_take_part(
                               current_user if current_user.is_authenticated else None, found),
                           editable=Phase(found.phase) in proposals.EDITABLE_PHASES)


@bp.route("/c/<slug>/p/<int:proposal_id>/revisions")
def revisions(slug, proposal_id):
    """Every revision of a proposal, the newest first: where the proposal page's list goes on."""
    found = _load(slug, proposal_id)
    return render_template("proposals/revisions.html", proposal=found,
                           collective=found.collective, revisions=proposals.revisions_of(found))


def _revision_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if value == "":
        return default
    if not value.isdigit():
        abort(404)
    return int(value)


@bp.route("/c/<slug>/p/<int:proposal_id>/compare")
def compare(slug, proposal_id):
    """Any two revisions side by side as one word-level diff of their Markdown source."""
    found = _load(slug, proposal_id)
    if found.revision_number == 0:
        abort(404)
    to = _revision_arg("to", found.revision_number)
    since = _revision_arg("from", max(to - 1, 1))
    old, new = proposals.get_revision(found, since), proposals.get_revision(found, to)
    pieces = diff.word_diff(old.text, new.text)
    return render_template("proposals/compare.html", proposal=found, collective=found.collective,
                           old=old, new=new, diff=diff.render(pieces), counts=diff.counts(pieces),
                           same=old.text == new.text)


@bp.route("/c/<slug>/p/<int:proposal_id>/revisions/<int:number>/restore", methods=["POST"])
@login_required
def restore(slug, proposal_id, number):
    found = _load(slug, proposal_id)
    form = forms.RestoreForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        restored = proposals.restore_revision(found, current_user._get_current_object(), number,
                                              base_revision=_number(form.base_revision.data))
    except DomainError as error:
        db.session.rollback()
        message = str(error.message)
        if "current_revision" in error.details:
            message = _("Someone saved a newer revision in the meantime, so nothing was "
                        "restored. Compare it with revision %(n)d and restore again if still "
                        "needed.", n=number)
        flash(message, "error")
        found = _load(slug, proposal_id)
        return render_template(
            "proposals/revision.html", proposal=found, collective=found.collective,
            revision=proposals.get_revision(found, number), restore_form=forms.RestoreForm(),
            can_take_part=True, editable=Phase(found.phase) in proposals.EDITABLE_PHASES,
        ), error.status
    db.session.commit()
    flash(_("Revision %(old)d restored as revision %(n)d.", old=number, n=restored.number), "ok")
    return redirect(proposal_url(found))


@bp.route("/c/<slug>/p/<int:proposal_id>/return-to-agenda", methods=["POST"])
@login_required
def return_to_agenda(slug, proposal_id):
    """The working group returns its work onto the next agenda of the deciding body."""
    found = _load(slug, proposal_id)
    form = forms.ReturnForm()
    if not form.validate_on_submit():
        return _page(found, return_form=form, status=422)
    try:
        item = proposals.return_onto_next_agenda(found, current_user._get_current_object(),
                                                 form.reason.data)
    except Invalid as error:
        db.session.rollback()
        apply_form_error(form, error)
        return _page(_load(slug, proposal_id), return_form=form, status=422)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _page(_load(slug, proposal_id), return_form=form, status=error.status)
    db.session.commit()
    flash(_("Returned onto the agenda of the meeting of %(when)s.",
            when=local_datetime(item.meeting.starts_at, found.collective.timezone, "short")),
          "ok")
    return redirect(proposal_url(found))
