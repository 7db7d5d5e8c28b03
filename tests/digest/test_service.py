"""The digest: last visit, what changed since (only in one's own bodies, never one's own
changes, never anything confidential one may not read), due dates, the feed token."""

from datetime import timedelta

from assembly.comments.service import add_comment
from assembly.core.db import utcnow
from assembly.digest import service as digest
from assembly.extensions import db
from assembly.implementation.service import record_progress
from assembly.proposals import service as proposals
from tests.implementation.conftest import agree

from .conftest import CANARY


def _texts(changes) -> str:
    return "\n".join(f"{c.proposal.title} {c.text} {c.note}" for c in changes)


def test_a_visit_moves_last_seen_and_a_reload_keeps_it(app, clinic):
    start = utcnow()
    assert digest.record_visit(clinic.bob, start) is None  # the first visit
    assert digest.record_visit(clinic.bob, start + timedelta(minutes=5)) is None  # a reload
    later = start + timedelta(hours=3)
    assert digest.record_visit(clinic.bob, later) == start + timedelta(minutes=5)
    assert digest.record_visit(clinic.bob, later + timedelta(minutes=1)) == start + timedelta(
        minutes=5)
    digest.mark_all_seen(clinic.bob, later + timedelta(minutes=2))
    assert digest.record_visit(clinic.bob, later + timedelta(minutes=3)) == later + timedelta(
        minutes=2)


def test_changes_in_own_bodies_without_own_changes(make, clinic, secret):
    before = utcnow() - timedelta(seconds=1)
    proposal = make.proposal(clinic.assembly, clinic.ana, "drafting", title="Open on Saturdays")
    add_comment(proposal, clinic.ana, "What about *Sundays*?")
    add_comment(proposal, clinic.bob, "Bob's own words")
    db.session.commit()
    seen_by_bob = digest.changes(clinic.bob, before)
    text = _texts(seen_by_bob)
    assert "Ana named this proposal." in text and "Ana commented." in text
    assert "What about *Sundays*?" in text
    assert "Bob's own words" not in text  # his own change
    assert CANARY not in text  # confidential, Bob is not a participant
    assert all(change.at > before for change in seen_by_bob)
    assert [c.at for c in seen_by_bob] == sorted((c.at for c in seen_by_bob), reverse=True)
    # Ana takes part in the case group: she sees Carol's work there.
    assert CANARY in _texts(digest.changes(clinic.ana, before))
    # Dora belongs elsewhere: the clinic's public proposals are not "her bodies".
    assert digest.changes(clinic.dora, before) == []
    # Nothing after "now".
    assert digest.changes(clinic.bob, utcnow() + timedelta(seconds=1)) == []


def test_mandates_and_implementation_updates_are_changes(make, clinic):
    before = utcnow() - timedelta(seconds=1)
    group = make.working_group(clinic.collective, clinic.ana, "Pharmacy")
    proposal = make.proposal(clinic.assembly, clinic.ana, "drafting", title="Medicines")
    proposals.delegate(proposal, clinic.ana, working_group=group, mandate="Count the boxes.",
                       return_date=utcnow().date() + timedelta(days=10))
    agreed = agree(make, clinic.assembly, clinic.ana, title="Corner")
    record_progress(agreed, clinic.ana, "Half done", 50)
    db.session.commit()
    text = _texts(digest.changes(clinic.bob, before))
    assert "from “Drafting” to “Delegated”" in text
    assert "Ana recorded progress on its implementation (50%)." in text and "Half done" in text


def test_due_dates_that_concern_a_person(make, clinic):
    group = make.working_group(clinic.collective, clinic.ana, "Pharmacy")
    delegated = make.proposal(clinic.assembly, clinic.bob, "drafting", title="Medicines")
    proposals.delegate(delegated, clinic.bob, working_group=group, mandate="Count.",
                       return_date=utcnow().date() + timedelta(days=10))
    task = agree(make, clinic.assembly, clinic.bob, implementer_body=group, deadline_days=3,
                 title="Corner")
    db.session.commit()
    ana = {(d.kind, d.proposal.id) for d in digest.due_dates(clinic.ana)}
    assert ana == {("mandate", delegated.id), ("implementation", task.id)}
    # Bob is not in the pharmacy group: neither the mandate nor the task are his.
    assert digest.due_dates(clinic.bob) == []
    # In 200 days, the re-evaluation (in 180) is due for every member of the assembly.
    later = utcnow() + timedelta(days=200)
    bob = digest.due_dates(clinic.bob, later)
    assert [(d.kind, d.proposal.id, d.overdue) for d in bob] == [("review", task.id, True)]
    first = digest.due_dates(clinic.ana, later)[0]
    assert first.overdue and first.days_left == min(d.days_left for d in
                                                    digest.due_dates(clinic.ana, later))


def test_confidential_due_dates_stay_with_participants(make, clinic):
    task = agree(make, clinic.care, clinic.ana, implementer_body=clinic.care, deadline_days=3,
                 title=f"Care plan {CANARY}")
    assert [d.proposal.id for d in digest.due_dates(clinic.ana)] == [task.id]
    assert digest.due_dates(clinic.bob) == []


def test_feed_token(app, clinic):
    token = digest.feed_token(clinic.bob)
    assert digest.feed_token(clinic.bob) == token  # stable until regenerated
    assert digest.person_for_token(token) == clinic.bob
    person_id, signature = token.split("-")
    flipped = signature[:-1] + ("1" if signature[-1] == "0" else "0")
    for wrong in ("", "abc", f"{person_id}-", f"{person_id}-{flipped}",
                  f"{clinic.ana.id}-{signature}", f"{person_id}{signature}", "99999-" + signature):
        assert digest.person_for_token(wrong) is None, wrong
    new = digest.regenerate_feed_token(clinic.bob)
    assert new != token
    assert digest.person_for_token(token) is None
    assert digest.person_for_token(new) == clinic.bob
