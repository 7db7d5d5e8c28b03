"""The three live views of a meeting: the projector (a bare full-screen page for the room), the
facilitator's console and the participant's phone, plus the small form by which an incomer joins
a public meeting as a guest. The live state itself travels over Socket.IO (PROTOCOL.md); these
views only check who may open which page and hand the page its words and settings."""

import re
from functools import lru_cache

import qrcode
import qrcode.image.svg
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from assembly.collectives.models import Body, BodyKind
from assembly.core.db import Visibility, strictest
from assembly.core.errors import Invalid, NotFound
from assembly.core.web import apply_form_error
from assembly.extensions import db
from assembly.live.minutes import meeting_language
from assembly.meetings.models import ITEM_KIND_LABELS, Meeting, MeetingStatus
from assembly.people.models import Person
from assembly.people.service import LANGUAGES, MAX_NAME_LENGTH, is_member, require_member
from assembly.visibility import (
    current_viewer,
    get_collective,
    get_meeting,
    visible_bodies,
    visible_meetings,
)

bp = Blueprint("live", __name__, template_folder="templates")

HAND_KINDS = ("new_point", "direct_response", "clarifying_question", "point_of_process")
SIGNALS = ("slower", "louder", "translation")
ANSWERS = ("agree", "reservations", "stand_aside", "block")
OUTCOMES = ("agreed", "postponed", "delegated", "drafting")


class GuestForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[
        InputRequired(message=_l("Say how the room should call you.")),
        Length(max=MAX_NAME_LENGTH, message=_l("A name of at most %(max)d characters, please."))])


# --- who may open what -------------------------------------------------------------------------

def _load(slug: str, meeting_id: int) -> Meeting:
    """The meeting if this person may read it; otherwise 404, the same as a meeting that is not
    there."""
    return get_meeting(current_viewer(), get_collective(slug), meeting_id)


def _person() -> Person | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _is_public(meeting: Meeting) -> bool:
    return strictest(meeting.visibility, meeting.body.visibility) == Visibility.PUBLIC


def _guest_participant(meeting: Meeting) -> int | None:
    return (session.get("live_guests") or {}).get(str(meeting.id))


def _remember_guest(meeting: Meeting, participant_id: int) -> None:
    guests = dict(session.get("live_guests") or {})
    guests[str(meeting.id)] = participant_id
    session["live_guests"] = guests  # a new dict, so the session knows it changed


# --- what every live page is given -------------------------------------------------------------

def join_url(meeting: Meeting) -> str:
    """The address on the projector: short enough to type from the back of the room."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + url_for("live.short", meeting_id=meeting.id)


def short_text(url: str) -> str:
    return re.sub(r"^https?://", "", url)


def breakable(text: str) -> Markup:
    """The address may wrap after a slash, never inside a word."""
    return Markup("/<wbr>").join(escape(part) for part in text.split("/"))


@lru_cache(maxsize=64)
def qr_svg(url: str) -> Markup:
    """The join address as an inline SVG QR code (black on the white box CSS gives it)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'\swidth="[^"]*"\sheight="[^"]*"', "", svg, count=1)
    return Markup(svg.replace("<svg ", '<svg class="qr" aria-hidden="true" focusable="false" ', 1))


@bp.app_template_global("live_join")
def live_join(meeting: Meeting) -> dict:
    """For the meeting page's partial live/_links.html: the join address, its short text and its
    QR code."""
    url = join_url(meeting)
    return {"url": url, "text": short_text(url), "qr": qr_svg(url)}


def meeting_title(meeting: Meeting) -> str:
    return meeting.title or _("Meeting of %(body)s", body=meeting.body.name)


