"""Comment rules: threads, history, withdrawal, resolution and anchoring to paragraphs."""

import pytest
from freezegun import freeze_time

from assembly.comments import service as comments
from assembly.comments.models import Comment, CommentVersion
from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.proposals import service as proposals
from assembly.visibility import ANONYMOUS, viewer_for

TEXT = "First paragraph about the pharmacy.\n\nSecond paragraph about the rota.\n\nThird one."


@pytest.fixture
def story(make):
    clinic = make.collective("Clinic")
    maria = make.member(clinic, "Maria")
    nikos = make.member(clinic, "Nikos")
    proposal = make.proposal(make.assembly(clinic), maria, phase="drafting", text=TEXT)
    return clinic, maria, nikos, proposal


def _revise(proposal, by, text):
    proposals.revise(proposal, by, text, base_revision=proposal.revision_number)
    db.session.commit()


def _placed(found):
    return {p.index: [t.comment.id for t in p.threads] for p in found.paragraphs if p.threads}


def test_paragraphs_split_on_blank_lines_and_hash_ignores_wrapping():
    assert comments.paragraphs("a\nb\n\n  \n\nc\r\n\r\nd  ") == ["a\nb", "c", "d"]
    assert comments.paragraphs("") == []
    assert comments.paragraph_hash("one  two\nthree") == comments.paragraph_hash("one two three")
    assert comments.paragraph_hash("one two") != comments.paragraph_hash("one three")


def test_threaded_replies(story):
    clinic, maria, nikos, proposal = story
    root = comments.add_comment(proposal, maria, "Whole proposal: **yes**")
    answer = comments.reply(root, nikos, "I agree")
    deeper = comments.reply(answer, maria, "Thanks")
    db.session.commit()
    found = comments.comments_for(viewer_for(maria), proposal)
    assert found.count == 3
    [thread] = found.whole
    assert thread.comment.id == root.id
    assert [r.comment.id for r in thread.replies] == [answer.id]
    assert [r.comment.id for r in thread.replies[0].replies] == [deeper.id]
    assert answer.paragraph_hash is None and deeper.parent_id == answer.id


def test_very_deep_replies_stay_at_the_last_level(story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, maria, "0")
    for n in range(comments.MAX_DEPTH + 3):
        comment = comments.reply(comment, nikos if n % 2 else maria, str(n + 1))
    db.session.commit()
    depth, node = 0, comments.comments_for(viewer_for(maria), proposal).whole[0]
    while node.replies:
        node, depth = node.replies[-1], depth + 1
    assert depth == comments.MAX_DEPTH - 1


def test_editing_keeps_the_history(story):
    clinic, maria, nikos, proposal = story
    with freeze_time("2026-03-01 10:00"):
        comment = comments.add_comment(proposal, maria, "First words")
    with freeze_time("2026-03-01 11:00"):
        comments.edit_own(comment, maria, "Second words")
    db.session.commit()
    stored = db.session.get(Comment, comment.id)
    assert stored.body == "Second words"
    assert [v.body for v in stored.versions] == ["First words", "Second words"]
    assert stored.edited_at.hour == 11
    with pytest.raises(Invalid):
        comments.edit_own(stored, maria, "Second words")


def test_versions_are_append_only(story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, maria, "Words")
    db.session.commit()
    version = db.session.scalars(db.select(CommentVersion)).one()
    version.body = "rewritten"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Comment, comment.id).versions[0].body == "Words"


def test_only_the_author_edits_or_withdraws(story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, maria, "Mine")
    with pytest.raises(Forbidden):
        comments.edit_own(comment, nikos, "Taken over")
    with pytest.raises(Forbidden):
        comments.withdraw_own(comment, nikos)
    assert comment.body == "Mine" and not comment.is_withdrawn


def test_withdrawal_keeps_the_history_and_the_place(story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, maria, "Said too fast")
    comments.reply(comment, nikos, "Answer")
    comments.withdraw_own(comment, maria)
    db.session.commit()
    stored = db.session.get(Comment, comment.id)
    assert stored.withdrawn_by_id == maria.id and stored.is_withdrawn
    assert [v.body for v in stored.versions] == ["Said too fast"]
    [thread] = comments.comments_for(viewer_for(nikos), proposal).whole
    assert thread.comment.id == comment.id and len(thread.replies) == 1
    with pytest.raises(Conflict):
        comments.edit_own(stored, maria, "Again")
    with pytest.raises(Conflict):
        comments.withdraw_own(stored, maria)


