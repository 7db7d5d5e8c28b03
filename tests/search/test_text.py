"""Folding, query parsing and snippets, without a database."""

import re

from hypothesis import given
from hypothesis import strategies as st

from assembly.search.text import (
    QUERY_LIMIT,
    TERM_LIMIT,
    Term,
    _fold_char,
    fold,
    fts5_query,
    index_terms,
    parse_query,
    snippet,
    tsquery,
)

TAG = re.compile(r"<[^>]*>")


def test_folding_removes_accents_harakat_and_case():
    assert fold("Συνέλευση ΆΈΉ") == "συνελευση αεη"
    assert fold("مُسْتَشْفَى") == fold("مستشفى")
    assert fold("Café Straße") == "cafe strasse"
    assert fold("ΟΔΟΣ") == fold("οδος")  # final sigma


def test_operators_and_quotes_are_only_spaces():
    assert parse_query('"vaccine" AND NEAR(a b) OR -c*: ^d') == [
        Term("vaccine"), Term("and"), Term("near"), Term("a"), Term("b"), Term("or"),
        Term("c", prefix=True), Term("d")]
    assert parse_query("") == parse_query("  *** \"\" ") == []


@given(st.text(max_size=2000))
def test_any_query_becomes_quoted_words(query):
    terms = parse_query(query)
    assert len(terms) <= TERM_LIMIT
    for term in terms:
        assert term.word and re.fullmatch(r"[^\W_]+", term.word)
    # Quoted words only: no quote or backslash inside a quoted word.
    assert fts5_query(terms).count('"') == 2 * len(terms)
    assert tsquery(terms).count("'") == 2 * len(terms)


@given(st.text(max_size=300))
def test_folding_a_text_is_folding_each_character(text):
    """What makes the highlighter's character map exact."""
    assert fold(text) == "".join(_fold_char(char) for char in text)


@given(st.text(max_size=600), st.text(max_size=40))
def test_snippets_hold_no_tag_but_mark(text, query):
    html = str(snippet(text, parse_query(query)))
    assert set(TAG.findall(html)) <= {"<mark>", "</mark>"}
    assert html.count("<mark>") == html.count("</mark>")


def test_a_snippet_is_cut_around_the_matches():
    text = "word " * 200 + "the Συνέλευση decided " + "word " * 200
    html = str(snippet(text, parse_query("συνελευση")))
    assert "<mark>Συνέλευση</mark>" in html
    assert html.startswith("…") and html.endswith("…") and len(html) < 400


def test_marks_stay_with_the_word_they_follow():
    html = str(snippet("مُسْتَشْفَى الحيّ", parse_query("مستشفى")))
    assert html == "<mark>مُسْتَشْفَى</mark> الحيّ"


def test_index_terms_are_folded_words():
    assert index_terms("Η Γενική Συνέλευση, 2026!") == "η γενικη συνελευση 2026"
    assert len(index_terms("ab " * QUERY_LIMIT * 1000)) <= 200_000
