"""Pages of convergence: the bodies bringing a proposal, and a member collective's view of its
networks' agreements with how it takes each up. Reads go through ``assembly.visibility``; the
rules are in ``networks.service``. A thing the person may not read is not found (404); one they
may read but not change is forbidden (403); a rejected form comes back with what was typed."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assembly.collectives.models import Body
from assembly.core.errors import Invalid
from assembly.core.web import apply_form_error, local_datetime
from assembly.extensions import db
from assembly.meetings.models import Meeting
from assembly.networks import service
from assembly.networks.forms import AdoptionForm, CoBringerForm, WithdrawForm
from assembly.networks.models import AdoptionState
from assembly.people.models import Person
from assembly.people.service import is_member
from assembly.proposals.models import Proposal
from assembly.visibility import (
    current_viewer,
    get_collective,
    get_proposal,
    visible_bodies,
    visible_meetings,
    visible_proposals,
)

bp = Blueprint("networks", __name__, template_folder="templates")
CHOICE_LIMIT = 100


def _person() -> Person | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _proposal_url(proposal: Proposal, **kw) -> str:
    return url_for("proposals.proposal", slug=proposal.collective.slug, proposal_id=proposal.id,
                   proposal_slug=proposal.slug, **kw)


# --- what the proposal and comment templates ask for ------------------------------------------

@bp.app_template_global()
def co_bringing(proposal: Proposal) -> dict:
    """The co-bringing bodies this reader may see, and the bodies they may add."""
    person = _person()
    candidates = service.candidate_bodies(person, proposal)
    form = None
    if candidates:
        form = CoBringerForm(formdata=None)
        form.body_id.choices = _body_choices(candidates)
    return {"active": service.co_bringers(current_viewer(), proposal), "form": form,
            "may_withdraw": _withdrawable(person, proposal),
            "adoptions": service.adoptions_by_member(current_viewer(), proposal)}


@bp.app_template_global()
def comment_origins(proposal: Proposal) -> dict[int, list[str]]:
    """Once per request and proposal (the comment partials both ask)."""
    kept = g.setdefault("comment_origins", {})
    if proposal.id not in kept:
        kept[proposal.id] = service.comment_origins(proposal)
    return kept[proposal.id]


def _withdrawable(person: Person | None, proposal: Proposal) -> set[int]:
    """Ids of co-bringing rows this person may withdraw (members of the body's collective)."""
    if person is None:
        return set()
    ids = current_viewer().collective_ids
    return {c.id for c in service.co_bringers(current_viewer(), proposal)
            if c.body.collective_id in ids}


def _body_choices(bodies) -> list[tuple]:
    return [("", _("Choose a body…"))] + [
        (b.id, f"{b.name} · {b.collective.name}") for b in bodies]


# --- co-bringing ------------------------------------------------------------------------------

def _load(slug: str, proposal_id: int) -> Proposal:
    return get_proposal(current_viewer(), get_collective(slug), proposal_id)


def _chosen_body(body_id):
    body = db.session.scalars(visible_bodies(current_viewer()).where(Body.id == body_id)).first()
    if body is None:
        raise Invalid(_("Choose a body from the list."), field="body_id")
    return body


@bp.route("/c/<slug>/p/<int:proposal_id>/co-bringers", methods=["GET", "POST"])
@login_required
def add_co_bringer(slug, proposal_id):
    proposal = _load(slug, proposal_id)
    person = _person()
    candidates = service.candidate_bodies(person, proposal)
    service.require_may_co_bring(person, proposal)
    form = CoBringerForm()
    form.body_id.choices = _body_choices(candidates)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                service.add_co_bringer(proposal, _chosen_body(form.body_id.data), person,
                                       form.reason.data or "")
            except Invalid as error:
                db.session.rollback()
                apply_form_error(form, error)
            else:
                db.session.commit()
                flash(_("The proposal is now brought jointly."), "ok")
                return redirect(_proposal_url(proposal, _anchor="co-bringers-heading"))
    return render_template("networks/co_bringer.html", proposal=proposal,
                           collective=proposal.collective, form=form,
                           candidates=candidates), status


@bp.route("/c/<slug>/p/<int:proposal_id>/co-bringers/<int:co_bringer_id>/withdraw",
          methods=["POST"])
@login_required
def withdraw_co_bringer(slug, proposal_id, co_bringer_id):
    proposal = _load(slug, proposal_id)
    found = service.get_co_bringer(proposal, co_bringer_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return render_template("networks/withdraw.html", proposal=proposal,
                               collective=proposal.collective, form=form,
                               co_bringer=found), 422
    service.withdraw_co_bringer(found, _person(), form.reason.data or "")
    db.session.commit()
    flash(_("%(body)s no longer brings this proposal.", body=found.body.name), "ok")
    return redirect(_proposal_url(proposal, _anchor="co-bringers-heading"))


# --- network agreements in a member collective ------------------------------------------------

@bp.route("/c/<slug>/network-agreements")
def agreements(slug):
    collective = get_collective(slug)
    viewer = current_viewer()
    return render_template("networks/agreements.html", collective=collective,
                           found=service.network_agreements(viewer, collective),
                           is_member=viewer.is_member_of(collective.id), states=AdoptionState)


def _adoption_form(collective, formdata=None) -> AdoptionForm:
    form = AdoptionForm(formdata=formdata)
    viewer = current_viewer()
    meetings = db.session.scalars(
        visible_meetings(viewer).where(Meeting.collective_id == collective.id)
        .order_by(Meeting.starts_at.desc()).limit(CHOICE_LIMIT))
    form.meeting_id.choices = [("", _("Not at a meeting"))] + [
        (m.id, f"{local_datetime(m.starts_at, collective.timezone, 'short')} · {m.body.name}")
        for m in meetings]
    local = db.session.scalars(
        visible_proposals(viewer).where(Proposal.collective_id == collective.id)
        .order_by(Proposal.updated_at.desc()).limit(CHOICE_LIMIT))
    form.local_proposal_id.choices = [("", _("None"))] + [(p.id, p.title) for p in local]
    return form


def _chosen(model, select, value):
    return db.session.scalars(select.where(model.id == value)).first() if value else None


@bp.route("/c/<slug>/network-agreements/<int:agreement_id>", methods=["GET", "POST"])
def agreement(slug, agreement_id):
    collective = get_collective(slug)
    viewer = current_viewer()
    found = service.get_network_agreement(viewer, collective, agreement_id)
    member = is_member(_person(), collective)
    form, status = None, 200
    if request.method == "POST":
        service.require_can_record(_person(), collective)
        form, status = _adoption_form(collective, request.form), 422
        if form.validate_on_submit():
            try:
                service.record_adoption(
                    collective, agreement_id, _person(), form.state.data,
                    note=form.note.data or "",
                    meeting=_chosen(Meeting, visible_meetings(viewer), form.meeting_id.data),
                    local_proposal=_chosen(Proposal, visible_proposals(viewer),
                                           form.local_proposal_id.data))
            except Invalid as error:
                db.session.rollback()
                apply_form_error(form, error)
            else:
                db.session.commit()
                flash(_("Recorded how %(name)s takes it up.", name=collective.name), "ok")
                return redirect(url_for("networks.agreement", slug=collective.slug,
                                        agreement_id=agreement_id))
    elif member:
        form = _adoption_form(collective)
        if found.adoption is not None:
            form.state.data = found.adoption.state
    return render_template(
        "networks/agreement.html", collective=collective, found=found, form=form,
        history=service.adoption_history(collective, found.agreement),
        original=_proposal_url(found.proposal, _anchor=f"agreement-{found.agreement.id}"),
    ), status
