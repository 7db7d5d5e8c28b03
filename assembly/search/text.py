"""Words for the index and the query, and highlighted snippets: the same on both databases.

Folding (done in Python for documents and queries alike): compatibility decomposition, every
combining mark removed (Greek tonos, Latin accents, Arabic harakat), the Arabic tatweel
removed, then case folding (so a final sigma matches a medial one). A word is a run of letters
and digits. The index stores the folded words separated by spaces, so SQLite's unicode61
tokenizer and PostgreSQL's 'simple' parser see exactly the words this module sees, and the
query can never carry operators: every word is quoted."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain

from markupsafe import Markup, escape

WORD = re.compile(r"[^\W_]+")
QUERY_WORD = re.compile(r"([^\W_]+)(\*?)")
TATWEEL = 0x0640
# What a query may hold: longer input is cut, more words are ignored, longer words dropped.
QUERY_LIMIT = 500
TERM_LIMIT = 12
WORD_LIMIT = 64
# Enough for any minutes; keeps PostgreSQL's tsvector far below its 1 MB limit.
INDEXED_LIMIT = 200_000


@cache
def _strip_table() -> dict[int, None]:
    # Every combining mark lies below U+20000 or among the variation selectors of plane 14.
    points = chain(range(0x20000), range(0xE0100, 0xE01F0))
    marks = {cp: None for cp in points if unicodedata.category(chr(cp)).startswith("M")}
    marks[TATWEEL] = None
    return marks


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.translate(_strip_table()).casefold()


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return fold(char)


def index_terms(text: str | None) -> str:
    """The folded words of a text, as the full-text index receives them."""
    words = " ".join(WORD.findall(fold(text or "")))
    return words[:INDEXED_LIMIT].rsplit(" ", 1)[0] if len(words) > INDEXED_LIMIT else words


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool = False  # typed with a trailing *: matches words that begin with it

    def matches(self, word: str) -> bool:
        return word == self.word or (self.prefix and word.startswith(self.word))


def parse_query(query: str | None) -> list[Term]:
    """Words to look for, whatever was typed: operators, quotes and brackets are just spaces."""
    terms: list[Term] = []
    for match in QUERY_WORD.finditer(fold((query or "")[:QUERY_LIMIT])):
        term = Term(match.group(1), bool(match.group(2)))
        if len(term.word) <= WORD_LIMIT and term not in terms:
            terms.append(term)
    return terms[:TERM_LIMIT]


def fts5_query(terms: list[Term]) -> str:
    """Every word a quoted FTS5 string (words hold no quote), all required."""
    return " ".join(f'"{t.word}"' + ("*" if t.prefix else "") for t in terms)


def tsquery(terms: list[Term]) -> str:
    """Every word a quoted tsquery lexeme (words hold no quote or backslash), all required."""
    return " & ".join(f"'{t.word}'" + (":*" if t.prefix else "") for t in terms)


# --- highlighting ---------------------------------------------------------------------------

def _origins(pieces: list[str], folded: str) -> list[int] | None:
    """For each folded character, the index of the original one it came from; None when each
    character folds to exactly one (most text: plain letters, and accented ones whose accent
    is a part of the same character), where the two are the same."""
    if len(folded) == len(pieces) and "" not in pieces:
        return None  # none empty and as many as the pieces: every piece is one character
    origin: list[int] = []
    for index, piece in enumerate(pieces):
        origin.extend([index] * len(piece))
    return origin


@lru_cache(maxsize=256)
def _term_pattern(terms: tuple[Term, ...]) -> re.Pattern:
    """A whole folded word equal to a term, or beginning with a prefix term: found by the regex
    engine, not word by word in Python."""
    words = "|".join(re.escape(t.word) + (r"[^\W_]*" if t.prefix else "") for t in terms)
    return re.compile(rf"(?<![^\W_])(?:{words})(?![^\W_])")


def _line_spans(line: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Where in ``line`` (original characters) the folded words match a term."""
    pieces = list(map(_fold_char, line))
    folded = "".join(pieces)
    origin = _origins(pieces, folded)
    spans = []
    for match in _term_pattern(tuple(terms)).finditer(folded):
        if origin is None:
            spans.append(match.span())
            continue
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        while end < len(line) and not _fold_char(line[end]):
            end += 1  # the marks that followed the last letter belong to the word
        spans.append((start, end))
    return spans


def _pieces(text: str, size: int = 1000):
    """(offset, piece): the text cut after a space or newline about every ``size`` characters,
    so no word is cut (words hold no white space)."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def find_spans(text: str, terms: list[Term], limit: int = 60) -> list[tuple[int, int]]:
    """Matches in ``text``; pieces without any term are skipped at C speed."""
    spans: list[tuple[int, int]] = []
    for offset, piece in _pieces(text):
        folded = fold(piece)
        if any(term.word in folded for term in terms):
            spans += [(offset + s, offset + e) for s, e in _line_spans(piece, terms)]
            if len(spans) >= limit:
                break
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int = 0) -> Markup:
    """``text`` escaped, with the spans (relative to ``start``) in <mark>."""
    out, at = [], start
    for span_start, span_end in spans:
        out.append(escape(text[at - start:span_start - start]))
        out.append(Markup("<mark>%s</mark>") % text[span_start - start:span_end - start])
        at = span_end
    out.append(escape(text[at - start:]))
    return Markup("").join(out)


def highlight(text: str, terms: list[Term]) -> Markup:
    return _marked(text, find_spans(text, terms) if terms else [])


def _best_window(spans: list[tuple[int, int]], width: int) -> int:
    """The start of the window of ``width`` characters holding the most matches."""
    best, best_count = spans[0][0], 0
    for start, _ in spans:
        count = sum(1 for s, e in spans if s >= start and e <= start + width)
        if count > best_count:
            best, best_count = start, count
    return best


def snippet(text: str, terms: list[Term], width: int = 240) -> Markup:
    """A short extract around the best cluster of matches, every match in <mark>, everything
    else escaped."""
    text = text or ""
    spans = find_spans(text, terms) if terms else []
    if not spans:
        start, end = 0, min(len(text), width)
    else:
        start = max(0, _best_window(spans, width) - width // 5)
        end = min(len(text), start + width)
        # Begin and end on a space when one is near, so words are not cut.
        space = text.rfind(" ", max(0, start - 20), start)
        start = space + 1 if space >= 0 and start > 0 else start
    if end < len(text):
        space = text.find(" ", end, end + 20)
        end = space if space >= 0 else end
    inside = [(s, e) for s, e in spans if s >= start and e <= end]
    body = _marked(text[start:end], inside, start)
    return (Markup("…") if start > 0 else Markup("")) + body + (
        Markup("…") if end < len(text) else Markup(""))
