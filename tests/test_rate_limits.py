"""Rate limits: signing in (per address and name), joining by invitation (per address), and the
actions of one live connection (a token bucket in the Socket.IO handler wrapper). Other tests run
with the limits off (tests/conftest.py make_app); these build an app with them on."""

import pytest

from assembly.extensions import db
from tests.conftest import PASSWORD, WebClient, make_app
from tests.live.conftest import Screen


@pytest.fixture
def limited(app, databases, backend):
    """The same database as ``app``, in an app whose limits are on (small ones, to be quick)."""
    limited = make_app({**databases.config(backend), "RATELIMIT_ENABLED": True,
                        "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_LOGIN": "3 per minute",
                        "RATELIMIT_JOIN": "2 per hour", "LIVE_ACTIONS_PER_SECOND": 0.01,
                        "LIVE_ACTIONS_BURST": 4})
    yield limited
    db.session.remove()


def test_login_is_refused_after_the_limit_and_keeps_the_name(limited, make):
    maria = make.person("Maria")
    web = WebClient(limited.test_client())
    for _ in range(3):
        wrong = web.post("/login", {"name": "Maria", "password": "not it"})
        assert wrong.status_code == 422
    refused = web.post("/login", {"name": "Maria", "password": PASSWORD})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Too many attempts in a short time" in page
    assert 'value="Maria"' in page, "the name typed stays in the form"
    assert PASSWORD not in page
    # Counted per name: someone else on the same connection may still sign in.
    nikos = make.person("Nikos")
    assert WebClient(limited.test_client()).login(nikos).status_code == 302
    assert maria.id


def test_the_refusal_is_translated(limited, make):
    make.person("Maria")
    web = WebClient(limited.test_client())
    web.client.set_cookie("lang", "el")
    for _ in range(3):
        web.post("/login", {"name": "Maria", "password": "not it"})
    refused = web.post("/login", {"name": "Maria", "password": "not it"})
    assert refused.status_code == 429
    assert "Πάρα πολλές προσπάθειες" in refused.get_data(as_text=True)


def test_joining_is_limited_per_address(limited, make):
    from assembly.people import service

    collective = make.collective()
    _invitation, token = service.create_invitation(collective, None)
    db.session.commit()
    web = WebClient(limited.test_client())
    for _ in range(2):
        # A password too short: refused by the form, counted all the same.
        answer = web.post(f"/join/{token}", {"display_name": "Eleni", "password": "short",
                                             "language": "en"})
        assert answer.status_code == 422
    refused = web.post(f"/join/{token}", {"display_name": "Eleni", "password": "a" * 12,
                                          "language": "en"})
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many attempts in a short time" in page and 'value="Eleni"' in page


def test_limits_are_off_in_other_tests(app, make):
    maria = make.person("Maria")
    web = WebClient(app.test_client())
    for _ in range(15):
        web.post("/login", {"name": "Maria", "password": "not it"})
    web.login(maria)


def test_socket_actions_beyond_the_burst_are_refused_with_a_reason(limited, make):
    collective = make.collective()
    maria = make.member(collective, "Maria")
    meeting = make.meeting(make.assembly(collective), maria, days=0, live=True)
    web = WebClient(limited.test_client())
    web.login(maria)
    screen = Screen(limited, web.client, meeting.id)
    answers = [screen.emit("snapshot", {"meeting_id": meeting.id}) for _ in range(6)]
    assert [a["ok"] for a in answers] == [True] * 4 + [False] * 2, answers
    assert answers[-1]["code"] == "rate_limited"
    assert "Too many attempts in a short time" in answers[-1]["error"]
    errors = screen.take("action_error")
    assert [e["code"] for e in errors] == ["rate_limited"] * 2
    # Another connection has its own bucket.
    other = Screen(limited, WebClient(limited.test_client()).client, meeting.id)
    assert other.emit("snapshot", {"meeting_id": meeting.id})["ok"] is True
    screen.client.disconnect()
    other.client.disconnect()
