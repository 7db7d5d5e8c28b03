"""The authorisation matrix (tests/authz_table.py), walked cell by cell: every route and every
live event, for every actor, at every visibility. An allowed action succeeds; a refused one is
404 where the thing may not be known and 403 where it may, and changes nothing: neither the number
of rows in any table nor the columns of the thing acted on."""

import contextvars
import re
import uuid
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from assembly.extensions import db, socketio
from tests import authz_table as table
from tests.authz_table import (
    ACTORS,
    CANARY,
    FACILITATOR,
    FB,
    IN_COLLECTIVE,
    INCOMER,
    LOGIN,
    NF,
    NOTE_TAKER,
    OK,
    OUTSIDER,
    PUBLIC,
    SEEN,
    TABLE,
    UNSEEN,
    VISIBILITIES,
    WALKED_APART,
    World,
    can_read,
)
from tests.conftest import PASSWORD, WebClient

# --- the route table covers every route ----------------------------------------------------------


def test_every_route_is_in_the_table(app):
    """A new route must be added to tests/authz_table.py, with who may use it."""
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    covered = {(row.rule, row.method) for row in TABLE}
    missing = sorted(routes - covered)
    assert not missing, "routes missing from tests/authz_table.py TABLE:\n" + "\n".join(
        f"  {method} {rule}" for rule, method in missing)
    gone = sorted(covered - routes)
    assert not gone, f"rows for routes that no longer exist: {gone}"


# --- walking the table ---------------------------------------------------------------------------

class Actor:
    """One person's browser, signed in once, with its CSRF token kept."""

    def __init__(self, app, person):
        self.web = WebClient(app.test_client())
        if person is not None:
            self.web.login(person)
        self.csrf = self.web.token()

    def send(self, method: str, url: str, data: dict):
        client = self.web.client._client

        def run():
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": self.csrf, **data})
            response.get_data()  # a streamed body is read while its request is current
            return response
        # As the web fixture does: the request runs outside the test's app context.
        return contextvars.Context().run(run)


def state(target) -> tuple:
    """Row counts of every table, and the target's own row."""
    parts = [sa.select(sa.literal(t.name).label("t"), sa.func.count().label("n")).select_from(t)
             for t in db.metadata.sorted_tables]
    counts = dict(db.session.execute(sa.union_all(*parts)).all())
    row = None
    if target.obj is not None:
        inspected = sa.inspect(target.obj)
        found = inspected.mapper.local_table
        keys = inspected.mapper.primary_key
        row = db.session.execute(sa.select(found).where(
            *(k == v for k, v in zip(keys, inspected.identity, strict=True)))).mappings().first()
        row = dict(row) if row is not None else None
    db.session.commit()  # end the read: the request is another connection
    return counts, row


def outcome(response, marker: str | None = None) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        return LOGIN if urlparse(response.headers["Location"]).path == "/login" else OK
    if status in (200, 201):
        if marker is None:
            return OK
        return SEEN if marker in response.get_data(as_text=True) else UNSEEN
    return {404: NF, 403: FB}.get(status, str(status))


def _said(response) -> str:
    """The error words of a page sent back, to tell validation from authorisation."""
    if response.status_code not in (400, 409, 422, 429):
        return ""
    text = response.get_data(as_text=True)
    found = re.findall(r'<p class="(?:field-error|flash flash-error)"[^>]*>(.*?)</p>', text, re.S)
    return ": " + " | ".join(re.sub(r"<[^>]+>", "", f).strip() for f in found)[:300]


def _difference(before, after) -> str:
    counts = {t: (before[0][t], after[0].get(t)) for t in before[0]
              if before[0][t] != after[0].get(t)}
    row = {k: (v, (after[1] or {}).get(k)) for k, v in (before[1] or {}).items()
           if (after[1] or {}).get(k) != v}
    return f"rows {counts} columns {row}"


