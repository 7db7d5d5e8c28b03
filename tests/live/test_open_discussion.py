"""An open discussion at a live meeting decides nothing: the console draws no consensus check and
no outcome, the server refuses both over the socket, the projector says so, and marking the
meeting from its page while it runs reaches every screen."""

import re

import sqlalchemy as sa

from assembly.extensions import db
from assembly.live import service
from assembly.live.models import ConsensusCheck
from assembly.meetings import service as meetings
from tests.conftest import WebClient
from tests.live.conftest import refused

LINE = "Open discussion: nothing is decided here"


def _web(scene, person):
    web = WebClient(scene.app.test_client())
    web.login(person)
    return web


def _mark(scene, web, marked=True, languages=("ar",)):
    data = {"interpretation_languages": list(languages)}
    if marked:
        data["open_discussion"] = "y"
    return web.post(f"/c/{scene.collective.slug}/m/{scene.meeting.id}/open-discussion", data)


def _as_open_discussion(scene):
    meetings.set_open_discussion(scene.meeting, scene.maria, True, "ar fa")
    db.session.commit()


def test_the_socket_refuses_a_consensus_check_and_an_outcome(scene):
    scene.console.act("next_item")
    _as_open_discussion(scene)
    scene.forget()
    before = scene.seq()
    error = refused(scene, scene.console, scene.console.act("open_check"), "conflict", before)
    assert "nothing is decided here" in error
    error = refused(scene, scene.console, scene.console.act("record_outcome", outcome="drafting"),
                    "conflict", before)
    assert "nothing is decided here" in error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsensusCheck)) == 0
    # Everything else of a meeting goes on: the queue, the notes.
    assert scene.phone.act("raise_hand", kind="new_point")["ok"]
    assert scene.console.act("save_note", item_id=scene.first.id, text="Heard: more hours.")["ok"]


def test_the_room_state_says_it_is_an_open_discussion(scene):
    assert service.snapshot(scene.meeting)["meeting"]["open_discussion"] is False
    _as_open_discussion(scene)
    view = service.snapshot(scene.meeting)["meeting"]
    assert view["open_discussion"] is True and view["interpretation_languages"] == ["ar", "fa"]


def test_the_console_draws_no_decision_controls_for_an_open_discussion(scene):
    web = _web(scene, scene.maria)
    url = f"/c/{scene.collective.slug}/m/{scene.meeting.id}/console"
    deciding = web.text(url)
    assert 'data-act="check_toggle"' in deciding and "data-outcome=" in deciding
    shown = f'id="co-open-discussion"><strong>{LINE}</strong>'
    assert shown not in deciding
    _as_open_discussion(scene)
    page = web.text(url)
    assert shown in page
    for control in ('data-act="check_toggle"', "data-outcome=", 'id="o-delegated-group"',
                    'id="co-open-names"', "Record the outcome"):
        assert control not in page, control
    assert '"open_discussion": true' in page  # the script redraws the page when this changes
    assert 'id="co-notes"' in page and 'data-act="close_meeting"' in page


def test_the_projector_shows_the_label(scene):
    web = _web(scene, scene.maria)
    url = f"/c/{scene.collective.slug}/m/{scene.meeting.id}/projector?lang=en"
    hidden = re.compile(r'id="pj-open-discussion" hidden>' + LINE)
    assert hidden.search(web.text(url))
    _as_open_discussion(scene)
    page = web.text(url)
    assert f'id="pj-open-discussion">{LINE}</p>' in page


def test_marking_a_live_meeting_from_its_page_reaches_every_screen(scene):
    web = _web(scene, scene.maria)
    before = scene.seq()
    response = _mark(scene, web)
    assert response.status_code == 302
    assert scene.seq() == before + 1  # a numbered change, in the log
    states = scene.projector.take("state")
    assert [s["seq"] for s in states] == [before + 1]
    assert states[0]["snapshot"]["meeting"]["open_discussion"] is True
    assert states[0]["snapshot"]["meeting"]["interpretation_languages"] == ["ar"]
    assert scene.phone.take("state")[-1]["snapshot"]["meeting"]["open_discussion"] is True
    assert _mark(scene, web, marked=False, languages=()).status_code == 302
    assert scene.projector.take("state")[-1]["snapshot"]["meeting"]["open_discussion"] is False
    db.session.expire_all()
    assert not scene.meeting.open_discussion


def test_a_meeting_with_an_open_check_is_not_marked(scene):
    web = _web(scene, scene.maria)
    scene.console.act("next_item")
    assert scene.console.act("open_check")["ok"]
    scene.forget()
    before = scene.seq()
    response = _mark(scene, web, languages=("fa",))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "A consensus check is open at this meeting" in page
    assert re.search(r'<input [^>]*checked id="open_discussion"', page)  # what was chosen stays
    assert re.search(r'<input checked id="interpretation_languages-\d+"[^>]*value="fa"', page)
    assert scene.seq() == before and scene.projector.take("state") == []
    db.session.expire_all()
    assert not scene.meeting.open_discussion
