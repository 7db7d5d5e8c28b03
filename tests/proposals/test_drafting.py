"""Working groups drafting between assemblies: word diffs, restoring revisions, concurrent edits,
oversized texts, and mandates returning to the deciding body."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Invalid, NotFound
from assembly.extensions import db
from assembly.meetings.models import AgendaItem
from assembly.proposals import diff
from assembly.proposals import service as proposals
from assembly.proposals.models import Phase, Proposal, ProposalEvent


def fresh(p):
    db.session.expire_all()
    return db.session.get(Proposal, p.id)


def page(p):
    return f"/c/{p.collective.slug}/p/{p.id}-{p.slug}"


def url(p, suffix=""):
    return f"/c/{p.collective.slug}/p/{p.id}{suffix}"


@pytest.fixture
def clinic(make):
    collective = make.collective("Clinic")
    maria = make.member(collective, "Maria")
    return collective, maria, make.assembly(collective)


def drafting(make, clinic, text="We open on Saturdays."):
    collective, maria, assembly = clinic
    return make.proposal(assembly, maria, "drafting", text=text)


# --- the word diff, as a pure function --------------------------------------------------------

def kinds(pieces):
    return [(p.kind, p.text) for p in pieces]


def test_diff_of_an_insertion_keeps_whitespace():
    pieces = diff.word_diff("We open on Saturdays.", "We open early on Saturdays.")
    assert kinds(pieces) == [("equal", "We open "), ("insert", "early "),
                             ("equal", "on Saturdays.")]
    # joining the pieces gives back each text exactly
    assert "".join(p.text for p in pieces if p.kind != "delete") == "We open early on Saturdays."


def test_diff_of_a_deletion():
    pieces = diff.word_diff("Bring food and water.", "Bring water.")
    assert kinds(pieces) == [("equal", "Bring "), ("delete", "food and "), ("equal", "water.")]
    assert diff.counts(pieces) == {"insert": 0, "delete": 2}


def test_diff_of_a_replacement_is_a_deletion_then_an_insertion():
    pieces = diff.word_diff("Open on Monday\nat noon.\n", "Open on Tuesday\nat noon.\n")
    assert kinds(pieces) == [("equal", "Open on "), ("delete", "Monday"), ("insert", "Tuesday"),
                             ("equal", "\nat noon.\n")]


@pytest.mark.parametrize("old, new, removed, added", [
    ("Η συνέλευση αποφασίζει με συναίνεση.", "Η γενική συνέλευση αποφασίζει με συναίνεση.",
     None, "γενική "),
    ("الجمعية العامة تقرر بالإجماع", "الجمعية تقرر بالإجماع", "العامة ", None),
    # Arabic harakat stay within their word
    ("كَتَبَ الطبيب", "كَتَبَ الممرض", "الطبيب", "الممرض"),
])
def test_diff_of_greek_and_arabic_words(old, new, removed, added):
    pieces = diff.word_diff(old, new)
    assert [p.text for p in pieces if p.kind == "delete"] == ([removed] if removed else [])
    assert [p.text for p in pieces if p.kind == "insert"] == ([added] if added else [])


def test_rendered_diff_escapes_html_and_says_in_words_what_changed(app):
    with app.test_request_context():
        html = str(diff.render(diff.word_diff("<b>old</b> & text",
                                              "<script>alert(1)</script> & text")))
        added_html = str(diff.render(diff.word_diff("Text.\n", "Text.\n<img src=x onerror=1>")))
    assert "<script" not in html and "<b>" not in html and "<img" not in added_html
    assert "&lt;" in html and "&gt;" in html and "&amp; text" in html
    assert "&lt;img src=x onerror=1&gt;</ins>" in added_html
    assert '<ins><span class="visually-hidden">added: </span>' in html
    assert '<del><span class="visually-hidden">removed: </span>' in html
    assert '<span class="diff-mark" aria-hidden="true">+</span>' in html


def test_identical_texts_have_no_changes():
    pieces = diff.word_diff("Same text.\n", "Same text.\n")
    assert kinds(pieces) == [("equal", "Same text.\n")]


def test_huge_rewrite_is_shown_whole_rather_than_hanging():
    old, new = " ".join(["α"] * 3000), " ".join(["β"] * 3000)
    pieces = diff.word_diff(old, new)
    assert kinds(pieces) == [("delete", old), ("insert", new)]


# --- restoring a revision ---------------------------------------------------------------------

def test_restore_creates_a_new_revision_with_the_old_text(make, clinic):
    collective, maria, assembly = clinic
    proposal = drafting(make, clinic)
    proposals.revise(proposal, maria, "We open on Sundays.", base_revision=1)
    db.session.commit()
    restored = proposals.restore_revision(proposal, maria, 1, base_revision=2)
    db.session.commit()
    proposal = fresh(proposal)
    assert restored.number == 3 and proposal.revision_number == 3
    assert proposal.current_revision.text == "We open on Saturdays."
    assert proposal.current_revision.summary == "Restored revision 1"
    assert [r.text for r in proposal.revisions][:2] == ["We open on Saturdays.",
                                                        "We open on Sundays."]
    assert proposals.check_consistency(proposal) == []


def test_restore_follows_the_rules_of_any_edit(make, clinic):
    collective, maria, assembly = clinic
    proposal = drafting(make, clinic)
    proposals.revise(proposal, maria, "Second.", base_revision=1)
    db.session.commit()
    with pytest.raises(Conflict):  # someone saved in between
        proposals.restore_revision(proposal, maria, 1, base_revision=1)
    with pytest.raises(NotFound):
        proposals.restore_revision(proposal, maria, 9, base_revision=2)
    with pytest.raises(Invalid):  # restoring the current text changes nothing
        proposals.restore_revision(proposal, maria, 2, base_revision=2)
    agreed = make.proposal(assembly, maria, "agreed")
    with pytest.raises(Conflict):
        proposals.restore_revision(agreed, maria, 1, base_revision=1)
    assert fresh(proposal).revision_number == 2


def test_concurrent_saves_are_detected(make, clinic):
    collective, maria, assembly = clinic
    yusuf = make.member(collective, "Yusuf")
    proposal = drafting(make, clinic)
    proposals.revise(proposal, maria, "Maria's text.", base_revision=1)
    db.session.commit()
    with pytest.raises(Conflict) as error:
        proposals.revise(proposal, yusuf, "Yusuf's text.", base_revision=1)
    assert error.value.details["current_revision"] == 2
    assert fresh(proposal).current_revision.text == "Maria's text."


# --- oversized texts --------------------------------------------------------------------------

def test_text_limits_count_characters_and_bytes(make, clinic):
    collective, maria, assembly = clinic
    proposal = drafting(make, clinic)
    assert proposals.MAX_TEXT == 200_000
    with pytest.raises(Invalid, match="too long"):
        proposals.revise(proposal, maria, "a" * 200_001, base_revision=1)
    with pytest.raises(Invalid, match="too large"):  # 4 bytes each: fits in characters only
        proposals.revise(proposal, maria, "😀" * 150_000, base_revision=1)
    greek = "α" * 199_000  # two bytes each: a full text in Greek fits
    assert proposals.revise(proposal, maria, greek, base_revision=1).number == 2


# --- mandates and returning the work ----------------------------------------------------------

def delegated(make, clinic, group, return_date, title):
    collective, maria, assembly = clinic
    proposal = make.proposal(assembly, maria, "drafting", title=title)
    proposals.delegate(proposal, maria, working_group=group, mandate=f"Costs of {title}",
                       return_date=return_date)
    db.session.commit()
    return proposal


def test_mandates_list_overdue_first_with_days_left(make, clinic):
    collective, maria, assembly = clinic
    group = make.working_group(collective, maria, "Pharmacy")
    with freeze_time("2026-03-01 10:00:00"):
        later = delegated(make, clinic, group, date(2026, 3, 20), "Later")
        soon = delegated(make, clinic, group, date(2026, 3, 5), "Soon")
        late = delegated(make, clinic, group, date(2026, 3, 10), "Late")
        very_late = delegated(make, clinic, group, date(2026, 3, 8), "Very late")
    # 22:30 UTC on 11 March is already 12 March in Athens: days count in the collective's zone
    with freeze_time("2026-03-11 22:30:00"):
        found = proposals.mandates([later, soon, late, very_late], collective.timezone)
    assert [(m.proposal.title, m.days_left, m.overdue) for m in found] == [
        ("Soon", -7, True), ("Very late", -4, True), ("Late", -2, True), ("Later", 8, False)]


def test_body_page_shows_mandates_with_overdue_in_words(web, make, clinic):
    collective, maria, assembly = clinic
    group = make.working_group(collective, maria, "Pharmacy")
    with freeze_time("2026-03-01 10:00:00"):
        delegated(make, clinic, group, date(2026, 3, 5), "Fridge")
        delegated(make, clinic, group, date(2026, 3, 20), "Shelves")
    with freeze_time("2026-03-10 10:00:00"):
        text = web.text(f"/c/{collective.slug}/b/{group.slug}/")
    assert "Delegated to this group" in text
    assert text.index("Fridge") < text.index("Shelves")
    assert "Overdue" in text and "5 days ago" in text
    assert "10 days left" in text
    assert "Costs of Fridge" in text
    assert "Return the work" not in text  # members only
    with freeze_time("2026-03-10 10:00:00"):
        web.login(maria)
        assert "Return the work" in web.text(f"/c/{collective.slug}/b/{group.slug}/")


def test_work_returns_onto_the_next_agenda_with_the_note(make, clinic):
    collective, maria, assembly = clinic
    group = make.working_group(collective, maria, "Pharmacy")
    proposal = delegated(make, clinic, group, utcnow().date() + timedelta(days=7), "Fridge")
    make.meeting(assembly, maria, days=14)
    nearest = make.meeting(assembly, maria, days=3)
    item = proposals.return_onto_next_agenda(proposal, maria, "We compared three offers.")
    db.session.commit()
    proposal = fresh(proposal)
    assert proposal.phase == Phase.ON_AGENDA
    assert item.meeting_id == nearest.id
    assert proposal.delegated_to_id is None and proposal.mandate is None
    last = proposal.events[-1]
    assert (last.from_phase, last.to_phase, last.reason) == (
        Phase.DELEGATED, Phase.ON_AGENDA, "We compared three offers.")
    assert proposals.check_consistency(proposal) == []


def test_return_onto_agenda_is_refused_clearly(make, clinic):
    collective, maria, assembly = clinic
    group = make.working_group(collective, maria, "Pharmacy")
    other = make.working_group(collective, maria, "Kitchen")
    proposal = delegated(make, clinic, group, utcnow().date() + timedelta(days=7), "Fridge")
    with pytest.raises(Invalid):  # the note of what the group did is required
        proposals.return_onto_next_agenda(proposal, maria, "")
    with pytest.raises(Conflict, match="no upcoming meeting"):
        proposals.return_onto_next_agenda(proposal, maria, "Done.")
    db.session.rollback()
    elsewhere = make.proposal(assembly, maria, "drafting", title="Elsewhere")
    proposals.delegate(elsewhere, maria, working_group=group, mandate="Look.",
                       return_date=utcnow().date() + timedelta(days=7), return_body=other)
    db.session.commit()
    make.meeting(assembly, maria, days=3)
    with pytest.raises(Conflict, match="only General assembly can decide it"):
        proposals.return_onto_next_agenda(elsewhere, maria, "Done.")
    assert fresh(elsewhere).phase == Phase.DELEGATED
    assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 0


# --- the pages --------------------------------------------------------------------------------

def two_revisions(make, clinic):
    collective, maria, assembly = clinic
    proposal = drafting(make, clinic, "We open <b>on</b> Saturdays.")
    proposals.revise(proposal, maria, "We open early on Saturdays.", base_revision=1)
    db.session.commit()
    return proposal


def test_compare_page_shows_the_word_diff(web, make, clinic):
    proposal = two_revisions(make, clinic)
    response = web.get(url(proposal, "/compare?from=1&to=2"))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<ins>" in text and "early" in text and "<del>" in text
    assert "&lt;b&gt;on&lt;/b&gt;" in text and "<b>on</b>" not in text
    assert 'id="compare-from"' in text and 'id="compare-to"' in text
    # defaults: the current revision against the one before
    assert "<ins>" in web.text(url(proposal, "/compare"))
    # the proposal page links each revision to the one before
    assert "compare with previous" in web.text(page(proposal))


@pytest.mark.parametrize("query", ["?from=1&to=7", "?from=x&to=2", "?from=0&to=1"])
def test_compare_unknown_revisions_is_404(web, make, clinic, query):
    proposal = two_revisions(make, clinic)
    assert web.get(url(proposal, f"/compare{query}")).status_code == 404


def test_revisions_of_other_collectives_are_not_reachable(web, make, clinic):
    proposal = two_revisions(make, clinic)
    other = make.collective("Other")
    for suffix in ("/compare?from=1&to=2", "/revisions/1"):
        assert web.get(f"/c/{other.slug}/p/{proposal.id}{suffix}").status_code == 404
    collective, maria, assembly = clinic
    hidden = make.proposal(assembly, maria, "drafting", visibility="members")
    assert web.get(url(hidden, "/compare?from=1&to=1")).status_code == 404
    assert web.get(url(hidden, "/revisions/1")).status_code == 404


def test_member_restores_a_revision_from_its_page(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = two_revisions(make, clinic)
    web.login(maria)
    assert "Restore revision 1" in web.text(url(proposal, "/revisions/1"))
    response = web.post(url(proposal, "/revisions/1/restore"), {"base_revision": "2"})
    assert response.status_code == 302
    proposal = fresh(proposal)
    assert proposal.revision_number == 3
    assert proposal.current_revision.text == "We open <b>on</b> Saturdays."
    # a stale restore is refused, not applied over the newer text
    stale = web.post(url(proposal, "/revisions/2/restore"), {"base_revision": "2"})
    assert stale.status_code == 409
    assert "nothing was restored" in stale.get_data(as_text=True)
    assert web.post(url(proposal, "/revisions/3/restore"),  # the current text: no change
                    {"base_revision": "3"}).status_code == 422
    assert web.post(url(proposal, "/revisions/9/restore"),
                    {"base_revision": "3"}).status_code == 404
    assert fresh(proposal).revision_number == 3


def test_incomer_cannot_restore(web, make, clinic):
    proposal = two_revisions(make, clinic)
    assert "Restore revision" not in web.text(url(proposal, "/revisions/1"))
    response = web.post(url(proposal, "/revisions/1/restore"), {"base_revision": "2"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert fresh(proposal).revision_number == 2


def test_conflicting_save_shows_both_changes_and_keeps_the_typed_text(web, other_web, make,
                                                                       clinic):
    collective, maria, assembly = clinic
    yusuf = make.member(collective, "Yusuf")
    proposal = drafting(make, clinic, "We open on Saturdays.")
    web.login(maria)
    other_web.login(yusuf)
    assert web.get(url(proposal, "/edit")).status_code == 200
    assert other_web.get(url(proposal, "/edit")).status_code == 200
    saved = web.post(url(proposal, "/edit"), {"text": "We open on Saturdays and Sundays.",
                                              "base_revision": "1"})
    assert saved.status_code == 302
    assert "data-draft-saved" in web.text(page(proposal))  # the autosave can forget the draft
    assert "data-draft-saved" not in web.text(page(proposal))  # only once

    response = other_web.post(url(proposal, "/edit"), {"text": "We open on Saturdays at 9.",
                                                       "base_revision": "1"})
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Two versions to bring together" in text
    theirs = text.split('data-diff="theirs"')[1].split("</div>")[0]
    mine = text.split('data-diff="mine"')[1].split("</div>")[0]
    assert "and Sundays" in theirs and "<ins>" in theirs
    assert "at 9" in mine and "and Sundays" in mine and "<del>" in mine
    assert re.search(r"<textarea[^>]*>\s*We open on Saturdays at 9\.</textarea>", text)
    assert 'name="base_revision" type="hidden" value="2"' in text
    assert fresh(proposal).current_revision.text == "We open on Saturdays and Sundays."
    # saving again from the newer revision works
    again = other_web.post(url(proposal, "/edit"), {
        "text": "We open on Saturdays and Sundays at 9.", "base_revision": "2"})
    assert again.status_code == 302
    assert fresh(proposal).revision_number == 3


def test_edit_page_carries_the_autosave_script_and_its_words(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = drafting(make, clinic)
    web.login(maria)
    text = web.text(url(proposal, "/edit"))
    assert 'src="/static/js/draft-autosave.js"' in text
    assert '<script type="application/json" id="draft-strings">' in text
    assert "Discard the saved draft" in text
    assert f'data-draft-proposal="{proposal.id}" data-draft-base="1"' in text


def test_oversized_text_is_refused_in_words_and_kept(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = drafting(make, clinic)
    web.login(maria)
    huge = "Δ" * 200_001
    response = web.post(url(proposal, "/edit"), {"text": huge, "base_revision": "1"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This text is too long: 200001 characters, the limit is 200000." in text
    assert huge in text
    assert fresh(proposal).revision_number == 1
    response = web.post(f"/c/{collective.slug}/b/{assembly.slug}/proposals/new",
                        {"title": "Big", "text": "😀" * 110_000, "visibility": "public"})
    assert response.status_code == 422 and "too large" in response.get_data(as_text=True)


def test_a_huge_request_gets_the_413_page(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = drafting(make, clinic)
    web.login(maria)
    response = web.post(url(proposal, "/edit"), {"text": "x" * (3 * 1024 * 1024),
                                                 "base_revision": "1"})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_working_group_returns_onto_the_next_agenda_from_the_page(web, make, clinic):
    collective, maria, assembly = clinic
    group = make.working_group(collective, maria, "Pharmacy")
    proposal = delegated(make, clinic, group, utcnow().date() + timedelta(days=7), "Fridge")
    web.login(maria)
    assert "Return onto the next agenda" in web.text(page(proposal))
    target = url(proposal, "/return-to-agenda")
    refused = web.post(target, {"reason": "We compared offers."})
    assert refused.status_code == 409
    assert "no upcoming meeting" in refused.get_data(as_text=True)
    assert "We compared offers." in refused.get_data(as_text=True)  # the note is kept
    empty = web.post(target, {"reason": ""})
    assert empty.status_code == 422 and "This field is required." in empty.get_data(as_text=True)
    meeting = make.meeting(assembly, maria, days=3)
    assert web.post(target, {"reason": "We compared offers."}).status_code == 302
    proposal = fresh(proposal)
    assert proposal.phase == Phase.ON_AGENDA
    event = db.session.scalars(sa.select(ProposalEvent).where(
        ProposalEvent.proposal_id == proposal.id).order_by(ProposalEvent.seq.desc())).first()
    assert (event.reason, event.meeting_id) == ("We compared offers.", meeting.id)


def test_frozen_clock_is_timezone_aware():
    # guards the freezegun tests above: utcnow stays aware under a frozen clock
    with freeze_time("2026-03-01 10:00:00"):
        assert utcnow() == datetime(2026, 3, 1, 10, tzinfo=UTC)