def walk_cell(world, actors, row, vis, actor) -> str | None:
    expected = row.policy(actor, vis)
    target = row.target(world, vis)
    data = row.data(world, vis, target, actor) if row.data else {}
    address = table.url(row.rule, target.args)
    if row.query:
        address += "?" + "&".join(f"{k}={v}" for k, v in row.query(target).items())
    listed = expected in (SEEN, UNSEEN)
    refused = expected not in (OK, SEEN, UNSEEN)
    # Only a refusal must leave everything as it was (an allowed cell that is refused fails
    # on its outcome already).
    before = state(target) if refused else None
    response = actors[actor].send(row.method, address, data)
    got = outcome(response, target.marker if listed else None)
    problem = None
    if got != expected:
        problem = f"expected {expected}, got {got} ({response.status_code}{_said(response)})"
    if refused:
        after = state(target)
        if after != before:
            problem = (problem or "refused") + ", but changed " + _difference(before, after)
    if row.method == "POST" and got == OK:
        for fresh in row.fresh:
            world.forget((*fresh, vis))
        if row.restore is not None:
            row.restore(world, vis, actor)
    db.session.rollback()
    if problem:
        return f"{row.method} {row.rule} [{vis}] {actor}: {problem}"
    return None


def _in_proposal(rule: str) -> bool:
    return "/p/" in rule and "/comments" not in rule and "/translations" not in rule


# Four walks, each with its own world (building one takes a few seconds): the site, the
# collective and its bodies; proposals and their steps; comments and translations; meetings and
# their live pages.
GROUPS = {
    "site": lambda r: "/p/" not in r.rule and "/m/" not in r.rule,
    "proposals": lambda r: _in_proposal(r.rule),
    "comments": lambda r: "/comments" in r.rule or "/translations" in r.rule,
    "meetings": lambda r: "/m/" in r.rule and "/translations" not in r.rule,
}


def cells(rows) -> int:
    return sum(len(ACTORS) * (len(VISIBILITIES) if r.per_visibility else 1) for r in rows)


def test_groups_cover_the_table():
    grouped = [r for r in TABLE for test in GROUPS.values() if test(r)]
    assert sorted(map(id, grouped)) == sorted(map(id, TABLE)), "each row in exactly one group"


@pytest.fixture
def world(app, make):
    found = World(make)
    actors = {name: Actor(app, person) for name, person in found.people.items()}
    return found, actors


def walk(found, actors, group, *, steps=True):
    rows = [r for r in TABLE if GROUPS[group](r) and (r.rule, r.method) not in WALKED_APART
            and (steps or "/steps/" not in r.rule)]
    assert rows
    problems = []
    for row in rows:
        for vis in (VISIBILITIES if row.per_visibility else (None,)):
            for actor in ACTORS:
                problem = walk_cell(found, actors, row, vis, actor)
                if problem:
                    problems.append(problem)
    assert not problems, f"{len(problems)} of {cells(rows)} cells wrong:\n" + "\n".join(problems)


@pytest.mark.parametrize("group", list(GROUPS))
def test_matrix(world, group):
    walk(*world, group)


# On SQLite only: the same rules and queries as test_matrix, which walks both databases; this
# variant changes the world, not the SQL (and took 90 s of the suite on PostgreSQL).
@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize("group", ["site", "proposals", "comments"])
def test_matrix_with_the_visibility_on_the_proposal(app, make, group):
    """The same rows, with members-only and confidential proposals in the public group (the
    lifecycle steps, slow to walk, only once: they load the proposal as the pages do)."""
    found = World(make, proposal_level=True)
    walk(found, {name: Actor(app, person) for name, person in found.people.items()}, group,
         steps=False)


# --- the rows walked apart: they sign people in or out or need the actor's own data ----------

def signing_in_and_out(found, actors):
    for name in ACTORS:
        before = state(table.Target({}))
        wrong = actors[name].send("POST", "/login", {"name": "Nobody", "password": "wrong"})
        assert wrong.status_code == 422 and state(table.Target({})) == before, name
    for name in ACTORS:
        assert outcome(actors[name].send("POST", "/logout", {})) == OK
        assert outcome(actors[name].web.get("/me")) == LOGIN, name


def own_account(found, actors):
    for name, person in found.people.items():
        data = {"display_name": person.display_name if person else "X", "language": "en"}
        got = outcome(actors[name].send("POST", "/account", data))
        assert got == (LOGIN if name == INCOMER else OK), name


def invitation_link_is_the_key(found, actors):
    from assembly.people.service import create_invitation, is_member

    assert actors[OUTSIDER].web.get("/join/not-a-token").status_code == 404
    _invitation, token = create_invitation(found.collective, found.fay, "")
    db.session.commit()
    joined = actors[OUTSIDER].send("POST", f"/join/{token}", {"confirm": "1"})
    assert outcome(joined) == OK
    assert is_member(found.people[OUTSIDER], found.collective)
    _invitation, token = create_invitation(found.collective, found.fay, "")
    db.session.commit()
    # Another browser: joining signs the incomer in, which would end this one's session.
    created = Actor(actors[INCOMER].web.client._client.application, None).send(
        "POST", f"/join/{token}", {
        "display_name": "New Person", "password": PASSWORD, "email": "", "language": "en"})
    assert outcome(created) == OK


