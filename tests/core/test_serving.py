"""A serving process settles before its first request (wsgi.py): every template compiled,
every language's catalogue read, and what start-up made moved out of the collector's way."""

import gc

import pytest
from flask_babel import force_locale, get_translations

from assembly.core.serving import settle


@pytest.fixture
def settled(app):
    threshold = gc.get_threshold()
    app.jinja_env.cache.clear()
    settle(app)
    yield app
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_settling_compiles_templates_reads_catalogues_and_freezes(settled):
    names = settled.jinja_env.list_templates()
    assert len(names) > 50
    cached = {key[1] for key in settled.jinja_env.cache}
    assert set(names) <= cached  # none left for a first request to compile
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold()[0] == 10_000
    with settled.test_request_context(), force_locale("fa"):
        assert get_translations().ugettext("Reply") != "Reply"  # read, and read right
