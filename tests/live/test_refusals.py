"""Bad payloads, actions out of role, a closed meeting, retries: each answered with a reason in
words, nothing changed, nothing broadcast, no exception escaping a handler."""

import sqlalchemy as sa

from assembly.extensions import db
from assembly.live import service
from assembly.live.models import LiveHand
from tests.live.conftest import refused

UNKNOWN = 99_999
FACILITATOR_ACTIONS = {
    "next_item": {}, "previous_item": {}, "goto_item": {"item_id": 1}, "call_next": {},
    "end_turn": {}, "move_hand": {"hand_id": 1, "index": 0}, "set_policy": {"policy":
                                                                          "progressive"},
    "open_check": {}, "close_check": {}, "record_outcome": {"outcome": "drafting"},
    "close_meeting": {},
}
EVERY_ACTION = {
    **FACILITATOR_ACTIONS,
    "raise_hand": {"kind": "new_point"}, "lower_hand": {}, "signal": {"kind": "louder"},
    "answer": {"check_id": 1, "answer": "agree"}, "timer_start": {}, "timer_pause": {},
    "timer_reset": {}, "take_over": {}, "save_note": {"item_id": 1, "text": "Notes."},
    "leave": {}, "come_back": {},
}


def test_every_action_type_is_covered():
    from assembly.live.events import FIELDS

    assert set(EVERY_ACTION) == set(FIELDS) == set(service.ACTIONS)


def test_messages_that_are_not_understood(scene):
    phone, meeting_id = scene.phone, scene.meeting.id
    before = scene.seq()
    good = {"meeting_id": meeting_id, "action_id": "a1b2c3d4e5", "type": "raise_hand",
            "kind": "new_point"}
    bad = [
        "raise my hand", None, [1, 2], 42,
        {**good, "meeting_id": None}, {**good, "meeting_id": "1"}, {**good, "meeting_id": True},
        {**good, "meeting_id": -3}, {**good, "meeting_id": 2**40},
        {k: v for k, v in good.items() if k != "action_id"}, {**good, "action_id": 7},
        {**good, "action_id": "short"}, {**good, "action_id": "has spaces in it"},
        {**good, "action_id": "x" * 65}, {**good, "action_id": "x" * 200_000},
        {**good, "type": "dance"}, {**good, "type": None}, {**good, "type": ["raise_hand"]},
        {**good, "kind": None}, {**good, "kind": 3}, {**good, "kind": "shout"},
        {**good, "kind": "x" * 200_000},
    ]
    for payload in bad:
        answer = phone.emit("act", payload)
        refused(scene, phone, answer, "invalid", before)
    for payload in bad[:4]:
        refused(scene, phone, phone.emit("join", payload), "invalid", before)
        refused(scene, phone, phone.emit("snapshot", payload), "invalid", before)
    refused(scene, phone, phone.emit("join", {"meeting_id": meeting_id, "view": "tv"}),
            "invalid", before)
    refused(scene, phone, phone.emit("join", {"meeting_id": meeting_id}), "invalid", before)
    refused(scene, phone, phone.emit("join"), "invalid", before)


def test_unknown_meeting(scene):
    before = scene.seq()
    for event, payload in (("join", {"view": "participant"}), ("snapshot", {}),
                           ("act", {"action_id": "abcdefgh12", "type": "raise_hand",
                                    "kind": "new_point"})):
        answer = scene.phone.emit(event, {"meeting_id": UNKNOWN, **payload})
        refused(scene, scene.phone, answer, "not_found", before)


# Per action type: fields that are missing, of the wrong type, out of range or unknown.
BAD_FIELDS = [
    ("raise_hand", {}, "invalid"),
    ("raise_hand", {"kind": ["new_point"]}, "invalid"),
    ("raise_hand", {"kind": "interrupt"}, "invalid"),
    ("lower_hand", {"hand_id": "1"}, "invalid"),
    ("lower_hand", {"hand_id": UNKNOWN}, "not_found"),
    ("lower_hand", {}, "conflict"),
    ("signal", {}, "invalid"),
    ("signal", {"kind": "faster"}, "invalid"),
    ("answer", {"answer": "agree"}, "invalid"),
    ("answer", {"check_id": UNKNOWN, "answer": "agree"}, "not_found"),
    ("answer", {"check_id": 1.5, "answer": "agree"}, "invalid"),
    ("goto_item", {}, "invalid"),
    ("goto_item", {"item_id": True}, "invalid"),
    ("goto_item", {"item_id": UNKNOWN}, "not_found"),
    ("move_hand", {"hand_id": UNKNOWN, "index": 0}, "not_found"),
    ("move_hand", {"hand_id": 1}, "invalid"),
    ("move_hand", {"hand_id": 1, "index": -1}, "invalid"),
    ("move_hand", {"hand_id": 1, "index": "first"}, "invalid"),
    ("set_policy", {}, "invalid"),
    ("set_policy", {"policy": "loudest_first"}, "invalid"),
    ("open_check", {"open_names": "yes"}, "invalid"),
    ("record_outcome", {}, "invalid"),
    ("record_outcome", {"outcome": "vetoed"}, "invalid"),
    ("record_outcome", {"outcome": "agreed", "review_date": "next spring"}, "invalid"),
    ("record_outcome", {"outcome": "agreed", "review_date": "2030-02-31"}, "invalid"),
    ("record_outcome", {"outcome": "delegated", "working_group_id": "x"}, "invalid"),
    ("save_note", {"text": "Notes."}, "invalid"),
    ("save_note", {"item_id": UNKNOWN, "text": "Notes."}, "not_found"),
    ("save_note", {"item_id": 1, "text": None}, "invalid"),
    ("save_note", {"item_id": 1, "text": "x" * 100_001}, "invalid"),
]