def personal_feed_by_token_only(found, actors):
    from assembly.digest.service import feed_token

    found.proposal(table.CONFIDENTIAL)
    assert actors[INCOMER].web.get("/me/feed/not-a-token.atom").status_code == 404
    for name, person in found.people.items():
        if person is None:
            continue
        token = feed_token(person)
        db.session.commit()
        response = actors[INCOMER].web.get(f"/me/feed/{token}.atom")
        assert response.status_code == 200, name
        shows = CANARY in response.get_data(as_text=True)
        assert not shows or can_read(name, table.CONFIDENTIAL), name


def test_rows_walked_apart(world):
    found, actors = world
    own_account(found, actors)
    personal_feed_by_token_only(found, actors)
    invitation_link_is_the_key(found, actors)
    signing_in_and_out(found, actors)  # last: everyone is signed out after it


# --- live events -----------------------------------------------------------------------------

def _hand(w, vis):
    from assembly.live.service import open_hands

    hands = open_hands(w.live[vis])
    return hands[-1].id if hands else 1


def _check(w, vis):
    from assembly.live.models import ConsensusCheck

    return db.session.scalar(sa.select(sa.func.max(ConsensusCheck.id)).where(
        ConsensusCheck.meeting_id == w.live[vis].id)) or 1


def _item(n):
    def find(w, vis):
        from assembly.meetings.service import agenda

        return agenda(w.live[vis])[n].id
    return find


ANYONE_PRESENT, MEMBERS_PRESENT = "participant", "member"
# In the order walked, so each allowed action finds what it needs: (type, who, fields).
EVENTS = [
    ("raise_hand", ANYONE_PRESENT, {"kind": "new_point"}),
    ("signal", ANYONE_PRESENT, {"kind": "slower"}),
    ("set_policy", FACILITATOR, {"policy": "progressive"}),
    ("move_hand", FACILITATOR, {"hand_id": _hand, "index": 0}),
    ("call_next", FACILITATOR, {}),
    ("end_turn", FACILITATOR, {}),
    ("raise_hand", ANYONE_PRESENT, {"kind": "clarifying_question"}),
    ("lower_hand", ANYONE_PRESENT, {}),
    ("next_item", FACILITATOR, {}),
    ("goto_item", FACILITATOR, {"item_id": _item(1)}),
    ("previous_item", FACILITATOR, {}),
    ("timer_start", FACILITATOR, {}),
    ("timer_pause", FACILITATOR, {}),
    ("timer_reset", FACILITATOR, {}),
    ("open_check", FACILITATOR, {"open_names": False}),
    ("answer", ANYONE_PRESENT, {"check_id": _check, "answer": "agree"}),
    ("close_check", FACILITATOR, {}),
    ("save_note", NOTE_TAKER, {"item_id": _item(0), "text": "Noted."}),
    ("record_outcome", FACILITATOR, {"outcome": "postponed", "reason": "More time."}),
    ("take_over", MEMBERS_PRESENT, {}),
    ("close_meeting", FACILITATOR, {}),
]


def event_expected(who: str, actor: str, vis: str) -> str:
    if not can_read(actor, vis):
        return "not_found"
    if who == ANYONE_PRESENT:
        return "ok"
    if who == MEMBERS_PRESENT:
        return "ok" if actor in IN_COLLECTIVE else "forbidden"
    if who == NOTE_TAKER:
        return "ok" if actor in (FACILITATOR, NOTE_TAKER) else "forbidden"
    return "ok" if actor == FACILITATOR else "forbidden"


JOIN_VIEWS = {"participant": lambda a, v: "ok" if can_read(a, v) else "not_found",
              "projector": lambda a, v: "ok" if can_read(a, v) else "not_found",
              "facilitator": lambda a, v: ("not_found" if not can_read(a, v) else
                                           "ok" if a in IN_COLLECTIVE else "forbidden")}


def _code(answer: dict) -> str:
    return "ok" if answer.get("ok") else answer.get("code", "?")


