"""Every form (each POST route in the URL map) fed random and malformed requests: wrong types,
huge fields, control characters, NUL bytes, invalid UTF-8 in bodies, query strings and paths,
repeated and unknown fields, ids that do not exist or do not fit a database integer. Never a
500 or an uncaught exception, and a refused request writes nothing."""

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField

from assembly.extensions import db
from tests.conftest import BACKENDS, Make, WebClient, _empty_tables, make_app
from tests.hostile.conftest import NASTY, hostile_id, row_counts, text, tried

EXAMPLES = 14
ASSEMBLY = Path(__file__).resolve().parents[2] / "assembly"
URL_MAP_APP = make_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
POST_RULES = {rule.endpoint: rule for rule in URL_MAP_APP.url_map.iter_rules()
              if "POST" in rule.methods}


def _form_classes():
    from flask_wtf import FlaskForm

    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def _field_names(form_class, prefix: str = ""):
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        yield prefix + name
        inner = unbound.args[0] if unbound.args else None
        if unbound.field_class is FieldList and isinstance(inner, UnboundField):
            if inner.field_class is FormField:
                yield from _field_names(inner.args[0], f"{prefix}{name}-0-")
            yield f"{prefix}{name}-0"
        elif unbound.field_class is FormField:
            yield from _field_names(inner, f"{prefix}{name}-")


def _names_read_by_views() -> set[str]:
    """Fields some views read straight from request.form (honeypots, confirmations)."""
    pattern = re.compile(r"request\.form(?:\.get|\.getlist)?[\[(]\s*([\w.]+)")
    names = set()
    for path in ASSEMBLY.rglob("views.py"):
        for found in pattern.findall(path.read_text()):
            names.add(found.strip("\"'") if found[0] in "\"'" else found)
    return names


def _all_field_names() -> list[str]:
    from assembly.comments.forms import HONEYPOT
    from assembly.meetings.models import Role
    from assembly.proposals.views import ACTION_FORMS

    with URL_MAP_APP.app_context():
        names = {n for cls in _form_classes() for n in _field_names(cls)}
        # Forms drawn with a prefix: proposal steps, roles, agenda items.
        for action, cls in ACTION_FORMS.items():
            names |= set(_field_names(cls, f"{action}-"))
        for role in Role:
            names |= {f"{role.value}-{n}" for n in ("person_id", "language")}
    names |= {HONEYPOT, "confirm", "back_to_proposal", "next", "lang", "item1-time_box_minutes"}
    names |= {n for n in _names_read_by_views() if n.isidentifier()}
    names.discard("csrf_token")
    return sorted(names)


FIELD_NAMES = _all_field_names()


# --- the world every request is aimed at ------------------------------------------------------

@dataclass
class World:
    values: dict  # real values of each URL argument
    member: object
    web: WebClient = None

    def signed_in(self, app, fresh: bool = False) -> WebClient:
        if self.web is None or fresh:
            self.web = WebClient(app.test_client())
            db.session.expire_all()  # an accepted account form may have renamed the member
            self.web.login(self.member)
        return self.web


# One app and one world per backend for the whole module: building them for each of the ~50
# routes took most of the time. Requests the app accepts may change the world; that is fine.
@pytest.fixture(scope="module", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="module")
def app(databases, backend):
    app = make_app(databases.config(backend))
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture(scope="module")
def world(app):
    from assembly.collectives.service import general_assembly, join_network
    from assembly.comments import service as comments
    from assembly.gatherings import service as gatherings
    from assembly.meetings import service as meetings
    from assembly.meetings.models import Role
    from assembly.networks import service as networks
    from assembly.people import service as people
    from assembly.proposals.views import ACTION_FORMS

    make = Make()
    collective = make.collective("Hostile clinic")
    maria = make.member(collective, "Maria")
    nikos = make.member(collective, "Nikos")
    general = make.assembly(collective)
    group = make.working_group(collective, maria)
    drafting = make.proposal(general, maria, "drafting")
    agreed = make.proposal(general, maria, "agreed")
    on_agenda = make.proposal(general, maria, "on_agenda")
    live = on_agenda.events[-1].meeting
    scheduled = make.meeting(general, maria, days=7)
    holder = meetings.assign_role(scheduled, maria, Role.FACILITATOR, maria)
    comment = comments.add_comment(drafting, nikos, "A first comment.")
    _invitation, token = people.create_invitation(collective, maria)
    # A network the clinic belongs to: a gathering with a table, and a proposal it co-brings.
    network = make.collective("Hostile network", network=True)
    join_network(network, collective, maria)
    gathering = gatherings.create_gathering(network, maria, title="Gathering",
                                            starts_on=date.today() + timedelta(days=3))
    table = gatherings.add_table(gathering, maria, title="Table", participants=[maria])
    co_bringer = networks.add_co_bringer(drafting, general_assembly(network), maria)
    db.session.commit()
    items = [i.id for m in (live, scheduled) for i in meetings.agenda(m)]
    values = {
        "slug": [collective.slug, network.slug], "body_slug": [general.slug, group.slug],
        "gathering_slug": [gathering.slug], "table_id": [table.id],
        "co_bringer_id": [co_bringer.id],
        "meeting_id": [live.id, scheduled.id], "item_id": items or [1],
        "proposal_id": [drafting.id, agreed.id, on_agenda.id], "comment_id": [comment.id],
        "agreement_id": [agreed.agreements[-1].id], "number": [1, 2], "holder_id": [holder.id],
        "role": [r.value for r in Role], "action": sorted(ACTION_FORMS), "token": [token],
    }
    return World(values, maria)


