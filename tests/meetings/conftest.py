"""The body page belongs to another area: when it is not there yet, a stand-in answers at its
address so links and redirects to it can be built."""

import pytest


@pytest.fixture(autouse=True)
def _body_page_stand_in(app):
    if "collectives.body" not in app.view_functions:
        app.add_url_rule("/c/<slug>/b/<body_slug>/", "collectives.body",
                         lambda slug, body_slug: f"body page {slug}/{body_slug}")
