# The two commands: `make run` and `make test`. Everything else is a helper for them.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app assembly
HOST ?= 127.0.0.1
PORT ?= 5000
# One pytest worker per core (pytest-xdist), tests handed out one by one (by file, the
# authorisation matrix alone kept one worker busy to the end).
TEST_WORKERS ?= auto

.PHONY: run test install install-dev chromium lint translations messages clean

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

# Catalogues are compiled on install, never by hand.
translations: | $(VENV)/bin/python
	@if ls assembly/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(VENV)/bin/pybabel compile -d assembly/translations; fi

# For developers after changing visible strings: extract them and merge into every catalogue
# (tests/test_catalogues.py then lists what still needs translating).
messages: | $(VENV)/bin/python
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project Assembly -o assembly/translations/messages.pot .
	$(VENV)/bin/pybabel update -i assembly/translations/messages.pot -d assembly/translations \
		--no-fuzzy-matching --ignore-obsolete

run: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) assembly demo --if-empty
	HOST=$(HOST) PORT=$(PORT) $(PY) wsgi.py

# Debian's Chromium for the browser tests; never a browser download.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; fi

test: install-dev chromium
	$(VENV)/bin/ruff check assembly tests bench wsgi.py
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check assembly tests bench wsgi.py

clean:
	rm -rf $(VENV) instance/*.sqlite3 tests/artifacts
