"""The member's own page (/me) and their private Atom feed."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assembly.core.feeds import Entry, atom_response
from assembly.core.markup import render_markdown
from assembly.digest import service as digest
from assembly.extensions import db
from assembly.people.models import Person
from assembly.proposals.views import proposal_url

bp = Blueprint("digest", __name__, template_folder="templates")


def _me() -> Person:
    return current_user._get_current_object()


def _feed_url(person: Person) -> str:
    return url_for("digest.feed", token=digest.feed_token(person), _external=True)


def _zone(person: Person) -> str | None:
    """Times on the page are in the time zone of the person's first collective."""
    return person.memberships[0].collective.timezone if person.memberships else None


@bp.route("/me")
@login_required
def me():
    person = _me()
    since = digest.record_visit(person)
    page = render_template(
        "digest/me.html", since=since, window_days=digest.WINDOW.days,
        changes=digest.changes(person, since), due=digest.due_dates(person),
        feed_url=_feed_url(person), zone=_zone(person),
    )
    db.session.commit()
    return page


@bp.route("/me/seen", methods=["POST"])
@login_required
def mark_seen():
    digest.mark_all_seen(_me())
    db.session.commit()
    flash(_("Everything is marked as seen."), "ok")
    return redirect(url_for("digest.me"))


@bp.route("/me/feed-link", methods=["POST"])
@login_required
def new_feed_link():
    digest.regenerate_feed_token(_me())
    db.session.commit()
    flash(_("Your feed has a new link. The old link no longer works."), "ok")
    return redirect(url_for("digest.me", _anchor="feed-heading"))


def _entry(change: digest.Change) -> Entry:
    proposal = change.proposal
    note = render_markdown(change.note) if change.note else ""
    return Entry(
        id=f"{url_for('digest.me', _external=True)}#{change.key}",
        title=f"{proposal.title}: {change.text}",
        link=proposal_url(proposal, _external=True, _anchor=change.anchor or None),
        updated=change.at, summary_html=note,
        categories=(proposal.collective.name,),
    )


@bp.route("/me/feed/<token>.atom")
def feed(token):
    """Works without signing in: the secret link is the key. Any wrong token is a 404."""
    person = digest.person_for_token(token)
    if person is None:
        abort(404)
    entries = [_entry(change) for change in digest.changes(person, None)]
    return atom_response(
        feed_id=f"{url_for('digest.me', _external=True)}#feed-{person.id}",
        title=_("What changed for %(name)s", name=person.display_name),
        self_url=url_for("digest.feed", token=token, _external=True),
        alternate_url=url_for("digest.me", _external=True),
        entries=entries, language=person.language,
    )