def test_every_post_route_can_be_aimed_at(world):
    """A new form whose URL takes an argument this module cannot fill fails here."""
    for endpoint, rule in POST_RULES.items():
        missing = set(rule.arguments) - set(rule.defaults or {}) - set(world.values)
        assert not missing, f"{endpoint}: no values for {missing}"
    assert len(POST_RULES) >= 40


# --- strategies --------------------------------------------------------------------------------

def _url_value(world: World, name: str, converter: str):
    real = st.sampled_from(world.values[name])
    if converter == "IntegerConverter":
        return st.one_of(real, real, hostile_id)
    return st.one_of(real, real, text.filter(bool))


ARGUMENT = re.compile(r"<(?:[^:<>]+:)?(\w+)>")


@st.composite
def _url(draw, world: World, rule) -> str:
    """The rule's path with each argument real or hostile (written by hand, not by url_for,
    which refuses what the route would not match)."""
    def fill(match):
        name = match.group(1)
        if name in (rule.defaults or {}):
            return str(rule.defaults[name])
        converter = type(rule._converters[name]).__name__
        return quote(str(draw(_url_value(world, name, converter))), safe="")

    url = ARGUMENT.sub(fill, rule.rule)
    if draw(st.integers(0, 9)) == 0:
        # One path segment replaced by raw bytes, percent-encoded (invalid UTF-8 included).
        parts = url.split("/")
        at = draw(st.integers(1, len(parts) - 1))
        parts[at] = quote_from_bytes(draw(st.binary(min_size=1, max_size=12)), safe="")
        url = "/".join(parts)
    return url


def _fields(values=text):
    return st.lists(st.tuples(st.one_of(st.sampled_from(FIELD_NAMES), text), values),
                    max_size=8)


@st.composite
def _raw_body(draw, token: str) -> bytes:
    """An urlencoded body written by hand: raw bytes, invalid UTF-8, lone surrogates in UTF-8
    form (ED A0 80), half escapes."""
    parts = [b"csrf_token=" + token.encode()]
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(FIELD_NAMES)).encode()
        value = draw(st.one_of(st.binary(max_size=30),
                               st.sampled_from([b"\xff\xfe", b"\xed\xa0\x80", b"%ED%A0%80",
                                                b"%FF", b"%", b"%0", b"\x00", b"%00"])))
        parts.append(name + b"=" + value)
    if draw(st.booleans()):
        parts.append(draw(st.binary(max_size=20)))  # a part without '='
    return b"&".join(parts)


@st.composite
def _request(draw, world: World, rule, token: str) -> dict:
    kind = draw(st.sampled_from(["fields", "fields", "fields", "raw", "files", "huge"]))
    with_token = draw(st.integers(0, 7)) > 0
    request: dict = {}
    if kind == "raw":
        request["data"] = draw(_raw_body(token if with_token else "wrong"))
        request["content_type"] = "application/x-www-form-urlencoded"
    else:
        fields = draw(_fields())
        if kind == "files":
            fields += [(draw(st.sampled_from(FIELD_NAMES)),
                        (io.BytesIO(draw(st.binary(max_size=200))), "x\x00.txt"))]
            request["content_type"] = "multipart/form-data"
        if kind == "huge":
            size = draw(st.sampled_from([70_000, 300_000, 1_500_000, 3_000_000]))
            fields.append((draw(st.sampled_from(FIELD_NAMES)), draw(st.sampled_from("aé\x00"))
                           * size))
        if with_token:
            fields.append(("csrf_token", token))
        request["data"] = MultiDict(fields)
    if draw(st.integers(0, 4)) == 0:
        # Raw bytes in the query string, as a server hands them over (latin-1 in WSGI).
        raw = draw(st.one_of(st.binary(max_size=30), st.just(b"next=\xff%00\xed\xa0\x80")))
        request["environ_overrides"] = {"QUERY_STRING": raw.decode("latin-1")}
    elif draw(st.booleans()):
        request["query_string"] = {draw(st.sampled_from(["next", "page", "language", "q"])):
                                   draw(st.sampled_from(NASTY))}
    return request


# --- the test ---------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", sorted(POST_RULES))
def test_form_survives_hostile_input(app, world, endpoint):
    rule = POST_RULES[endpoint]
    signs_out = endpoint in {"people.logout", "people.login", "people.join"}
    anonymous = WebClient(app.test_client())
    anonymous_token = anonymous.token()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        signed = data.draw(st.booleans(), label="signed in")
        web = world.signed_in(app, fresh=signs_out) if signed else anonymous
        token = web.token() if signed else anonymous_token
        url = data.draw(_url(world, rule), label="url")
        request = data.draw(_request(world, rule, token), label="request")
        before = row_counts()
        tried("forms")
        response = web.client.post(url, **request)
        status = response.status_code
        assert status < 500, (status, response.get_data(as_text=True)[:2000])
        if 400 <= status < 500:
            assert row_counts() == before, f"a refused request ({status}) wrote rows"

    run()


def test_raw_query_string_bytes_are_not_an_error(web):
    """Servers hand non-UTF-8 query bytes to the app as they came: they are read (as U+FFFD),
    not a 500."""
    raw = b"next=\xff%00\xed\xa0\x80&q=\xc3&page=\xff".decode("latin-1")
    for url in ("/login", "/search"):
        response = web.get(url, environ_overrides={"QUERY_STRING": raw})
        assert response.status_code == 200, url


def test_a_nul_byte_in_an_address_is_no_page(web):
    """PostgreSQL refuses NUL in text: found by the walk above as a 500 on /c/%00/…."""
    for url in ("/c/%00/", "/c/%00/g/x", "/c/x%00y/b/a/"):
        assert web.get(url).status_code == 404, url