def test_any_member_resolves_and_reopens_a_thread(story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, maria, "Open question")
    answer = comments.reply(comment, maria, "More")
    comments.resolve(comment, nikos)
    db.session.commit()
    assert comment.is_resolved and comment.resolved_by_id == nikos.id
    with pytest.raises(Conflict):
        comments.resolve(comment, maria)
    with pytest.raises(Conflict):
        comments.resolve(answer, maria)
    comments.reopen(comment, maria)
    assert not comment.is_resolved and comment.resolved_by_id is None
    with pytest.raises(Conflict):
        comments.reopen(comment, maria)


def test_non_members_cannot_comment_or_resolve(story, make):
    clinic, maria, nikos, proposal = story
    other = make.member(make.collective("Elsewhere"), "Outsider")
    comment = comments.add_comment(proposal, maria, "Hello")
    with pytest.raises(Forbidden):
        comments.add_comment(proposal, other, "Me too")
    with pytest.raises(Forbidden):
        comments.reply(comment, other, "Me too")
    with pytest.raises(Forbidden):
        comments.resolve(comment, other)
    assert not comments.can_comment(other, proposal) and comments.can_comment(nikos, proposal)


def test_paragraph_comment_is_anchored_to_its_paragraph(story):
    clinic, maria, nikos, proposal = story
    on_second = comments.add_comment(proposal, nikos, "About the rota", revision_number=1,
                                     paragraph_index=1)
    db.session.commit()
    found = comments.comments_for(viewer_for(maria), proposal)
    assert [p.text for p in found.paragraphs][1] == "Second paragraph about the rota."
    assert _placed(found) == {1: [on_second.id]}
    assert not found.paragraphs[1].threads[0].paragraph_changed
    assert found.whole == [] and found.unplaced == []


def test_comment_stays_attached_after_an_unrelated_edit(story):
    clinic, maria, nikos, proposal = story
    on_second = comments.add_comment(proposal, nikos, "About the rota", revision_number=1,
                                     paragraph_index=1)
    db.session.commit()
    # A new paragraph before it and a changed first paragraph: its own words are untouched.
    _revise(proposal, maria, "Intro.\n\nFirst paragraph, changed.\n\n"
                             "Second paragraph about the rota.\n\nThird one.")
    found = comments.comments_for(viewer_for(maria), proposal)
    assert _placed(found) == {2: [on_second.id]}
    assert not found.paragraphs[2].threads[0].paragraph_changed


def test_comment_is_marked_after_its_paragraph_changed(story):
    clinic, maria, nikos, proposal = story
    on_second = comments.add_comment(proposal, nikos, "About the rota", revision_number=1,
                                     paragraph_index=1)
    on_third = comments.add_comment(proposal, nikos, "About the end", revision_number=1,
                                    paragraph_index=2)
    db.session.commit()
    _revise(proposal, maria, "First paragraph about the pharmacy.\n\nThe rota is weekly now.")
    found = comments.comments_for(viewer_for(maria), proposal)
    [thread] = found.paragraphs[1].threads
    assert thread.comment.id == on_second.id and thread.paragraph_changed
    # Its paragraph is gone altogether: shown at the end, marked.
    assert [t.comment.id for t in found.unplaced] == [on_third.id]
    assert found.unplaced[0].paragraph_changed


def test_anchor_to_a_paragraph_that_does_not_exist_is_refused(story):
    clinic, maria, nikos, proposal = story
    with pytest.raises(Invalid):
        comments.add_comment(proposal, maria, "x", revision_number=1, paragraph_index=3)
    with pytest.raises(Invalid):
        comments.add_comment(proposal, maria, "x", revision_number=9, paragraph_index=0)
    with pytest.raises(Invalid):
        comments.add_comment(proposal, maria, "x", revision_number=1, paragraph_index=-1)


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 200_000, "bell\x07", "nul\x00here"])
def test_bad_comment_text_is_refused(story, body):
    clinic, maria, nikos, proposal = story
    with pytest.raises(Invalid):
        comments.add_comment(proposal, maria, body)
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0


def test_confidential_comments_are_read_only_through_the_proposal(make):
    clinic = make.collective("Clinic")
    maria = make.member(clinic, "Maria")
    nikos = make.member(clinic, "Nikos")
    group = make.working_group(clinic, maria, "Support", visibility="confidential")
    secret = make.proposal(group, maria, phase="drafting", text="CANARY paragraph")
    comment = comments.add_comment(secret, maria, "CANARY comment", revision_number=1,
                                   paragraph_index=0)
    db.session.commit()
    assert comments.comments_for(viewer_for(maria), secret).count == 1
    for viewer in (viewer_for(nikos), ANONYMOUS):
        with pytest.raises(NotFound):
            comments.comments_for(viewer, secret)
        with pytest.raises(NotFound):
            comments.get_comment(viewer, secret, comment.id)
    with pytest.raises(Forbidden):
        comments.reply(comment, nikos, "Peeking")