# Actions that are well formed but impossible from the state at the start of the meeting.
IMPOSSIBLE_NOW = [
    ("previous_item", {}, "conflict"),  # no item yet
    ("call_next", {}, "conflict"),  # nobody waiting
    ("end_turn", {}, "conflict"),  # nobody speaking
    ("timer_pause", {}, "conflict"),  # not running
    ("open_check", {}, "conflict"),  # no current item
    ("close_check", {}, "conflict"),  # none open
    ("record_outcome", {"outcome": "drafting"}, "conflict"),  # no current item
    ("take_over", {}, "conflict"),  # Maria already facilitates
]


def test_bad_fields_for_every_action(scene):
    def check(cases, before):
        for kind, fields, code in cases:
            screen = scene.phone if kind in ("raise_hand", "signal", "answer") else scene.console
            answer = screen.act(kind, **fields)
            assert answer.get("code") == code, (kind, fields, answer)
            refused(scene, screen, answer, code, before)

    check(IMPOSSIBLE_NOW, scene.seq())
    scene.phone.act("raise_hand", kind="new_point")  # so hand 1 exists where it matters
    scene.forget()
    check(BAD_FIELDS, scene.seq())


def test_ids_from_another_meeting_are_unknown(scene, make):
    other = make.meeting(scene.assembly, scene.maria, days=3)
    from assembly.meetings.service import add_free_point

    elsewhere = add_free_point(other, scene.maria, "Elsewhere")
    db.session.commit()
    before = scene.seq()
    for kind, fields in (("goto_item", {"item_id": elsewhere.id}),
                         ("save_note", {"item_id": elsewhere.id, "text": "x"})):
        refused(scene, scene.console, scene.console.act(kind, **fields), "not_found", before)


def test_a_phone_cannot_facilitate(scene):
    before = scene.seq()
    for kind, fields in FACILITATOR_ACTIONS.items():
        answer = scene.phone.act(kind, **fields)
        assert answer.get("code") == "forbidden", (kind, answer)
        refused(scene, scene.phone, answer, "forbidden", before)
    for kind in ("timer_start", "timer_pause", "timer_reset"):
        refused(scene, scene.phone, scene.phone.act(kind), "forbidden", before)
    refused(scene, scene.phone, scene.phone.act("save_note", item_id=scene.first.id, text="x"),
            "forbidden", before)


def test_nobody_lowers_someone_elses_hand_but_the_facilitator(scene):
    scene.console.act("raise_hand", kind="new_point")
    hand = db.session.scalars(sa.select(LiveHand)).one()
    scene.forget()
    before = scene.seq()
    refused(scene, scene.phone, scene.phone.act("lower_hand", hand_id=hand.id), "forbidden",
            before)
    db.session.refresh(hand)
    assert hand.lowered_at is None


def test_the_projector_and_non_members_cannot_act(scene, make):
    before = scene.seq()
    refused(scene, scene.projector, scene.projector.act("raise_hand", kind="new_point"),
            "forbidden", before)
    outsider = make.person("Outsider")
    screen = scene.screen(outsider, "projector")
    refused(scene, screen, screen.act("raise_hand", kind="new_point"), "forbidden", before)
    refused(scene, screen, screen.join("facilitator"), "forbidden", before)


def test_a_second_raise_of_the_same_kind_is_refused(scene):
    scene.phone.act("raise_hand", kind="new_point")
    scene.forget()
    before = scene.seq()
    refused(scene, scene.phone, scene.phone.act("raise_hand", kind="new_point"), "conflict",
            before)
    assert scene.phone.act("raise_hand", kind="direct_response")["ok"]


def test_a_signal_is_not_repeated_within_seconds(scene):
    scene.phone.act("signal", kind="slower")
    scene.forget()
    before = scene.seq()
    refused(scene, scene.phone, scene.phone.act("signal", kind="slower"), "conflict", before)


def test_a_block_needs_a_reason_and_a_closed_check_takes_no_answers(scene):
    scene.console.act("next_item")
    scene.console.act("open_check")
    check_id = scene.projector.take("state")[-1]["snapshot"]["check"]["id"]
    scene.forget()
    before = scene.seq()
    for reason in (None, "", "   "):
        answer = scene.phone.act("answer", check_id=check_id, answer="block", reason=reason)
        refused(scene, scene.phone, answer, "invalid", before)
    scene.console.act("close_check")
    scene.forget()
    answer = scene.phone.act("answer", check_id=check_id, answer="agree")
    refused(scene, scene.phone, answer, "conflict", before + 1)