def strings() -> dict[str, str]:
    """Every word the scripts show, in the reader's language. Placeholders like %(name)s are
    filled in by the script."""
    return {
        # connection
        "connecting": _("Connecting…"),
        "connected": _("Live"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "reconnecting_attempt": _("Connection lost. Reconnecting (attempt %(n)s)…"),
        "offline": _("This device is offline. Waiting for the network…"),
        "resyncing": _("Catching up…"),
        "join_failed": _("Could not join the meeting: %(error)s"),
        "will_send": _("Not connected: this will be sent as soon as the connection is back."),
        "refused": _("Refused: %(error)s"),
        "done": _("Done."),
        # the meeting
        "status_scheduled": _("The meeting has not started yet."),
        "status_live": _("Live now"),
        "status_closed": _("The meeting is closed."),
        "no_item": _("No agenda item is being discussed."),
        "open_discussion": _("Open discussion: nothing is decided here"),
        "item_of": _("Item %(n)s of %(total)s"),
        "now": _("Now"),
        "participants": _("Present: %(n)s"),
        "facilitator": _("Facilitator: %(name)s"),
        "no_facilitator": _("No facilitator yet"),
        "policy_first_come": _("Queue order: first come, first served"),
        "policy_progressive": _("Queue order: progressive stack (people who spoke less go first)"),
        # queue and speaker
        "speaking": _("Speaking now"),
        "nobody_speaking": _("Nobody is speaking."),
        "queue_empty": _("Nobody is waiting to speak."),
        "queue_count": _("Waiting to speak: %(n)s"),
        "queue_more": _("and %(n)s more"),
        "hand_raised": _("%(name)s raised a hand: %(kind)s"),
        "hand_lowered": _("%(name)s lowered their hand"),
        "now_speaking": _("%(name)s is speaking"),
        "timer_running": _("Timer running"),
        "timer_paused": _("Timer paused"),
        "over_time": _("Over the time box"),
        "time_box": _("Time box"),
        # consensus check
        "check_open": _("Consensus check: open"),
        "check_closed": _("Consensus check: closed"),
        "check_opened": _("A consensus check is open. Answer on your phone."),
        "check_ended": _("The consensus check is closed."),
        "answered": _("Answers: %(n)s"),
        "check_summary": _("Agree %(agree)s, reservations %(reservations)s, "
                           "stand aside %(stand_aside)s, block %(block)s"),
        "blocks": _("Blocks, with their reasons"),
        "block_needs_reason": _("A block needs a reason: say what you cannot go along with, so "
                                "the assembly can respond to it."),
        "your_answer": _("Your answer: %(answer)s"),
        "no_answer": _("You have not answered yet."),
        "no_check": _("No consensus check is open."),
        "open_names_on": _("Names are shown with the answers."),
        "open_names_off": _("Answers are counted without names (blocks always carry a name)."),
        # outcome
        "outcome": _("Outcome: %(outcome)s"),
        "outcome_reason": _("Reason: %(reason)s"),
        # phone
        "my_hand": _("Your hand is raised: %(kind)s. Place in the queue: %(n)s."),
        "my_hand_none": _("Your hand is not raised."),
        "you_speak": _("You are speaking."),
        "hand_sent": _("Your hand is raised."),
        "signal_sent": _("Your signal is shown to the room."),
        "answer_sent": _("Your answer is counted."),
        "left": _("You are no longer counted present. Anything you do here counts you back."),
        "back": _("You are counted present again."),
        # console
        "goto": _("Go to"),
        "move_up": _("Move up"),
        "move_down": _("Move down"),
        "lower": _("Lower hand"),
        "has_left": _("Has left"),
        "has_left_name": _("%(name)s has left"),
        "you_facilitate": _("You are facilitating."),
        "other_facilitates": _("%(name)s is facilitating. You can take over if they agree."),
        "note_saved": _("Notes saved."),
        "speaking_time_none": _("Nobody has spoken yet."),
        "minutes_seconds": _("%(time)s in %(turns)s turns"),
        "names_of": _("%(answer)s: %(names)s"),
        "signal_at": _("%(signal)s (%(ago)s ago)"),
        "open_check": _("Open the consensus check"),
        "close_check": _("Close the consensus check"),
        "start_timer": _("Start timer"),
        "pause_timer": _("Pause timer"),
        "confirm_close": _("Close the meeting now? The minutes are written from the notes and "
                           "the outcomes."),
        # words for the kinds of things
        **{f"hand_{kind}": str(label) for kind, label in HAND_LABELS.items()},
        **{f"signal_{kind}": str(label) for kind, label in SIGNAL_LABELS.items()},
        **{f"signal_banner_{kind}": str(label) for kind, label in SIGNAL_BANNERS.items()},
        **{f"answer_{kind}": str(label) for kind, label in ANSWER_LABELS.items()},
        **{f"outcome_{kind}": str(label) for kind, label in OUTCOME_LABELS.items()},
        **{f"item_{kind.value}": str(label) for kind, label in ITEM_KIND_LABELS.items()},
    }


HAND_LABELS = {
    "new_point": _l("New point"),
    "direct_response": _l("Direct response"),
    "clarifying_question": _l("Clarifying question"),
    "point_of_process": _l("Point of process"),
}
HAND_HINTS = {
    "new_point": _l("Something new to say on this item."),
    "direct_response": _l("A short answer to what was just said."),
    "clarifying_question": _l("Something is unclear to you."),
    "point_of_process": _l("About how we are meeting. Goes first."),
}
SIGNAL_LABELS = {
    "slower": _l("Slower"),
    "louder": _l("Louder"),
    "translation": _l("Translation"),
}
SIGNAL_BANNERS = {
    "slower": _l("Slower, please"),
    "louder": _l("Louder, please"),
    "translation": _l("Translation, please"),
}
ANSWER_LABELS = {
    "agree": _l("Agree"),
    "reservations": _l("Reservations"),
    "stand_aside": _l("Stand aside"),
    "block": _l("Block"),
}
OUTCOME_LABELS = {
    "agreed": _l("Agreed"),
    "postponed": _l("Postponed"),
    "delegated": _l("Delegated to a working group"),
    "drafting": _l("Back to drafting"),
}


def _context(meeting: Meeting, view: str, **extra) -> dict:
    url = join_url(meeting)
    person = _person()
    return {
        "meeting": meeting, "collective": meeting.collective, "body": meeting.body,
        "title": meeting_title(meeting), "view": view,
        "join_url": url, "join_text": short_text(url), "join_html": breakable(short_text(url)),
        "qr": qr_svg(url),
        "strings": strings(),
        "config": {
            "meeting_id": meeting.id, "view": view,
            "person_id": person.id if person is not None else None,
            "meeting_url": url_for("meetings.meeting", slug=meeting.collective.slug,
                                   meeting_id=meeting.id),
            # As the page was drawn: the console draws no decision controls for an open
            # discussion, and draws itself again when the meeting is marked or unmarked.
            "open_discussion": meeting.open_discussion,
        },
        "hand_labels": HAND_LABELS, "hand_hints": HAND_HINTS, "signal_labels": SIGNAL_LABELS,
        "answer_labels": ANSWER_LABELS, "outcome_labels": OUTCOME_LABELS,
        "is_live": meeting.status == MeetingStatus.LIVE,
        **extra,
    }


def _working_groups(meeting: Meeting) -> list[tuple[Body, str]]:
    """Where an item can be delegated: the collective's working groups this person can see,
    lighter-loaded first, each with its load in words (care for the carers)."""
    from assembly.care.views import working_group_choices

    return working_group_choices(list(db.session.scalars(
        visible_bodies(current_viewer())
        .where(Body.collective_id == meeting.collective_id,
               Body.kind == BodyKind.WORKING_GROUP.value)
        .order_by(Body.name))))


# --- pages ------------------------------------------------------------------------------------

@bp.route("/c/<slug>/m/<int:meeting_id>/projector")
def projector(slug, meeting_id):
    """The wall speaks the meeting's language (each phone speaks its own person's); the
    projector's operator may choose another with ?lang=."""
    meeting = _load(slug, meeting_id)
    chosen = request.args.get("lang")
    with force_locale(chosen if chosen in LANGUAGES else meeting_language(meeting)):
        return render_template("live/projector.html", **_context(meeting, "projector"))


@bp.route("/c/<slug>/m/<int:meeting_id>/console")
def console(slug, meeting_id):
    meeting = _load(slug, meeting_id)
    if not current_user.is_authenticated:
        return redirect(url_for("people.login", next=url_for(
            "live.console", slug=slug, meeting_id=meeting_id)))
    require_member(_person(), meeting.collective)  # 403 for a signed-in non-member
    # An open discussion delegates nothing: no working groups to offer.
    groups = [] if meeting.open_discussion else _working_groups(meeting)
    return render_template("live/console.html", **_context(
        meeting, "facilitator", working_groups=groups))


@bp.route("/c/<slug>/m/<int:meeting_id>/phone")
def participant(slug, meeting_id):
    meeting = _load(slug, meeting_id)
    if is_member(_person(), meeting.collective) or _guest_participant(meeting) is not None:
        return render_template("live/phone.html", **_context(meeting, "participant"))
    return _guest_page(meeting, GuestForm(formdata=None, name=_default_guest_name()))


def _default_guest_name() -> str:
    person = _person()
    return person.display_name if person is not None else ""


def _guest_page(meeting: Meeting, form: GuestForm, status: int = 200):
    return render_template("live/guest.html", form=form, can_join=_is_public(meeting),
                           **_context(meeting, "participant")), status


@bp.route("/c/<slug>/m/<int:meeting_id>/live/join", methods=["POST"])
def join_guest(slug, meeting_id):
    from assembly.live.events import broadcast
    from assembly.live.service import join_as_guest

    meeting = _load(slug, meeting_id)
    form = GuestForm()
    if not form.validate():
        return _guest_page(meeting, form, 422)
    try:
        participant = join_as_guest(meeting, form.name.data)
    except Invalid as error:
        db.session.rollback()
        apply_form_error(form, error)
        return _guest_page(meeting, form, 422)
    db.session.commit()
    broadcast(meeting)  # one more present: every screen's count changes
    _remember_guest(meeting, participant.id)
    return redirect(url_for("live.participant", slug=slug, meeting_id=meeting_id))


@bp.route("/live/<int:meeting_id>")
def short(meeting_id):
    """The short address shown on the projector and in its QR code: leads to the phone view."""
    meeting = db.session.scalars(
        visible_meetings(current_viewer()).where(Meeting.id == meeting_id)).first()
    if meeting is None:
        raise NotFound(_l("%(what)s not found.", what=_l("Meeting")))
    return redirect(url_for("live.participant", slug=meeting.collective.slug,
                            meeting_id=meeting.id))
