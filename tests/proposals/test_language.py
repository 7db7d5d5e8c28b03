"""A proposal records the language it is written in: offered among the collective's languages
first, the reader's own chosen at first; its page marks its text with it, translations start
from it and search results carry it. Earlier proposals fall back to the collective's first."""

import re

import pytest
import sqlalchemy as sa

from assembly.core.errors import Invalid
from assembly.extensions import db
from assembly.proposals import service as proposals
from assembly.proposals.models import Proposal
from assembly.search.models import SearchDocument


@pytest.fixture
def clinic(make):
    collective = make.collective("Clinic", languages="el en ar")
    maria = make.member(collective, "Maria")
    return collective, maria, make.assembly(collective)


def new_url(collective, body):
    return f"/c/{collective.slug}/b/{body.slug}/proposals/new"


def options(page: str) -> list[str]:
    select = page[page.index('name="language"'):]
    return re.findall(r'<option (?:selected )?value="(\w+)"', select[:select.index("</select>")])


def selected(page: str) -> str:
    select = page[page.index('name="language"'):]
    return re.search(r'<option selected value="(\w+)"', select).group(1)


def test_the_form_offers_the_collective_s_languages_first(web, clinic):
    collective, maria, assembly = clinic
    web.login(maria)
    web.client.set_cookie("lang", "ar")
    page = web.text(new_url(collective, assembly))
    assert options(page)[:3] == ["el", "en", "ar"]
    assert set(options(page)) >= {"it", "fa", "tr"}
    assert selected(page) == "ar"  # the reader's, being one of the collective's
    web.client.set_cookie("lang", "it")
    assert selected(web.text(new_url(collective, assembly))) == "el"  # else its first


def test_written_in_arabic_its_page_and_translations_say_so(web, clinic):
    collective, maria, assembly = clinic
    web.login(maria)
    response = web.post(new_url(collective, assembly), {
        "title": "أمسية معلومات صحية", "text": "كل شهر.", "visibility": "public",
        "language": "ar"})
    assert response.status_code == 302
    proposal = db.session.scalars(sa.select(Proposal)).one()
    assert proposal.language == "ar" and proposal.text_language == "ar"
    page = web.text(f"/c/{collective.slug}/p/{proposal.id}-{proposal.slug}")
    assert re.search(r'<h1 dir="auto" lang="ar">', page)
    assert 'class="paragraph-text" dir="auto" lang="ar"' in page
    original = page[page.index("languages-original"):]
    assert 'lang="ar">العربية' in original[:300]
    [document] = db.session.scalars(sa.select(SearchDocument).where(
        SearchDocument.kind == "proposal", SearchDocument.ref_id == proposal.id))
    assert document.language == "ar"


def test_an_unknown_language_is_refused_and_the_text_kept(web, clinic):
    collective, maria, assembly = clinic
    web.login(maria)
    response = web.post(new_url(collective, assembly), {
        "title": "KEEP-THIS-TITLE", "text": "", "visibility": "public", "language": "xx"})
    assert response.status_code == 422
    assert "KEEP-THIS-TITLE" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0
    with pytest.raises(Invalid) as refused:
        proposals.create_proposal(assembly, maria, "Direct", language="klingon")
    assert refused.value.field == "language"


def test_without_a_language_it_is_the_collective_s_first(web, clinic):
    collective, maria, assembly = clinic
    web.login(maria)
    response = web.post(new_url(collective, assembly), {
        "title": "Older form", "text": "", "visibility": "public"})
    assert response.status_code == 302
    proposal = db.session.scalars(sa.select(Proposal)).one()
    assert proposal.language is None and proposal.text_language == "el"
