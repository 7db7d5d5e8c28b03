"""Comment forms on the proposal page. Members only for now; a proposal the person may not read
is not found (404), a proposal they may read but not act on is forbidden (403)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assembly.comments import forms
from assembly.comments import service as comments
from assembly.comments.models import Comment
from assembly.core.errors import Invalid
from assembly.core.web import apply_form_error
from assembly.extensions import db
from assembly.proposals.models import Proposal
from assembly.visibility import current_viewer, get_collective, get_proposal

bp = Blueprint("comments", __name__, template_folder="templates")
PREFIX = "/c/<slug>/p/<int:proposal_id>/comments"


def _me():
    return current_user._get_current_object()


def _proposal(slug: str, proposal_id: int) -> Proposal:
    return get_proposal(current_viewer(), get_collective(slug), proposal_id)


def _comment(slug: str, proposal_id: int, comment_id: int) -> Comment:
    return comments.get_comment(current_viewer(), _proposal(slug, proposal_id), comment_id)


def _back(proposal: Proposal, comment: Comment | None = None):
    anchor = f"comment-{comment.id}" if comment is not None else "comments-heading"
    return redirect(url_for("proposals.proposal", slug=proposal.collective.slug,
                            proposal_id=proposal.id, proposal_slug=proposal.slug,
                            _anchor=anchor))


def _retry(proposal: Proposal, form, action: str, heading: str, comment: Comment | None = None):
    """The form again, with what was typed and the reason in words."""
    return render_template("comments/retry.html", proposal=proposal,
                           collective=proposal.collective, form=form, action=action,
                           heading=heading, comment=comment), 422


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 9 else None


def _save(form, proposal: Proposal, action: str, heading: str, write, comment=None):
    """Validate, call the service, commit; an Invalid answer shows the form again."""
    if not form.validate():
        return _retry(proposal, form, action, heading, comment)
    try:
        saved = write()
    except Invalid as error:
        db.session.rollback()
        apply_form_error(form, error)
        return _retry(proposal, form, action, heading, comment)
    db.session.commit()
    return _back(proposal, saved)


@bp.route(PREFIX, methods=["POST"])
@login_required
def add(slug, proposal_id):
    proposal = _proposal(slug, proposal_id)
    form = forms.CommentForm()
    paragraph = _int_or_none(form.paragraph.data)
    if (form.paragraph.data or "").strip() and paragraph is None:
        abort(400)
    revision = _int_or_none(form.revision.data)
    return _save(form, proposal, url_for("comments.add", slug=slug, proposal_id=proposal_id),
                 _("Comment"),
                 lambda: comments.add_comment(proposal, _me(), form.body.data,
                                              revision_number=revision,
                                              paragraph_index=paragraph))


@bp.route(PREFIX + "/<int:comment_id>/reply", methods=["POST"])
@login_required
def reply(slug, proposal_id, comment_id):
    parent = _comment(slug, proposal_id, comment_id)
    form = forms.ReplyForm()
    action = url_for("comments.reply", slug=slug, proposal_id=proposal_id, comment_id=comment_id)
    return _save(form, parent.proposal, action, _("Reply"),
                 lambda: comments.reply(parent, _me(), form.body.data), parent)


@bp.route(PREFIX + "/<int:comment_id>/edit", methods=["POST"])
@login_required
def edit(slug, proposal_id, comment_id):
    comment = _comment(slug, proposal_id, comment_id)
    form = forms.EditForm()
    action = url_for("comments.edit", slug=slug, proposal_id=proposal_id, comment_id=comment_id)
    return _save(form, comment.proposal, action, _("Change your comment"),
                 lambda: comments.edit_own(comment, _me(), form.body.data), comment)


def _step(slug, proposal_id, comment_id, change, message):
    comment = _comment(slug, proposal_id, comment_id)
    change(comment, _me())
    db.session.commit()
    flash(message, "ok")
    return _back(comment.proposal, comment)


@bp.route(PREFIX + "/<int:comment_id>/withdraw", methods=["POST"])
@login_required
def withdraw(slug, proposal_id, comment_id):
    return _step(slug, proposal_id, comment_id, comments.withdraw_own,
                 _("Your comment was withdrawn; the thread says so in its place."))


@bp.route(PREFIX + "/<int:comment_id>/resolve", methods=["POST"])
@login_required
def resolve(slug, proposal_id, comment_id):
    return _step(slug, proposal_id, comment_id, comments.resolve, _("The thread is resolved."))


@bp.route(PREFIX + "/<int:comment_id>/reopen", methods=["POST"])
@login_required
def reopen(slug, proposal_id, comment_id):
    return _step(slug, proposal_id, comment_id, comments.reopen, _("The thread is open again."))


@bp.app_template_global()
def proposal_comments(proposal: Proposal) -> dict:
    """What the thread partial needs, read through the visibility layer."""
    person = current_user if current_user.is_authenticated else None
    return {
        "found": comments.comments_for(current_viewer(), proposal),
        "can_comment": comments.can_comment(person, proposal),
        "me": person.id if person else None,
        "max_body": comments.MAX_BODY,
    }
