"""The number of SQL statements behind each main page does not grow with the archive: the same
pages are read in a small world and in one five times larger (more proposals, events, comments,
meetings and minutes), built by the benchmark's own generator (bench/generate.py), as an
incomer and as a member."""

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from assembly.extensions import db
from assembly.search import index
from tests.conftest import _empty_tables
from tests.meetings.helpers import QueryCounter

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import generate  # noqa: E402

# Twice and ten times a small world: even the smaller has something of every kind on each
# page (so a statement that only runs when there is something to load runs in both).
SMALL, LARGE = 2, 10
IN_LIST = re.compile(r"IN \([^()]*\)")
# Pages of the first collective; {meeting} is its meeting with the longest agenda.
PAGES = {
    "front door": "/c/clinic-01/",
    "body page": "/c/clinic-01/b/general-assembly/",
    "proposal page": "/c/clinic-01/p/1-proposal-1",
    # An earlier page of its history (keyset: the steps before step 10).
    "proposal history, earlier steps": "/c/clinic-01/p/1-proposal-1?before=10",
    "meeting page": "/c/clinic-01/m/{meeting}",
    "search": "/search?q=" + generate.WORDS["el"][0],
    "search, second page": "/search?page=2&q=" + generate.WORDS["el"][0],
    "search, rare word": "/search?q=" + generate.RARE_WORD,
    "being decided, continued": "/c/clinic-01/being-decided",
    "body's proposals, continued": "/c/clinic-01/b/general-assembly/proposals",
    "body's agreements": "/c/clinic-01/b/general-assembly/proposals?phase=agreed",
    "proposal's revisions": "/c/clinic-01/p/1/revisions",
    "collective feed": "/c/clinic-01/feed.atom",
    "body feed": "/c/clinic-01/b/general-assembly/feed.atom",
    "proposal feed": "/c/clinic-01/p/1/feed.atom",
}


def _world(factor: int) -> generate.World:
    """A small world, ``factor`` times over (collectives and bodies stay 20 and 200)."""
    world = generate.World(0.01)
    world.proposals = 60 * factor
    world.events = 360 * factor
    world.comments = 150 * factor
    world.meetings = 220 * factor
    world.people = 100
    world.long_events = 8 * factor
    world.long_comments = 6 * factor
    return world


def _build(factor: int) -> None:
    _empty_tables()
    with db.engine.begin() as conn:
        generate.Generator(conn, _world(factor)).run()
        index.reindex(conn)


def _busiest_meeting() -> int:
    from assembly.models import AgendaItem, Body, Meeting

    return db.session.scalar(
        sa.select(Meeting.id).outerjoin(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .join(Body, Body.id == Meeting.body_id)
        .where(Meeting.collective_id == 1, Meeting.visibility == "public",
               Body.visibility == "public")
        .group_by(Meeting.id).order_by(sa.func.count(AgendaItem.id).desc(), Meeting.id)
        .limit(1))


def _sign_in(web, person_id: int) -> None:
    with web.client._client.session_transaction() as session:
        session["_user_id"] = str(person_id)
        session["_fresh"] = True


def _statements(web) -> dict[str, list[str]]:
    meeting = _busiest_meeting()
    db.session.remove()
    sent = {}
    for name, url in PAGES.items():
        with QueryCounter() as counter:
            response = web.get(url.format(meeting=meeting))
        assert response.status_code == 200, (name, response.status_code)
        sent[name] = counter.statements
    return sent


def _shape(statement: str) -> str:
    """A statement without its list of values: ``IN (?, ?, ?)`` and ``IN (?)`` are one query."""
    return IN_LIST.sub("IN (…)", statement)


def _grown(small: dict[str, list[str]], large: dict[str, list[str]]) -> dict[str, list[str]]:
    """Statements a page sends more often in the larger world. One that only runs when there
    is something to load (an eager load of comments' authors, say) may appear once; a
    statement per row shows up as running several times."""
    grown = {}
    for name in large:
        before = Counter(map(_shape, small[name]))
        after = Counter(map(_shape, large[name]))
        extra = [f"{before[s]} -> {n}: {s[:300]}" for s, n in after.items()
                 if n > max(before[s], 1)]
        if extra:
            grown[name] = extra
    return grown


@pytest.mark.parametrize("member", [False, True], ids=["incomer", "member"])
def test_statements_per_page_do_not_grow_with_the_archive(web, member):
    found = {}
    for factor in (SMALL, LARGE):
        _build(factor)
        if member:
            _sign_in(web, 1)  # a member of clinic-01 (generate gives people out in turn)
        found[factor] = _statements(web)
    assert not _grown(found[SMALL], found[LARGE])


def test_the_larger_world_is_larger(app):
    """The comparison means something only if the data did grow, including the long history
    the proposal page shows."""
    from assembly.models import Comment, Minutes, Proposal, ProposalEvent

    sizes = {}
    for factor in (SMALL, LARGE):
        _build(factor)
        sizes[factor] = [db.session.scalar(sa.select(sa.func.count()).select_from(model))
                         for model in (Proposal, ProposalEvent, Comment, Minutes)]
        sizes[factor].append(db.session.scalar(
            sa.select(sa.func.count()).where(ProposalEvent.proposal_id == 1)))
        db.session.remove()
    assert all(large >= 4 * small for small, large in zip(sizes[SMALL], sizes[LARGE],
                                                          strict=True)), sizes
