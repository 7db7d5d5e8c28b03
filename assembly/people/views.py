from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from assembly.core.errors import DomainError, Invalid
from assembly.core.web import apply_form_error, safe_next
from assembly.extensions import db
from assembly.people import service
from assembly.people.forms import InvitationForm, JoinForm, LoginForm
from assembly.visibility import forget_current_viewer, get_collective

bp = Blueprint("people", __name__, template_folder="templates")


def _sign_in(person) -> None:
    # A fresh session on every sign-in, so a session id known before login is useless after.
    session.clear()
    login_user(person)
    forget_current_viewer()


@bp.route("/login", methods=["GET", "POST"])
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
def join(token):
    invitation = service.find_invitation(token)
    if current_user.is_authenticated:
        # CSRFProtect has already checked the token of any POST.
        if request.method == "POST" and request.form.get("confirm") == "1":
            service.accept_invitation(token, current_user)
            db.session.commit()
            flash(_("You are now a member of %(name)s.", name=invitation.collective.name), "ok")
            return redirect(url_for("collectives.collective", slug=invitation.collective.slug))
        return render_template("people/join_existing.html", invitation=invitation)
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


@bp.route("/c/<slug>/invitations", methods=["GET", "POST"])
@login_required
def invitations(slug):
    collective = get_collective(slug)
    service.require_member(current_user, collective)
    form = InvitationForm()
    link = None
    if form.validate_on_submit():
        try:
            _invitation, token = service.create_invitation(collective, current_user,
                                                           form.note.data or "")
        except DomainError as error:
            db.session.rollback()
            raise error
        db.session.commit()
        link = url_for("people.join", token=token, _external=True)
    return render_template("people/invitations.html", collective=collective, form=form,
                           link=link, members=service.members_of(collective))
