"""The search page: works without JavaScript, shows only what the reader may read, and never
fails on what is typed into it."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.search.conftest import CONFIDENTIAL_CANARY, MEMBERS_CANARY


def test_anonymous_readers_find_nothing_confidential_or_members_only(clinic, web):
    for canary, title in ((CONFIDENTIAL_CANARY, "Support for a family"),
                          (MEMBERS_CANARY, "The accounts")):
        page = web.text(f"/search?q={canary}")
        assert "0 results" in page
        assert title not in page


def test_a_participant_finds_the_confidential_proposal(clinic, web):
    web.login(clinic.ana)
    page = web.text(f"/search?q={CONFIDENTIAL_CANARY}")
    assert "1 result" in page and "Support for a family" in page
    assert f"<mark>{CONFIDENTIAL_CANARY}</mark>" in page


def test_a_member_finds_members_only_but_not_confidential(clinic, web):
    web.login(clinic.bob)
    assert "The accounts" in web.text(f"/search?q={MEMBERS_CANARY}")
    assert "Support for a family" not in web.text(f"/search?q={CONFIDENTIAL_CANARY}")


def test_results_link_to_the_proposal_and_mark_the_words(clinic, web):
    page = web.text("/search?q=συνελευση&collective=" + clinic.clinic.slug)
    assert f'href="/c/{clinic.clinic.slug}/p/{clinic.public.id}"' in page
    assert "<mark>Συνέλευση</mark>" in page


def test_every_page_has_a_search_box_and_the_collective_page_one_of_its_own(clinic, web):
    assert 'action="/search"' in web.text("/")
    page = web.text(f"/c/{clinic.clinic.slug}/")
    assert f'name="collective" value="{clinic.clinic.slug}"' in page


def test_the_body_list_offers_only_readable_bodies(clinic, web):
    page = web.text(f"/search?q=x&collective={clinic.clinic.slug}")
    assert "Finances" not in page and "Case assembly" not in page
    web.login(clinic.ana)
    page = web.text(f"/search?q=x&collective={clinic.clinic.slug}")
    assert "Finances" in page and "Case assembly" in page


@pytest.mark.parametrize("query,status", [
    ("q=" + "a" * 1000, 200), ("q=" + "ab " * 500, 200), ('q="', 200), ("q=NEAR(a b", 200),
    ("q=*", 200), ("q=a*&page=-1", 200), ("q=a&page=99999999999", 200), ("q=a&page=x", 200),
    ("q=a&from=tomorrow", 422), ("q=a&body=care", 422), ("q=a&phase=<b>", 422),
    ("q=a&collective=no-such-collective", 404), ("q=%00%ff", 200), ("", 200),
])
def test_hostile_input_is_answered_without_error(clinic, web, query, status):
    response = web.get("/search?" + query)
    assert response.status_code == status


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=1200))
def test_no_query_makes_the_page_fail(clinic, web, query):
    response = web.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "<script" not in response.get_data(as_text=True).split("<main", 1)[1].lower()
