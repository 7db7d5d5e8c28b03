"""Comment forms on the proposal page. Members comment with their account; incomers comment on
public proposals of public bodies with only a chosen name, their guest identity kept in a signed
cookie. A proposal the person may not read is not found (404), one they may read but not act on
is forbidden (403)."""

import hashlib
import hmac
import secrets

from flask import (
    Blueprint,
    abort,
    after_this_request,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, user_logged_in
from itsdangerous import BadSignature, URLSafeSerializer

from assembly.comments import forms
from assembly.comments import service as comments
from assembly.comments.models import Comment
from assembly.core.errors import Forbidden, Invalid
from assembly.core.web import apply_form_error
from assembly.extensions import db
from assembly.proposals.models import Proposal
from assembly.visibility import current_viewer, get_collective, get_proposal

bp = Blueprint("comments", __name__, template_folder="templates")
PREFIX = "/c/<slug>/p/<int:proposal_id>/comments"
GUEST_COOKIE = "assembly_guest"
GUEST_COOKIE_AGE = 365 * 24 * 3600


# --- the guest identity ----------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="assembly.comments.guest")


def _guest_cookie() -> dict | None:
    """The guest's id and last chosen name, if this browser holds a cookie we signed."""
    raw = request.cookies.get(GUEST_COOKIE)
    if not raw:
        return None
    try:
        found = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("id"), str):
        return None
    return found


def _client_hash() -> str:
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) \
        else current_app.secret_key
    address = (request.remote_addr or "").encode()
    return hmac.new(key, address, hashlib.sha256).hexdigest()


def current_guest() -> comments.Guest | None:
    found = _guest_cookie()
    return comments.Guest(found["id"], _client_hash()) if found else None


def _guest_or_new() -> comments.Guest:
    return current_guest() or comments.Guest(secrets.token_urlsafe(24), _client_hash())


