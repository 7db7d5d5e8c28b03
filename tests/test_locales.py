"""Each interface language on the main pages: the right ``lang`` and ``dir``, and no English
left. "English left" is measured against the catalogue itself: any interface sentence whose
translation differs from the English must not appear in English on the page. The content of
the collective is written in Greek, so English on the page can only come from the interface."""

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.test_catalogues import LOCALES, PLACEHOLDER

TRANSLATIONS = Path(__file__).resolve().parents[1] / "assembly" / "translations"
RTL = {"ar", "fa"}
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)
ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')


def english_sentences(locale: str) -> set[str]:
    """Interface sentences (at least three words, no placeholders or markup) translated into
    something other than themselves in this locale."""
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as found:
        catalogue = read_po(found, locale=locale)
    return {message.id for message in catalogue
            if isinstance(message.id, str) and message.string and message.string != message.id
            and len(message.id.split()) >= 3 and not PLACEHOLDER.search(message.id)
            and "<" not in message.id and "%" not in message.id}


def visible_text(page: str) -> str:
    """Text a person reads or hears: element text and the labelling attributes."""
    labels = " ".join(ATTRIBUTES.findall(page))
    return " ".join(html.unescape(TAGS.sub(" ", page) + " " + labels).split())


@pytest.fixture
def greek_collective(make):
    collective = make.collective("Κοινωνικό Ιατρείο", slug="iatreio", languages="el en ar")
    maria = make.member(collective, "Μαρία")
    body = make.assembly(collective)
    proposal = make.proposal(body, maria, "drafting", title="Δεύτερο ψυγείο για την ινσουλίνη",
                             text="Αγοράζουμε ένα δεύτερο ψυγείο.")
    meeting = make.meeting(body, maria, days=3)
    return {"collective": collective, "body": body, "proposal": proposal, "meeting": meeting,
            "member": maria}


def main_pages(found) -> list[str]:
    collective, body = found["collective"], found["body"]
    return [
        "/",
        f"/c/{collective.slug}/",
        f"/c/{collective.slug}/b/{body.slug}/",
        f"/c/{collective.slug}/p/{found['proposal'].id}",
        f"/c/{collective.slug}/m/{found['meeting'].id}",
        "/login",
        "/search?q=%CF%88%CF%85%CE%B3%CE%B5%CE%AF%CE%BF",
        "/c/no-such-collective/",
    ]


@pytest.mark.parametrize("signed_in", [False, True], ids=["incomer", "member"])
@pytest.mark.parametrize("locale", LOCALES)
def test_main_pages_speak_the_chosen_language(app, web, greek_collective, locale, signed_in):
    english = english_sentences(locale)
    assert len(english) > 100, "the catalogue is too thin to judge by"
    if signed_in:  # a member sees every form of the pages too
        web.login(greek_collective["member"])
    web.client.set_cookie("lang", locale)
    for url in main_pages(greek_collective):
        answer = web.get(url, follow_redirects=True)
        page = answer.get_data(as_text=True)
        assert answer.status_code in (200, 404), (url, answer.status_code)
        opening = re.search(r"<html[^>]*>", page).group(0)
        assert f'lang="{locale}"' in opening, (url, opening)
        assert f'dir="{"rtl" if locale in RTL else "ltr"}"' in opening, (url, opening)
        text = visible_text(page)
        left = sorted(sentence for sentence in english if sentence in text)
        assert not left, f"English left on {url} in {locale}: {left[:10]}"


def test_english_left_is_noticed(app, web, greek_collective):
    """The check above can fail: the English page holds many of the sentences it looks for."""
    web.client.set_cookie("lang", "en")
    text = visible_text(web.get(f"/c/{greek_collective['collective'].slug}/").get_data(
        as_text=True))
    assert [sentence for sentence in english_sentences("el") if sentence in text]
