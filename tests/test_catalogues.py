"""Every message in the code and templates is translated in every language, with its
placeholders and markup kept. The messages are extracted afresh from the source, so a string
added without a translation fails here, not in front of a room."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "assembly" / "translations"
LOCALES = ("el", "it", "de", "fr", "es", "tr", "ar", "fa")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory) -> dict:
    target = tmp_path_factory.mktemp("catalogue") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract",
                    "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
                    "-o", str(target), "."],
                   check=True, capture_output=True, cwd=ROOT)
    with target.open("rb") as found:
        template = read_po(found)
    return {message.id: message for message in template if message.id}


def _catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as found:
        return read_po(found, locale=locale)


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


def _tags(text: str) -> list[str]:
    return sorted(TAG.findall(text))


def _problems(source, translated) -> list[str]:
    """What is wrong with one translated message (empty list when nothing is)."""
    if translated is None:
        return ["missing"]
    if translated.fuzzy:
        return ["fuzzy"]
    if isinstance(source.id, tuple):
        singular, plural = source.id
        forms = translated.string if isinstance(translated.string, tuple) else ()
        if not forms or not all(forms):
            return ["a plural form is empty"]
        # A form for exactly one (or zero, two) may leave the number out; every other
        # placeholder must stay, and nothing may be invented.
        needed = _placeholders(singular) - {"%(num)d"}
        return [f"placeholders in {form!r}" for form in forms
                if not needed <= _placeholders(form) <= _placeholders(plural) | needed]
    if not translated.string:
        return ["empty"]
    problems = []
    if _placeholders(source.id) != _placeholders(translated.string):
        problems.append("placeholders differ")
    if _tags(source.id) != _tags(translated.string):
        problems.append("markup differs")
    return problems


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale, source_messages):
    catalogue = _catalogue(locale)
    wrong = {}
    for key, source in source_messages.items():
        found = catalogue.get(key)
        problems = _problems(source, found)
        if problems:
            wrong[key if isinstance(key, str) else key[0]] = problems
    assert not wrong, f"{len(wrong)} messages need work in {locale}: {list(wrong.items())[:15]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_compiles_cleanly(locale):
    errors = [(message.id, error) for message, errors in _catalogue(locale).check()
              for error in errors]
    assert not errors, errors[:10]


def test_problems_are_found():
    """The checks above can fail: a message with a lost placeholder, lost markup or no
    translation is reported."""
    from babel.messages.catalog import Message

    source = Message("Hello %(name)s, see <a>this</a>")
    assert _problems(source, None) == ["missing"]
    assert _problems(source, Message(source.id, "Γεια")) == ["placeholders differ",
                                                           "markup differs"]
    assert _problems(source, Message(source.id, "Γεια %(name)s, δες <a>αυτό</a>")) == []
    plural = Message(("%(num)d day", "%(num)d days"))
    assert _problems(plural, Message(plural.id, ("يوم", ""))) == ["a plural form is empty"]
