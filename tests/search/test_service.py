"""Search finds what a reader may read, in every language of the collective, and only that;
the index follows every write without any service asking for it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from assembly.comments import service as comments
from assembly.core.db import utcnow
from assembly.core.errors import Invalid
from assembly.extensions import db
from assembly.live.service import close_meeting
from assembly.proposals import service as proposals
from assembly.search import service as search
from assembly.search.models import SearchDocument
from assembly.search.service import Filters
from assembly.visibility import ANONYMOUS, viewer_for
from tests.search.conftest import CONFIDENTIAL_CANARY, MEMBERS_CANARY


def found(person, query, filters=None):
    viewer = ANONYMOUS if person is None else viewer_for(person)
    results = search.search(viewer, query, filters)
    return {(hit.document.kind, hit.document.ref_id) for hit in results.hits}, results.total


def test_confidential_words_reach_only_the_participants(clinic):
    secret = ("proposal", clinic.secret.id)
    assert found(None, CONFIDENTIAL_CANARY) == (set(), 0)
    assert found(clinic.bob, CONFIDENTIAL_CANARY) == (set(), 0)
    assert found(clinic.dora, CONFIDENTIAL_CANARY) == (set(), 0)
    assert found(clinic.ana, CONFIDENTIAL_CANARY) == ({secret}, 1)
    # The title of the confidential proposal is no way in either.
    assert found(None, "family") == (set(), 0)


def test_members_only_words_reach_the_members(clinic):
    accounts = ("proposal", clinic.members_only.id)
    assert found(None, MEMBERS_CANARY) == (set(), 0)
    assert found(clinic.dora, MEMBERS_CANARY) == (set(), 0)
    assert found(clinic.bob, MEMBERS_CANARY) == ({accounts}, 1)


@pytest.mark.parametrize("query", [
    "συνέλευση", "συνελευση", "ΣΥΝΕΛΕΥΣΗ", "Γενικη Συνελευση", "φαρμακ*",
    "العيادة", "الاجتماعية مفتوحة", "مستشفى", "مُسْتَشْفَى",
])
def test_greek_and_arabic_words_are_found_with_or_without_accents(clinic, query):
    assert found(None, query) == ({("proposal", clinic.public.id)}, 1)


def test_a_new_revision_is_searched_and_the_old_text_no_longer(clinic):
    proposals.revise(clinic.public, clinic.ana, "Ο νέος χώρος αναμονής.",
                     base_revision=clinic.public.revision_number)
    db.session.commit()
    assert found(None, "αναμονης")[1] == 1
    assert found(None, "Σάββατο")[1] == 0


def test_a_new_title_and_a_new_phase_reach_the_comments(clinic):
    comment = comments.add_comment(clinic.public, clinic.bob, "Θα έρθω να βοηθήσω.")
    db.session.commit()
    clinic.public.title = "Ωράριο του φαρμακείου"
    proposals.withdraw(clinic.public, clinic.ana, reason="Not needed.")
    db.session.commit()
    row = db.session.scalars(sa.select(SearchDocument).where(
        SearchDocument.kind == "comment", SearchDocument.ref_id == comment.id)).one()
    assert (row.context, row.phase) == ("Ωράριο του φαρμακείου", "withdrawn")


def test_a_withdrawn_comment_is_no_longer_found(clinic):
    comment = comments.add_comment(clinic.public, clinic.bob, "Να φέρουμε εμβόλια γρίπης.")
    db.session.commit()
    assert found(None, "εμβολια") == ({("comment", comment.id)}, 1)
    comments.withdraw_own(comment, clinic.bob)
    db.session.commit()
    assert found(None, "εμβολια") == (set(), 0)


def test_comments_are_as_closed_as_their_proposal(clinic):
    comments.add_comment(clinic.secret, clinic.ana, "Ο γιατρός θα τηλεφωνήσει αύριο.")
    db.session.commit()
    assert found(None, "γιατρος") == (set(), 0)
    assert found(clinic.bob, "γιατρος") == (set(), 0)
    assert found(clinic.ana, "γιατρος")[1] == 1


def test_a_body_closed_later_takes_its_items_out_of_public_reach(clinic):
    assert found(None, "συνελευση")[1] == 1
    clinic.assembly.visibility = "confidential"
    db.session.commit()
    assert found(None, "συνελευση")[1] == 0
    assert found(clinic.bob, "συνελευση")[1] == 0


def test_agreements_and_minutes_are_found(clinic, make):
    agreed = make.proposal(clinic.assembly, clinic.ana, "agreed", title="Opening hours",
                           text="We open on Saturdays from ten.")
    kinds = {kind for kind, _ in found(None, "saturdays")[0]}
    assert kinds == {"proposal", "agreement"}
    meeting = make.meeting(clinic.assembly, clinic.ana, days=1, live=True,
                           title="Συνέλευση Ιατρείου Δεκεμβρίου")
    close_meeting(meeting, clinic.ana)
    db.session.commit()
    hits, total = found(None, "ιατρειου δεκεμβριου")
    assert total == 1 and next(iter(hits))[0] == "minutes"
    assert agreed.agreement is not None


def test_minutes_of_a_confidential_body_stay_with_its_participants(clinic, make):
    meeting = make.meeting(clinic.care, clinic.ana, days=0, live=True, title="Έκτακτη Σύσκεψη")
    close_meeting(meeting, clinic.ana)
    db.session.commit()
    assert found(None, "εκτακτη")[1] == 0
    assert found(clinic.bob, "εκτακτη")[1] == 0
    assert found(clinic.ana, "εκτακτη")[1] == 1


def test_filters_narrow_the_results(clinic, make):
    other = make.proposal(clinic.finances, clinic.ana, title="Φαρμακείο: λογαριασμοί")
    viewer = viewer_for(clinic.bob)
    everything = search.search(viewer, "φαρμακειο")
    assert everything.total == 2
    by_body = search.search(viewer, "φαρμακειο", Filters(body_id=clinic.finances.id))
    assert [h.document.ref_id for h in by_body.hits] == [other.id]
    by_phase = search.search(viewer, "φαρμακειο", Filters(phase="drafting"))
    assert [h.document.ref_id for h in by_phase.hits] == [clinic.public.id]
    today = utcnow().date()
    assert search.search(viewer, "φαρμακειο", Filters(date_from=today)).total == 2
    assert search.search(viewer, "φαρμακειο",
                         Filters(date_to=today - timedelta(days=1))).total == 0
    assert search.search(viewer, "φαρμακειο", Filters(kind="comment")).total == 0
    elsewhere = make.collective("Language School")
    assert search.search(viewer, "φαρμακειο", Filters(collective_id=elsewhere.id)).total == 0


def test_a_body_filter_never_tells_that_a_confidential_body_exists(clinic):
    values = {"collective": clinic.clinic.slug, "body": clinic.care.slug}
    with pytest.raises(Invalid) as refused:
        search.filters_from(ANONYMOUS, values)
    with pytest.raises(Invalid) as missing:
        search.filters_from(ANONYMOUS, {**values, "body": "no-such-body"})
    assert str(refused.value.message) == str(missing.value.message)
    assert search.filters_from(viewer_for(clinic.ana), values).body_id == clinic.care.id


@pytest.mark.parametrize("values,field", [
    ({"from": "yesterday"}, "from"), ({"phase": "decided"}, "phase"), ({"kind": "x"}, "kind"),
    ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
])
def test_wrong_filters_are_refused_with_their_field(app, values, field):
    with pytest.raises(Invalid) as refused:
        search.filters_from(ANONYMOUS, values)
    assert refused.value.field == field


def test_snippets_mark_the_words_and_escape_everything_else(clinic, make):
    make.proposal(clinic.assembly, clinic.ana, title="Vaccines <b>now</b>",
                  text="Bring <script>alert(1)</script> the vaccines & syringes.")
    hit = search.search(ANONYMOUS, "vaccines").hits[0]
    assert str(hit.title) == "<mark>Vaccines</mark> &lt;b&gt;now&lt;/b&gt;"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; the <mark>vaccines</mark> &amp; syringes" in \
        str(hit.snippet)


def test_results_come_a_page_at_a_time(clinic, make):
    for n in range(23):
        make.proposal(clinic.assembly, clinic.ana, title=f"Rota {n}", text="Cleaning rota.")
    first = search.search(ANONYMOUS, "rota")
    second = search.search(ANONYMOUS, "rota", page=2)
    assert (first.total, len(first.hits), len(second.hits), first.pages) == (23, 20, 3, 2)
    assert not {h.document.id for h in first.hits} & {h.document.id for h in second.hits}


def test_reindex_rebuilds_what_was_lost(clinic, app):
    db.session.execute(sa.delete(SearchDocument))
    db.session.commit()
    assert found(None, "συνελευση")[1] == 0
    result = app.test_cli_runner().invoke(args=["assembly", "reindex"])
    assert result.exit_code == 0, result.output
    assert "3 proposal" in result.output
    assert found(None, "συνελευση")[1] == 1
    assert found(clinic.ana, CONFIDENTIAL_CANARY)[1] == 1


def test_postgresql_uses_the_gin_index(clinic, backend):
    if backend != "postgresql":
        # SQLite: the FTS5 table answers the MATCH; nothing to plan.
        plan = db.session.execute(sa.text(
            "EXPLAIN QUERY PLAN SELECT rowid FROM search_documents_fts "
            "WHERE search_documents_fts MATCH 'x'")).all()
        assert any("VIRTUAL TABLE" in str(row) for row in plan)
        return
    from assembly.search.models import VECTOR_COLUMN, VECTOR_INDEX

    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(db.session.scalars(sa.text(
        f"EXPLAIN SELECT id FROM search_documents WHERE {VECTOR_COLUMN} @@ "
        "to_tsquery('simple'::regconfig, 'x')")))
    assert VECTOR_INDEX in plan


def test_a_hidden_comment_is_no_longer_found(clinic):
    comment = comments.add_comment(clinic.public, clinic.bob, "Προσβλητικό κείμενο εδώ.")
    db.session.commit()
    assert found(None, "προσβλητικο")[1] == 1
    comments.hide(comment, clinic.ana, "Insulting.")
    db.session.commit()
    assert found(None, "προσβλητικο") == (set(), 0)
