"""A word found almost everywhere: the search reads and ranks at most the newest ``CANDIDATES``
readable matches and says "more than" beyond, so its cost does not grow with the archive; a
rarer word is counted and ranked in full, exactly as a full ranking would order it. What a reader
may not read is never counted."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.search import service as search
from assembly.search.models import SearchDocument
from assembly.visibility import ANONYMOUS, readable_filter, viewer_for
from tests.search.conftest import CONFIDENTIAL_CANARY

WORD = "ροταβαρδιων"  # folded: what the index holds


@pytest.fixture
def cap(monkeypatch):
    """A cap of three candidates, so a handful of proposals is 'a common word'."""
    monkeypatch.setattr(search, "CANDIDATES", 3)
    return 3


def _public(clinic, make, n):
    return [make.proposal(clinic.assembly, clinic.ana, title=f"Rota {i}",
                          text=f"Ροταβάρδιων {i}.") for i in range(n)]


def _confidential(clinic, make):
    return make.proposal(clinic.care, clinic.ana, title="Rota of a family",
                         text=f"Ροταβάρδιων. {CONFIDENTIAL_CANARY}")


def test_more_matches_than_the_cap_are_counted_as_more_than(clinic, make, cap):
    _public(clinic, make, cap + 2)
    results = search.search(ANONYMOUS, WORD)
    assert (results.total, results.capped, len(results.hits), results.pages) == (3, True, 3, 1)


def test_the_newest_matches_are_the_candidates(clinic, make, cap):
    made = _public(clinic, make, cap + 2)
    shown = {hit.document.ref_id for hit in search.search(ANONYMOUS, WORD).hits}
    assert shown == {p.id for p in made[-cap:]}


def test_confidential_matches_are_never_counted_nor_take_a_place(clinic, make, cap):
    _public(clinic, make, cap)
    _confidential(clinic, make)
    results = search.search(ANONYMOUS, WORD)
    # Exactly the cap of readable matches: not "more than", and the newest match (the
    # confidential one) is not among the candidates nor in the count.
    assert (results.total, results.capped) == (3, False)
    assert clinic.care.id not in {hit.document.body_id for hit in results.hits}
    assert search.search(ANONYMOUS, CONFIDENTIAL_CANARY).total == 0
    # The participant reads four: more than the cap.
    assert search.search(viewer_for(clinic.ana), WORD).capped


def test_the_page_says_more_than_and_the_incomer_never_sees_the_canary(clinic, make, web, cap):
    _public(clinic, make, cap)
    _confidential(clinic, make)
    page = web.text(f"/search?q={WORD}")
    assert "3 results" in page and "More than" not in page
    assert CONFIDENTIAL_CANARY not in page and "Rota of a family" not in page
    _public(clinic, make, 1)
    page = web.text(f"/search?q={WORD}")
    assert "More than 3 results" in page
    assert "The 3 most recent matches are shown" in page
    assert CONFIDENTIAL_CANARY not in page


def test_the_cap_is_written_as_the_reader_writes_numbers(clinic, make, web, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 1)
    _public(clinic, make, 2)
    # Results that claim the cap of a large archive, without writing 1,000 rows.
    monkeypatch.setattr(search, "Results", _claiming(search.Results, 1000))
    assert "More than 1,000 results" in web.text(f"/search?q={WORD}")
    german = web.get(f"/search?q={WORD}", headers={"Accept-Language": "de"})
    assert "1.000" in german.get_data(as_text=True)


def _claiming(results_class, total):
    class Large(results_class):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            self.total = total
    return Large


def _full_ranking(viewer, word) -> list[int]:
    """What the search returned before the cap: every match ranked, best first, ties newest
    first (the reference for words with fewer matches than the cap)."""
    match = search._match(search.parse_query(word))
    rank = match.rank if match.lower_is_better else match.rank.desc()
    return list(db.session.scalars(
        sa.select(SearchDocument.id).select_from(match.source)
        .where(match.condition, readable_filter(viewer, [SearchDocument.visibility],
                                                SearchDocument.collective_id,
                                                SearchDocument.body_id))
        .order_by(rank, SearchDocument.id.desc())))


def test_rarer_words_are_ranked_as_a_full_ranking_would(clinic, make):
    # Titles weigh more than text, and repeated words more than single ones: varied ranks.
    make.proposal(clinic.assembly, clinic.ana, title="Ροταβάρδιων", text="Ροταβάρδιων.")
    make.proposal(clinic.assembly, clinic.ana, title="Other",
                  text="Ροταβάρδιων ροταβάρδιων ροταβάρδιων, and more words around them.")
    _public(clinic, make, 4)
    _confidential(clinic, make)
    for viewer in (ANONYMOUS, viewer_for(clinic.ana)):
        results = search.search(viewer, WORD)
        assert not results.capped
        assert [hit.document.id for hit in results.hits] == _full_ranking(viewer, WORD)
        assert results.total == len(_full_ranking(viewer, WORD))


def test_pages_stop_where_the_candidates_end(clinic, make, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 40)
    _public(clinic, make, 3)
    results = search.search(ANONYMOUS, WORD, page=10_000)
    assert results.page == 2 and not results.hits  # 40 candidates: two pages of 20


def test_reindex_writes_the_newest_items_last(clinic, make):
    """A search for a common word reads the highest ids first: after a rebuild they must be the
    newest items, whatever their kind (comments are not all 'newer' than proposals)."""
    old = _public(clinic, make, 1)[0]
    new = _public(clinic, make, 1)[0]
    db.session.execute(sa.update(old.__class__).where(old.__class__.id == old.id)
                       .values(updated_at=utcnow() + timedelta(days=1)))
    search.reindex()
    db.session.commit()
    ids = dict(db.session.execute(
        sa.select(SearchDocument.ref_id, SearchDocument.id)
        .where(SearchDocument.kind == "proposal", SearchDocument.ref_id.in_([old.id, new.id]))
    ).all())
    assert ids[old.id] > ids[new.id]
    newest = db.session.scalar(sa.select(sa.func.max(SearchDocument.id)))
    assert newest == ids[old.id]