def test_free_points_have_no_outcome_and_outcomes_are_recorded_once(scene):
    scene.console.act("goto_item", item_id=scene.free.id)
    scene.forget()
    before = scene.seq()
    answer = scene.console.act("record_outcome", outcome="drafting")
    refused(scene, scene.console, answer, "conflict", before)
    scene.console.act("goto_item", item_id=scene.first.id)
    assert scene.console.act("record_outcome", outcome="drafting")["ok"]
    scene.forget()
    answer = scene.console.act("record_outcome", outcome="postponed", reason="Again")
    refused(scene, scene.console, answer, "conflict", before + 2)


def test_every_action_on_a_closed_meeting_is_refused(scene):
    assert scene.console.act("close_meeting")["ok"]
    scene.forget()
    before = scene.seq()
    for kind, fields in EVERY_ACTION.items():
        screen = scene.console if kind in FACILITATOR_ACTIONS else scene.phone
        answer = screen.act(kind, **fields)
        assert answer.get("code") == "conflict", (kind, answer)
        refused(scene, screen, answer, "conflict", before)
    # Reading still works: the projector shows that the meeting is closed.
    answer = scene.projector.emit("snapshot", {"meeting_id": scene.meeting.id})
    assert answer["ok"] and answer["snapshot"]["status"] == "closed"


def test_a_retry_is_applied_once_with_the_same_answer(scene):
    before = scene.seq()
    first = scene.phone.act("raise_hand", action_id="retry-0001-abcd", kind="new_point")
    assert first == {"ok": True, "seq": before + 1}
    scene.forget()
    for _ in range(3):
        again = scene.phone.act("raise_hand", action_id="retry-0001-abcd", kind="new_point")
        assert again == first
    # Even with another body: the id names the action, and it was applied already.
    assert scene.phone.act("signal", action_id="retry-0001-abcd", kind="louder") == first
    assert scene.seq() == before + 1
    assert len(db.session.scalars(sa.select(LiveHand)).all()) == 1
    for screen in scene.clients:
        assert screen.take("state") == []
    # Ids are per meeting and per action, so a new id applies.
    assert scene.phone.act("signal", action_id="retry-0002-abcd", kind="louder")["ok"]


def test_a_failure_inside_a_handler_is_answered_not_raised(scene, monkeypatch):
    def broken(meeting):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(service, "snapshot", broken)
    before = scene.seq()
    answer = scene.projector.emit("snapshot", {"meeting_id": scene.meeting.id})
    assert answer["ok"] is False and answer["code"] == "server_error"
    assert "disk" not in answer["error"] and answer["error"].strip()
    assert scene.projector.take("action_error")[0]["code"] == "server_error"
    # An action is committed before its broadcast: if the broadcast fails, the sender is still
    # told it was applied, and that the room was not told; a retry finds it applied.
    applied_once = scene.phone.act("raise_hand", action_id="fails-to-broadcast",
                                   kind="new_point")
    assert applied_once.pop("code") == "not_broadcast" and applied_once.pop("warning").strip()
    assert applied_once == {"ok": True, "seq": before + 1}
    assert scene.projector.take("state") == []
    monkeypatch.undo()
    again = scene.phone.act("raise_hand", action_id="fails-to-broadcast", kind="new_point")
    assert again == applied_once
    answer = scene.projector.emit("snapshot", {"meeting_id": scene.meeting.id})
    assert answer["snapshot"]["seq"] == before + 1 and len(answer["snapshot"]["queue"]) == 1


def test_the_reason_is_in_the_readers_language(scene, make, tmp_path, monkeypatch):
    """A tiny Greek catalogue stands in for the real ones (compiled later): a Greek-speaking
    member's refusal arrives in Greek, the same refusal to an English speaker in English."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from assembly.extensions import babel

    catalog = Catalog(locale="el")
    catalog.add("Your hand is already raised for this.", "Το χέρι σου είναι ήδη σηκωμένο.")
    (tmp_path / "el" / "LC_MESSAGES").mkdir(parents=True)
    with open(tmp_path / "el" / "LC_MESSAGES" / "messages.mo", "wb") as out:
        write_mo(out, catalog)
    monkeypatch.setattr(scene.app.extensions["babel"], "translation_directories",
                        [str(tmp_path)])
    monkeypatch.setattr(babel.domain_instance, "cache", {})

    giorgos = scene.screen(make.member(scene.collective, "Giorgos", language="el"))
    for screen in (giorgos, scene.phone):
        assert screen.act("raise_hand", kind="new_point")["ok"]
    scene.forget()
    before = scene.seq()
    greek = refused(scene, giorgos, giorgos.act("raise_hand", kind="new_point"), "conflict",
                    before)
    english = refused(scene, scene.phone, scene.phone.act("raise_hand", kind="new_point"),
                      "conflict", before)
    assert (greek, english) == ("Το χέρι σου είναι ήδη σηκωμένο.",
                                "Your hand is already raised for this.")
