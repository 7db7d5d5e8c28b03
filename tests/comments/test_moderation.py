"""Hiding a comment is a reasoned, visible, logged and reversible act, never a deletion."""

import pytest
import sqlalchemy as sa

from assembly.comments import service as comments
from assembly.comments.models import CommentEvent
from assembly.core.errors import Conflict, Forbidden, Invalid
from assembly.extensions import db
from tests.comments.test_views import base, page_url, stored


def logged():
    return [(e.kind, e.by_id, e.reason) for e in db.session.scalars(
        sa.select(CommentEvent).order_by(CommentEvent.id))]


def test_hiding_needs_a_reason_shows_in_place_and_can_be_undone(web, other_web, story):
    clinic, maria, nikos, proposal = story
    guest = comments.add_guest_comment(proposal, comments.Guest("g1"), "Spammer",
                                       "OFFENSIVE-WORDS")
    db.session.commit()
    web.login(maria)
    url = f"{base(proposal)}/{guest.id}"
    response = web.post(f"{url}/hide", {"reason": ""})
    assert response.status_code == 422 and "This field is required." in response.text
    assert not stored(guest.id).is_hidden
    assert web.post(f"{url}/hide", {"reason": "Insults a member"}).status_code == 302
    reader = other_web.text(page_url(proposal))
    assert "Hidden by a member:" in reader and "Insults a member" in reader
    assert "OFFENSIVE-WORDS" not in reader
    # members can still read what was hidden, to judge whether to show it again
    assert "OFFENSIVE-WORDS" in web.text(page_url(proposal))
    assert web.post(f"{url}/hide", {"reason": "again"}).status_code == 409
    assert web.post(f"{url}/unhide", {"reason": "Misread it"}).status_code == 302
    assert "OFFENSIVE-WORDS" in other_web.text(page_url(proposal))
    assert logged() == [("hidden", maria.id, "Insults a member"),
                        ("unhidden", maria.id, "Misread it")]
    assert stored(guest.id).body == "OFFENSIVE-WORDS"  # never deleted


def test_only_members_who_may_act_moderate(web, make, story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, nikos, "A remark")
    outsider = make.member(make.collective("Elsewhere"), "Outsider")
    db.session.commit()
    url = f"{base(proposal)}/{comment.id}"
    assert web.post(f"{url}/hide", {"reason": "x"}).status_code == 302  # to the login
    web.login(outsider)
    assert web.post(f"{url}/hide", {"reason": "x"}).status_code == 403
    assert web.post(f"{url}/approve").status_code == 403
    with pytest.raises(Forbidden):
        comments.hide(comment, outsider, "x")
    assert logged() == [] and not stored(comment.id).is_hidden


def test_moderation_rules_in_the_service(story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, nikos, "A remark")
    with pytest.raises(Invalid):
        comments.hide(comment, maria, "   ")
    with pytest.raises(Conflict):
        comments.unhide(comment, maria)
    comments.hide(comment, maria, "Off topic")
    comments.unhide(comment, nikos)
    assert logged() == [("hidden", maria.id, "Off topic"), ("unhidden", nikos.id, None)]
    db.session.commit()


def test_moderation_events_are_append_only(story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, nikos, "A remark")
    comments.hide(comment, maria, "Off topic")
    db.session.commit()
    [event] = db.session.scalars(sa.select(CommentEvent)).all()
    event.reason = "rewritten"
    with pytest.raises(Exception, match="(?i)append"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(CommentEvent, event.id))
    with pytest.raises(Exception, match="(?i)append"):
        db.session.flush()
    db.session.rollback()
