"""Accounts: sign in and out, join by invitation, invite others, one's own account."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from assembly.cli import invitation_link
from assembly.collectives.models import Collective
from assembly.core.errors import DomainError, Invalid
from assembly.core.web import apply_form_error, safe_next, too_many_message
from assembly.extensions import db, limiter
from assembly.people import service
from assembly.people.forms import AccountForm, InvitationForm, JoinForm, LoginForm
from assembly.people.models import Membership
from assembly.visibility import forget_current_viewer, get_collective

bp = Blueprint("people", __name__, template_folder="templates")


def _login_key() -> str:
    """Attempts are counted per address and name: guessing one person's password is slowed,
    while others signing in from the same clinic's connection are not."""
    name = (request.form.get("name") or "").strip().casefold()[:200]
    return f"{get_remote_address()}|{name}"


def _limit(setting: str):
    return lambda: current_app.config[setting]


@bp.errorhandler(429)
def _too_many(error):
    """The form again, with what was typed (never the password) and the reason, as a 429."""
    flash(too_many_message(), "error")
    if request.endpoint == "people.login":
        return render_template("people/login.html", form=LoginForm()), 429
    if request.endpoint == "people.join" and not current_user.is_authenticated:
        try:
            invitation = service.find_invitation(request.view_args["token"])
        except DomainError:
            pass  # an unknown or used link: the plain page below says to wait all the same
        else:
            return render_template("people/join.html", form=JoinForm(),
                                   invitation=invitation), 429
    return render_template("error.html", status=429, message=too_many_message()), 429


def _sign_in(person) -> None:
    # A fresh session on every sign-in, so a session id known before login is useless after.
    session.clear()
    login_user(person)
    forget_current_viewer()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_LOGIN"), key_func=_login_key, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        person = service.authenticate(form.name.data, form.password.data)
        if person is not None:
            _sign_in(person)
            flash(_("Welcome, %(name)s.", name=person.display_name), "ok")
            return redirect(safe_next(request.args.get("next"), url_for("collectives.index")))
        form.password.errors = [_("Name or password is not right.")]
    status = 422 if form.errors else 200
    return render_template("people/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("You are signed out."), "ok")
    return redirect(url_for("collectives.index"))


@bp.route("/join/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RATELIMIT_JOIN"), methods=["POST"])
def join(token):
    # Unknown links are 404; used or expired ones are 409 with words saying which (the service).
    invitation = service.find_invitation(token)
    if current_user.is_authenticated:
        return _join_existing(token, invitation)
    form = JoinForm()
    if request.method == "GET":
        form.language.data = str(request.accept_languages.best_match(service.LANGUAGES) or "en")
    if form.validate_on_submit():
        try:
            person = service.join_by_invitation(
                token, form.display_name.data, form.password.data, form.email.data,
                form.language.data,
            )
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        else:
            db.session.commit()
            _sign_in(person)
            flash(_("Welcome to %(name)s.", name=invitation.collective.name), "ok")
            return redirect(url_for("collectives.collective", slug=invitation.collective.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("people/join.html", form=form, invitation=invitation), status


def _join_existing(token, invitation):
    """Someone already signed in takes up an invitation with their existing account."""
    person = current_user._get_current_object()
    already = service.has_membership(person, invitation.collective)
    # CSRFProtect has already checked the token of any POST.
    if request.method == "POST" and request.form.get("confirm") == "1":
        service.accept_invitation(token, person)
        db.session.commit()
        forget_current_viewer()
        flash(_("You are now a member of %(name)s.", name=invitation.collective.name), "ok")
        return redirect(url_for("collectives.collective", slug=invitation.collective.slug))
    return render_template("people/join_existing.html", invitation=invitation, already=already)


@bp.route("/c/<slug>/invitations", methods=["GET", "POST"])
@login_required
def invitations(slug):
    collective = get_collective(slug)
    service.require_member(current_user, collective)
    form = InvitationForm()
    link = None
    status = 200
    if form.validate_on_submit():
        try:
            _invitation, token = service.create_invitation(
                collective, current_user._get_current_object(), form.note.data or "")
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        else:
            db.session.commit()
            # Only a hash is stored: this response is the one time the link can be shown. It
            # uses the public address, like the command line, so it works behind a proxy.
            link = invitation_link(token)
            form = InvitationForm(formdata=None)
    if form.errors:
        status = 422
    return render_template("people/invitations.html", collective=collective, form=form,
                           link=link, members=service.members_of(collective)), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    person = current_user._get_current_object()
    form = AccountForm(obj=person)
    if form.validate_on_submit():
        try:
            service.update_account(person, form.display_name.data, form.language.data)
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
        else:
            db.session.commit()
            flash(_("Your account is saved."), "ok")
            response = redirect(url_for("people.account"))
            # The language switch cookie wins over the saved preference; keep them the same.
            response.set_cookie("lang", person.language, max_age=365 * 24 * 3600,
                                samesite="Lax", httponly=True)
            return response
    status = 422 if form.errors else 200
    return render_template("people/account.html", form=form,
                           collectives=_own_collectives(person)), status


def _own_collectives(person) -> list[Collective]:
    return list(db.session.scalars(
        sa.select(Collective).join(Membership, Membership.collective_id == Collective.id)
        .where(Membership.person_id == person.id).order_by(Collective.name)
    ))
