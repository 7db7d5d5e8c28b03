"""A readable word-level comparison of two texts (the Markdown source, never rendered HTML).

Lines are matched first, then words inside the lines that changed: the result reads like a
track-changes view and stays fast on long texts. Whitespace is kept as its own token, so joining
the pieces gives back each text exactly."""

import difflib
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
# Combining marks (Greek accents, Arabic harakat, Hebrew points) belong to their word: \w alone
# would split them off into tokens of their own.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf\u05c1\u05c2\u0610-\u061a\u064b-\u065f" \
         "\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u200c\u200d"
# A word carries the whitespace after it, so an inserted word reads "early " and not " early".
_TOKEN = re.compile(rf"[\w{_MARKS}]+\s*|[^\w\s]\s*|\s+")
_WORD = re.compile(r"\w")
# Beyond this many token comparisons a changed block is shown as removed and added whole:
# difflib is quadratic at worst and a page must not hang on a rewritten 200,000-character text.
_MAX_WORK = 4_000_000


@dataclass(frozen=True)
class Piece:
    kind: str  # equal, insert or delete
    text: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _append(pieces: list[Piece], kind: str, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1].kind == kind:
        pieces[-1] = Piece(kind, pieces[-1].text + text)
    else:
        pieces.append(Piece(kind, text))


def _word_diff(old: str, new: str, pieces: list[Piece]) -> None:
    a, b = tokens(old), tokens(new)
    if len(a) * len(b) > _MAX_WORK:
        _append(pieces, DELETE, old)
        _append(pieces, INSERT, new)
        return
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(pieces, EQUAL, "".join(a[i1:i2]))
        else:
            _replace(pieces, "".join(a[i1:i2]), "".join(b[j1:j2]))


def _replace(pieces: list[Piece], old: str, new: str) -> None:
    """Whitespace both sides end with (a line break after a changed word) is not a change."""
    kept = len(old) - len(old.rstrip())
    kept = min(kept, len(new) - len(new.rstrip()))
    while kept and old[len(old) - kept:] != new[len(new) - kept:]:
        kept -= 1
    _append(pieces, DELETE, old[:len(old) - kept])
    _append(pieces, INSERT, new[:len(new) - kept])
    _append(pieces, EQUAL, old[len(old) - kept:])


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn ``old`` into ``new``: equal, deleted and inserted runs of text."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _append(pieces, EQUAL, "".join(old_lines[i1:i2]))
        else:
            _word_diff("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2]), pieces)
    return pieces


def counts(pieces: list[Piece]) -> dict[str, int]:
    """How many words were added and removed (whitespace and punctuation not counted)."""
    found = {INSERT: 0, DELETE: 0}
    for piece in pieces:
        if piece.kind in found:
            found[piece.kind] += sum(1 for t in tokens(piece.text) if _WORD.search(t))
    return found


def render(pieces: list[Piece]) -> Markup:
    """HTML for the pieces: <ins>/<del> with a +/− marker and words for screen readers, so the
    meaning never rests on colour alone. Every piece of text is escaped."""
    added, removed = escape(_("added:")), escape(_("removed:"))
    html = []
    for piece in pieces:
        text = escape(piece.text)
        if piece.kind == INSERT:
            html.append(f'<ins><span class="visually-hidden">{added} </span>'
                        f'<span class="diff-mark" aria-hidden="true">+</span>{text}</ins>')
        elif piece.kind == DELETE:
            html.append(f'<del><span class="visually-hidden">{removed} </span>'
                        f'<span class="diff-mark" aria-hidden="true">−</span>{text}</del>')
        else:
            html.append(str(text))
    return Markup("".join(html))
