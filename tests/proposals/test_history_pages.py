"""A proposal with a long history shows its latest fifty steps, in the page's usual order
(oldest first), and an "Earlier steps" link (?before=STEP, keyset) that walks back, page by
page and without JavaScript, to the step that named it. Made-up addresses are no page, or the
first one; never an error."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.proposals.history import HISTORY_PAGE
from assembly.proposals.models import EventKind, Proposal, ProposalEvent

STEP = re.compile(r"Step (\d+) of the loop")
EARLIER = re.compile(r'rel="prev" href="([^"]+)">Earlier steps')
LATER = re.compile(r'rel="next" href="([^"]+)">Later steps')


def page(p, query=""):
    return f"/c/{p.collective.slug}/p/{p.id}-{p.slug}{query}"


@pytest.fixture
def long_history(make):
    """A proposal whose history has its first steps (named, first revision), then 129 more,
    round and round the loop of drafting and postponing, each with its own reason ("Step N of
    the loop")."""
    collective = make.collective("Clinic")
    maria = make.member(collective, "Maria")
    proposal = make.proposal(make.assembly(collective), maria, title="Night shifts")
    first = proposal.event_count
    start = utcnow() - timedelta(days=400)
    phases = ["drafting", "on_agenda", "postponed"]
    db.session.add_all(
        ProposalEvent(proposal_id=proposal.id, seq=seq, kind=EventKind.TRANSITION,
                      from_phase=phases[(seq - 1) % 3], to_phase=phases[seq % 3],
                      actor_id=maria.id, at=start + timedelta(days=seq),
                      reason=f"Step {seq} of the loop", data={})
        for seq in range(first + 1, first + 130))
    db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id)
                       .values(event_count=first + 129))
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Proposal, proposal.id)


def _history(text: str) -> str:
    return text.split('id="history-heading"', 1)[1].split("</section>", 1)[0]


def _steps(text: str) -> list[int]:
    return [int(n) for n in STEP.findall(_history(text))]


def test_the_first_page_shows_the_latest_fifty_oldest_first(web, long_history):
    total = long_history.event_count
    text = web.text(page(long_history))
    assert _steps(text) == list(range(total - HISTORY_PAGE + 1, total + 1))
    history = _history(text)
    assert f"Steps {total - HISTORY_PAGE + 1} to {total} of {total}" in history
    earlier = EARLIER.search(history)
    assert earlier and f"before={total - HISTORY_PAGE + 1}" in earlier.group(1)
    assert "Latest steps" not in history and not LATER.search(history)


def test_earlier_steps_walk_back_to_the_first(web, long_history):
    total = long_history.event_count
    seen, shown, url, pages = [], 0, page(long_history), 0
    while url:
        history = _history(web.text(url.replace("&amp;", "&")))
        seen = [int(n) for n in STEP.findall(history)] + seen
        shown += history.count("<li>")
        found = EARLIER.search(history)
        url = found.group(1) if found else None
        pages += 1
        assert pages <= total // HISTORY_PAGE + 1
    assert seen == list(range(total - 128, total + 1))  # each step once, in order
    assert shown == total
    assert "named this proposal" in history
    assert "This is the beginning of the history." in history
    assert "Latest steps" in history and LATER.search(history)


def test_later_steps_lead_forward_again(web, long_history):
    total = long_history.event_count
    text = web.text(page(long_history, "?before=21"))
    assert _history(text).count("<li>") == 20
    assert _steps(text) == list(range(total - 128, 21))  # the first steps named it
    later = LATER.search(_history(text)).group(1).replace("&amp;", "&")
    assert _steps(web.text(later)) == list(range(21, 71))
    # Near the newest steps the way forward is the first page itself.
    near = _history(web.text(page(long_history, f"?before={total - 10}")))
    assert not LATER.search(near) and "Latest steps" in near


def test_a_short_history_is_shown_whole_without_pages(web, make):
    collective = make.collective("Clinic")
    maria = make.member(collective, "Maria")
    proposal = make.proposal(make.assembly(collective), maria, "on_agenda")
    history = _history(web.text(page(proposal)))
    assert history.count("<li>") == proposal.event_count
    assert "Earlier steps" not in history and "Steps " not in history


@pytest.mark.parametrize("before", ["-1", "x", "0", "1", "1.5", "%D9%A3", "", "2e3",
                                    "9" * 30, "99999999999", "%00"])
def test_made_up_pages_are_not_found_or_the_first_page(web, long_history, before):
    response = web.get(page(long_history, f"?before={before}"))
    assert response.status_code in (200, 404), response.status_code
    if response.status_code == 200:
        text = response.get_data(as_text=True)
        total = long_history.event_count
        assert _steps(text) == list(range(total - HISTORY_PAGE + 1, total + 1))


def test_a_short_address_keeps_the_page_of_the_history(web, long_history):
    response = web.get(f"/c/{long_history.collective.slug}/p/{long_history.id}?before=40")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(page(long_history, "?before=40"))


def test_only_the_steps_of_the_page_are_read(web, long_history, app):
    """The page asks the database for fifty steps (and their meetings and people), not for
    the whole log: found by the LIMIT of the statement that reads the events."""
    from tests.meetings.helpers import QueryCounter

    with QueryCounter() as counter:
        assert web.get(page(long_history, "?before=80")).status_code == 200
    reads = [s for s in counter.statements if "FROM proposal_events" in s
             and "proposal_events.seq <" in s]
    assert len(reads) == 1 and "LIMIT" in reads[0]