def _live_state(w, vis):
    from assembly.live.models import LiveMeeting

    return state(table.Target({}, db.session.get(LiveMeeting, w.live[vis].id)))


def test_live_events(world, app):
    found, actors = world
    problems, walked = [], 0
    for vis in VISIBILITIES:
        meeting = found.live[vis]
        # Incomers and outsiders take part as guests where they may: before connecting, as the
        # socket keeps the session it connected with.
        for name in (INCOMER, OUTSIDER):
            if vis == PUBLIC:
                joined = actors[name].send("POST", f"/c/{found.collective.slug}/m/{meeting.id}"
                                           "/live/join", {"name": f"Guest {name}"})
                assert outcome(joined) == OK
        sockets = {name: socketio.test_client(app, flask_test_client=actors[name].web.client
                                              ._client) for name in ACTORS}
        try:
            for view, rule in JOIN_VIEWS.items():
                for name in ACTORS:
                    walked += 1
                    answer = sockets[name].emit("join", {"meeting_id": meeting.id,
                                                         "view": view}, callback=True)
                    if _code(answer) != rule(name, vis):
                        problems.append(f"join {view} [{vis}] {name}: {answer}")
            for name in ACTORS:
                walked += 1
                answer = sockets[name].emit("snapshot", {"meeting_id": meeting.id},
                                            callback=True)
                if _code(answer) != JOIN_VIEWS["participant"](name, vis):
                    problems.append(f"snapshot [{vis}] {name}: {answer}")
            for kind, who, fields in EVENTS:
                for name in ACTORS:
                    walked += 1
                    expected = event_expected(who, name, vis)
                    data = {k: v(found, vis) if callable(v) else v for k, v in fields.items()}
                    before = _live_state(found, vis)
                    answer = sockets[name].emit("act", {
                        "meeting_id": meeting.id, "action_id": uuid.uuid4().hex, "type": kind,
                        **data}, callback=True)
                    got = _code(answer)
                    if got != expected:
                        problems.append(f"act {kind} [{vis}] {name}: expected {expected}, "
                                        f"got {answer}")
                    if expected != "ok" and _live_state(found, vis) != before:
                        problems.append(f"act {kind} [{vis}] {name}: refused but changed state")
                    db.session.rollback()
        finally:
            for client in sockets.values():
                if client.is_connected():
                    client.disconnect()
    assert not problems, f"{len(problems)} of {walked} live cells wrong:\n" + "\n".join(problems)


def test_live_screens_name_no_proposal_closed_to_the_room(app, make):
    """A members-only or confidential proposal on the agenda of a public meeting: the room (its
    projector, guests' phones) is anyone who may read the meeting, so the live state must not
    carry the proposal's title or text, as the meeting page and the minutes do not."""
    from assembly.meetings.models import Role
    from assembly.meetings.service import assign_role
    from tests.conftest import _on_agenda

    collective = make.collective()
    fay = make.member(collective, "Fay")
    group = make.working_group(collective, fay, "Open group")
    meeting = make.meeting(group, fay, days=0, live=True)
    for level in ("members", "confidential"):
        proposal = make.proposal(group, fay, "drafting", title=f"{level} {CANARY}",
                                 text=f"Text {CANARY}", visibility=level)
        _on_agenda(make, proposal, fay)
    assign_role(meeting, fay, Role.FACILITATOR, fay)
    db.session.commit()
    guest = socketio.test_client(app, flask_test_client=Actor(app, None).web.client._client)
    console = socketio.test_client(app, flask_test_client=Actor(app, fay).web.client._client)
    try:
        joined = guest.emit("join", {"meeting_id": meeting.id, "view": "projector"},
                            callback=True)
        assert joined["ok"] and CANARY not in str(joined["snapshot"])
        assert console.emit("join", {"meeting_id": meeting.id, "view": "facilitator"},
                            callback=True)["ok"]
        for _item in range(2):
            moved = console.emit("act", {"meeting_id": meeting.id, "type": "next_item",
                                         "action_id": uuid.uuid4().hex}, callback=True)
            assert moved["ok"], moved
        received = str(guest.get_received())
        assert "snapshot" in received and CANARY not in received
        # The members' own pages still name it: only the room-wide state is discreet.
        page = Actor(app, fay).web.get(f"/c/{collective.slug}/m/{meeting.id}")
        assert CANARY in page.get_data(as_text=True)
    finally:
        guest.disconnect()
        console.disconnect()