def _keep_guest(response, guest: comments.Guest, name: str):
    response.set_cookie(GUEST_COOKIE, _serializer().dumps({"id": guest.id, "name": name}),
                        max_age=GUEST_COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response


@user_logged_in.connect
def _claim_on_sign_in(sender, user, **extra):
    """The browser that commented as a guest signs in or creates an account (join): the
    account takes over those comments, and the guest cookie is done with."""
    found = _guest_cookie()
    if found is None:
        return
    claimed = comments.claim_guest_comments(found["id"], user)
    db.session.commit()
    if claimed:
        flash(_("Your earlier comments as a guest are now under your name."), "ok")

    @after_this_request
    def _forget(response):
        response.delete_cookie(GUEST_COOKIE)
        return response


# --- helpers ---------------------------------------------------------------------------------

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


def _retry(proposal: Proposal, form, action: str, heading: str, comment: Comment | None = None,
           status: int = 422):
    """The form again, with what was typed and the reason in words, under the comment it
    answers or changes (also the reply form's own page, the first time)."""
    return render_template("comments/retry.html", proposal=proposal,
                           collective=proposal.collective, form=form, action=action,
                           heading=heading, comment=comment,
                           honeypot=forms.HONEYPOT), status


def _reply_page(parent: Comment, action: str):
    """The reply form on a page of its own: each comment links to it, so that a page of many
    comments carries no form for each (lighter on a weak connection, and quicker to make)."""
    person = _me() if current_user.is_authenticated else None
    if not comments.may_reply(person, parent):
        raise Forbidden(_l("You cannot reply to this comment."))
    if person is not None:
        form = forms.ReplyForm(formdata=None)
    else:
        form = forms.GuestReplyForm(formdata=None, name=(_guest_cookie() or {}).get("name", ""))
    return _retry(parent.proposal, form, action, _("Reply"), parent, status=200)


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 9 else None


def _save(form, proposal: Proposal, action: str, heading: str, write, comment=None):
    """Validate, call the service, commit; an Invalid answer shows the form again, and so does
    a rate limit (429), with the text kept."""
    if not form.validate():
        return _retry(proposal, form, action, heading, comment)
    try:
        saved = write()
    except (Invalid, comments.TooMany) as error:
        db.session.rollback()
        field = getattr(error, "field", None) or "body"
        apply_form_error(form, Invalid(error.message, field=field))
        return _retry(proposal, form, action, heading, comment, status=error.status)
    db.session.commit()
    return _back(proposal, saved)


def _as_guest(form, proposal, action, heading, write, comment=None):
    """An incomer's form: the honeypot first (filled: refused quietly), then as for members;
    the guest cookie is (re)set with the name they chose."""
    if (request.form.get(forms.HONEYPOT) or "").strip():
        abort(400)
    guest = _guest_or_new()
    response = _save(form, proposal, action, heading, lambda: write(guest), comment)
    if getattr(response, "status_code", None) == 302:
        name = form.name.data if hasattr(form, "name") else (_guest_cookie() or {}).get("name")
        _keep_guest(response, guest, name or "")
    return response


def _anchor_fields(form) -> tuple[int | None, int | None]:
    paragraph = _int_or_none(form.paragraph.data)
    if (form.paragraph.data or "").strip() and paragraph is None:
        abort(400)
    return _int_or_none(form.revision.data), paragraph


# --- writing ---------------------------------------------------------------------------------

@bp.route(PREFIX, methods=["POST"])
def add(slug, proposal_id):
    proposal = _proposal(slug, proposal_id)
    action = url_for("comments.add", slug=slug, proposal_id=proposal_id)
    if current_user.is_authenticated:
        form = forms.CommentForm()
        revision, paragraph = _anchor_fields(form)
        return _save(form, proposal, action, _("Comment"),
                     lambda: comments.add_comment(proposal, _me(), form.body.data,
                                                  revision_number=revision,
                                                  paragraph_index=paragraph))
    form = forms.GuestCommentForm()
    revision, paragraph = _anchor_fields(form)
    return _as_guest(form, proposal, action, _("Comment"),
                     lambda guest: comments.add_guest_comment(
                         proposal, guest, form.name.data, form.body.data,
                         revision_number=revision, paragraph_index=paragraph))


@bp.route(PREFIX + "/<int:comment_id>/reply", methods=["GET", "POST"])
def reply(slug, proposal_id, comment_id):
    parent = _comment(slug, proposal_id, comment_id)
    action = url_for("comments.reply", slug=slug, proposal_id=proposal_id, comment_id=comment_id)
    if request.method == "GET":
        return _reply_page(parent, action)
    if current_user.is_authenticated:
        form = forms.ReplyForm()
        return _save(form, parent.proposal, action, _("Reply"),
                     lambda: comments.reply(parent, _me(), form.body.data), parent)
    form = forms.GuestReplyForm()
    return _as_guest(form, parent.proposal, action, _("Reply"),
                     lambda guest: comments.guest_reply(parent, guest, form.name.data,
                                                        form.body.data), parent)


@bp.route(PREFIX + "/<int:comment_id>/edit", methods=["POST"])
def edit(slug, proposal_id, comment_id):
    comment = _comment(slug, proposal_id, comment_id)
    action = url_for("comments.edit", slug=slug, proposal_id=proposal_id, comment_id=comment_id)
    heading = _("Change your comment")
    if current_user.is_authenticated:
        form = forms.EditForm()
        return _save(form, comment.proposal, action, heading,
                     lambda: comments.edit_own(comment, _me(), form.body.data), comment)
    form = forms.GuestEditForm()
    return _save(form, comment.proposal, action, heading,
                 lambda: comments.guest_edit(comment, current_guest(), form.body.data), comment)


def _step(slug, proposal_id, comment_id, change, message):
    comment = _comment(slug, proposal_id, comment_id)
    change(comment)
    db.session.commit()
    flash(message, "ok")
    return _back(comment.proposal, comment)


@bp.route(PREFIX + "/<int:comment_id>/withdraw", methods=["POST"])
def withdraw(slug, proposal_id, comment_id):
    def change(comment):
        if current_user.is_authenticated:
            return comments.withdraw_own(comment, _me())
        return comments.guest_withdraw(comment, current_guest())
    return _step(slug, proposal_id, comment_id, change,
                 _("Your comment was withdrawn; the thread says so in its place."))


@bp.route(PREFIX + "/<int:comment_id>/resolve", methods=["POST"])
@login_required
def resolve(slug, proposal_id, comment_id):
    return _step(slug, proposal_id, comment_id, lambda c: comments.resolve(c, _me()),
                 _("The thread is resolved."))


@bp.route(PREFIX + "/<int:comment_id>/reopen", methods=["POST"])
@login_required
def reopen(slug, proposal_id, comment_id):
    return _step(slug, proposal_id, comment_id, lambda c: comments.reopen(c, _me()),
                 _("The thread is open again."))


# --- moderation ------------------------------------------------------------------------------

@bp.route(PREFIX + "/<int:comment_id>/approve", methods=["POST"])
@login_required
def approve(slug, proposal_id, comment_id):
    return _step(slug, proposal_id, comment_id, lambda c: comments.approve(c, _me()),
                 _("The comment is approved and shown to everyone."))


@bp.route(PREFIX + "/<int:comment_id>/hide", methods=["POST"])
@login_required
def hide(slug, proposal_id, comment_id):
    comment = _comment(slug, proposal_id, comment_id)
    form = forms.HideForm()
    action = url_for("comments.hide", slug=slug, proposal_id=proposal_id, comment_id=comment_id)
    return _save(form, comment.proposal, action, _("Hide a comment"),
                 lambda: comments.hide(comment, _me(), form.reason.data), comment)


@bp.route(PREFIX + "/<int:comment_id>/unhide", methods=["POST"])
@login_required
def unhide(slug, proposal_id, comment_id):
    comment = _comment(slug, proposal_id, comment_id)
    form = forms.UnhideForm()
    action = url_for("comments.unhide", slug=slug, proposal_id=proposal_id, comment_id=comment_id)
    return _save(form, comment.proposal, action, _("Show a comment again"),
                 lambda: comments.unhide(comment, _me(), form.reason.data), comment)


@bp.route("/c/<slug>/incomer-comments", methods=["POST"])
@login_required
def incomer_setting(slug):
    collective = get_collective(slug)
    form = forms.IncomerSettingForm()
    if not form.validate():
        abort(400)
    comments.set_incomer_comments(collective, _me(), form.incomer_comments.data)
    db.session.commit()
    flash(_("The choice for incomers' comments is saved."), "ok")
    back = request.form.get("back_to_proposal", type=int)
    if back:
        proposal = _proposal(slug, back)
        return _back(proposal)
    return redirect(url_for("collectives.collective", slug=slug))


# --- what the proposal page shows -------------------------------------------------------------

@bp.app_template_global()
def proposal_comments(proposal: Proposal) -> dict:
    """What the text and thread partials need, read through the visibility layer; computed
    once per request and proposal."""
    cache = g.setdefault("proposal_comments", {})
    if proposal.id not in cache:
        cache[proposal.id] = _page_data(proposal)
    return cache[proposal.id]


@bp.app_template_global()
def text_paragraphs(text: str | None) -> list[str]:
    """A revision's paragraphs, as comments anchor to them (for #paragraph-N links)."""
    return comments.paragraphs(text)


def _page_data(proposal: Proposal) -> dict:
    person = current_user if current_user.is_authenticated else None
    guest = None if person else _guest_cookie()
    guest_id = guest["id"] if guest else None
    whole = request.args.get("discussion") == "whole"
    return {
        "found": comments.comments_for(current_viewer(), proposal, guest_id,
                                       latest=None if whole else comments.LATEST_SHOWN),
        # Members of the bodies bringing it jointly write too; moderation stays with the
        # proposal's own collective.
        "can_comment": comments.can_comment(person, proposal),
        "can_moderate": comments.can_moderate(person, proposal),
        # Anyone without an account may comment where anyone may read.
        "guest_can_comment": person is None and comments.guest_may_comment(proposal),
        "me": person.id if person else None,
        "guest_id": guest_id,
        "guest_name": guest.get("name", "") if guest else "",
        "max_body": comments.MAX_BODY if person else comments.GUEST_MAX_BODY,
        "honeypot": forms.HONEYPOT,
        "honeypot_label": forms.HONEYPOT_LABEL,
        "incomer_choices": forms.INCOMER_CHOICES,
    }
