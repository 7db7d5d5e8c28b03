"""Recording the implementation of an agreement, and the pieces other pages include: the
implementation panel of an agreement and a body's overdue implementations."""

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assembly.core.errors import DomainError, Invalid
from assembly.core.web import apply_form_error
from assembly.extensions import db
from assembly.implementation import service as implementation
from assembly.implementation.forms import UpdateForm
from assembly.implementation.models import UpdateKind
from assembly.proposals.models import Agreement, Proposal
from assembly.proposals.views import proposal_url
from assembly.visibility import current_viewer, get_collective, get_proposal

bp = Blueprint("implementation", __name__, template_folder="templates")


def _person():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _choices(progress: implementation.Progress, may_complete: bool) -> list[tuple]:
    if progress.completed is not None:
        kinds = [UpdateKind.REOPENED] if may_complete else []
    else:
        kinds = [UpdateKind.PROGRESS] + ([UpdateKind.COMPLETED] if may_complete else [])
    return [(kind.value, kind.label) for kind in kinds]


def panel(agreement: Agreement, form: UpdateForm | None = None) -> dict:
    """What the agreement section shows: the progress and its history, and a form for those
    who may record something."""
    progress = implementation.progress_of(agreement)
    # The page is shown only to readers of the proposal, so the request's viewer answers the
    # service's questions without more queries; the service checks again on recording.
    viewer = current_viewer()
    may_record = agreement.in_force and viewer.is_member_of(agreement.proposal.collective_id)
    may_complete = may_record and (agreement.implementer_body_id is None
                                   or agreement.implementer_body_id in viewer.participant_body_ids)
    choices = _choices(progress, may_complete) if may_record else []
    if choices and form is None:
        form = UpdateForm(formdata=None)
    if form is not None:
        form.kind.choices = choices or form.kind.choices
        if form.kind.data not in {value for value, _label in form.kind.choices}:
            form.kind.data = form.kind.choices[0][0]
    return {"progress": progress, "form": form if choices else None,
            "implementers_named": agreement.implementer_body_id is not None}


bp.add_app_template_global(implementation.describe_update, "describe_update")


@bp.app_template_global()
def implementation_panel(agreement: Agreement) -> dict:
    return panel(agreement)


@bp.app_template_global()
def overdue_implementation(body) -> list:
    """A body's overdue implementations, among the proposals the reader may read."""
    return implementation.overdue_for_body(current_viewer(), body)


def _load(slug: str, proposal_id: int) -> Proposal:
    return get_proposal(current_viewer(), get_collective(slug), proposal_id)


def _render(proposal: Proposal, form: UpdateForm | None = None, status: int = 200):
    agreement = proposal.agreement
    return render_template(
        "implementation/record.html", proposal=proposal, collective=proposal.collective,
        agreement=agreement, panel=panel(agreement, form) if agreement else None,
    ), status


@bp.route("/c/<slug>/p/<int:proposal_id>/implementation", methods=["GET", "POST"])
@login_required
def record(slug, proposal_id):
    found = _load(slug, proposal_id)
    if request.method == "GET":
        return _render(found)
    form = UpdateForm()
    form.kind.choices = [(kind.value, kind.label) for kind in UpdateKind]
    if not form.validate():
        return _render(found, form, 422)
    try:
        implementation.record(found, _person(), form.kind.data, form.note.data or "",
                              form.percent.data)
    except Invalid as error:
        db.session.rollback()
        apply_form_error(form, error)
        return _render(_load(slug, proposal_id), form, 422)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _render(_load(slug, proposal_id), form, error.status)
    anchor = f"implementation-{found.agreement.id}"
    db.session.commit()
    flash(_("The implementation update is recorded."), "ok")
    return redirect(proposal_url(found, _anchor=anchor))
