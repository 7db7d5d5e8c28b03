"""The member's own load and break (/me/care), and the words other pages use: a body's spread,
"taking a break until …" beside names, and a working group's load beside its name."""

from collections.abc import Iterable, Sequence

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assembly.care import service as care
from assembly.care.forms import BreakForm
from assembly.care.models import Break
from assembly.collectives.models import Body
from assembly.core.errors import Invalid
from assembly.core.web import apply_form_error
from assembly.extensions import db
from assembly.meetings.service import eligible_people
from assembly.people.models import Person
from assembly.visibility import current_viewer

bp = Blueprint("care", __name__, template_folder="templates")


def _me() -> Person:
    return current_user._get_current_object()


# --- words used on other pages -------------------------------------------------------------

def break_words(taken: Break) -> str:
    return _("taking a break until %(date)s", date=format_date(taken.until))


def resting_words(person_ids: Iterable[int]) -> dict[int, str]:
    """person id → "taking a break until …", for those of them on a break now."""
    return {pid: break_words(taken) for pid, taken in care.breaks_of(person_ids).items()}


def resting_in(body: Body) -> dict[int, str]:
    """The same for everyone who can hold a role in this body; read once per request."""
    memo = g.setdefault("care_resting", {})
    if body.id not in memo:
        eligible = eligible_people(body).with_only_columns(Person.id)
        memo[body.id] = {pid: break_words(taken)
                         for pid, taken in care.breaks_of(eligible).items()}
    return memo[body.id]


def group_words(group: care.GroupLoad) -> str:
    """A working group's load in words (no score): its open work and who is resting."""
    parts = [ngettext("%(num)d open mandate", "%(num)d open mandates", group.mandates)
             if group.mandates else _("no open mandate")]
    if group.tasks:
        parts.append(ngettext("%(num)d implementation task", "%(num)d implementation tasks",
                              group.tasks))
    if group.participants == 0:
        parts.append(_("nobody has joined it yet"))
    elif group.all_resting:
        parts.append(_("everyone in it is taking a break"))
    elif group.on_break:
        parts.append(ngettext("%(num)d of %(total)d participants taking a break",
                              "%(num)d of %(total)d participants taking a break",
                              group.on_break, total=group.participants))
    return "; ".join(parts)


def working_group_choices(bodies: Sequence[Body]) -> list[tuple[Body, str]]:
    """Where to delegate: lighter-loaded groups first, each with its load in words."""
    return [(g.body, group_words(g)) for g in care.group_loads(bodies, current_viewer())]


def _spread_for(body: Body) -> care.Spread | None:
    """A body's spread, for members of its collective (and its participants) only: who is
    taking a break is not for the open archive."""
    viewer = current_viewer()
    if not (viewer.is_member_of(body.collective_id) or body.id in viewer.participant_body_ids):
        return None
    return care.body_spread(body, viewer)


def _my_summary() -> dict:
    person = _me()
    return {"counts": care.load(person).counts, "resting": care.on_break(person)}


@bp.app_context_processor
def _care_globals():
    # Functions, not values: a page pays for them only where its template calls them.
    return {"care_spread": _spread_for, "care_summary": _my_summary,
            "care_break_words": break_words}


# --- the member's own page -----------------------------------------------------------------

def _page(form: BreakForm | None = None, status: int = 200):
    person = _me()
    zone = care.home_timezone(person)
    return render_template(
        "care/me.html", load=care.load(person), resting=care.on_break(person),
        form=form or BreakForm(formdata=None), zone=zone,
    ), status


@bp.route("/me/care")
@login_required
def me():
    return _page()


@bp.route("/me/care/break", methods=["POST"])
@login_required
def take_break():
    form = BreakForm()
    if not form.validate():
        return _page(form, 422)
    try:
        care.take_break(_me(), form.until.data, form.note.data or "")
    except Invalid as error:
        db.session.rollback()
        apply_form_error(form, error)
        return _page(form, 422)
    db.session.commit()
    flash(_("Your break is noted. Role suggestions leave you out until it ends."), "ok")
    return redirect(url_for("care.me"))


@bp.route("/me/care/back", methods=["POST"])
@login_required
def end_break():
    ended = care.end_break(_me())
    db.session.commit()
    if ended is not None:
        flash(_("Welcome back. Your break has ended."), "ok")
    return redirect(url_for("care.me"))
