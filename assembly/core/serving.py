"""What a serving process does once, before its first request (wsgi.py)."""

import gc

from flask import Flask
from flask_babel import force_locale, get_translations


def settle(app: Flask) -> None:
    """Compile every template and read every language's catalogue now (6 MB), rather than on
    the first requests that need them; then move all of it, with the modules, out of the
    garbage collector's sight (gc.freeze) and collect less often. All of it lives as long as
    the process: a full collection that walked it paused a page, or a live broadcast, for
    ~100 ms every few dozen requests (bench/RESULTS.md). Calendar data stays loaded on demand:
    12 MB for all nine languages, of which a collective uses two or three."""
    from assembly.people.service import LANGUAGES

    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for code in LANGUAGES:
            with force_locale(code):
                get_translations()
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)
