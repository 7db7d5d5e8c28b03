"""Every kind of event is told in its own words, the same on the page, in feeds and on a
member's "what changed" page (one function: proposals.history.describe_event)."""

import pytest

from assembly.proposals.history import describe_event
from assembly.proposals.models import EventKind, ProposalEvent

DATA = {"revision": 3, "status": "completed", "percent": None, "body_name": "Reception",
        "collective": "Language school"}


@pytest.mark.parametrize("kind", [kind for kind in EventKind if kind != EventKind.TRANSITION])
def test_each_kind_has_its_own_words(app, kind):
    """Only a transition moves a proposal between phases; every other kind says what it is."""
    words = describe_event(ProposalEvent(kind=kind.value, data=DATA))
    assert words and "moved it from" not in words and "%(" not in words, (kind, words)


def test_co_bringing_names_the_body_and_its_collective(app):
    added = describe_event(ProposalEvent(kind="co_bringer_added", data=DATA))
    assert "Reception" in added and "Language school" in added
