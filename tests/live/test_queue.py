"""Queue policies: first come, or the progressive stack (people who have spoken less in this
meeting go first); points of process always first, direct responses right after the speaker."""

from datetime import timedelta

from freezegun import freeze_time

from assembly.core.db import utcnow


def queue(scene) -> list[tuple[str, str]]:
    answer = scene.projector.emit("snapshot", {"meeting_id": scene.meeting.id})
    return [(h["name"], h["kind"]) for h in answer["snapshot"]["queue"]]


def speak(scene, clock, seconds):
    assert scene.console.act("call_next")["ok"]
    clock.tick(seconds)
    assert scene.console.act("end_turn")["ok"]


def test_first_come_with_points_of_process_and_direct_responses(scene):
    eleni = scene.screen(scene.eleni)
    with freeze_time(utcnow()) as clock:
        for screen, kind in ((scene.phone, "new_point"), (eleni, "clarifying_question"),
                             (scene.console, "new_point"), (eleni, "direct_response"),
                             (scene.phone, "point_of_process"),
                             (scene.console, "direct_response")):
            clock.tick(1)
            assert screen.act("raise_hand", kind=kind)["ok"]
    assert queue(scene) == [
        ("Nikos", "point_of_process"),
        ("Eleni", "direct_response"), ("Maria", "direct_response"),
        ("Nikos", "new_point"), ("Eleni", "clarifying_question"), ("Maria", "new_point"),
    ]
    assert scene.console.act("call_next")["ok"]
    assert scene.projector.take("state")[-1]["snapshot"]["speaker"]["kind"] == "point_of_process"


def test_progressive_stack_puts_who_spoke_less_first(scene):
    eleni = scene.screen(scene.eleni)
    assert scene.console.act("set_policy", policy="progressive")["ok"]
    with freeze_time(utcnow()) as clock:
        scene.phone.act("raise_hand", kind="new_point")
        speak(scene, clock, 60)  # Nikos has spoken once
        for screen in (scene.phone, scene.console, eleni):
            clock.tick(1)
            screen.act("raise_hand", kind="new_point")
        assert queue(scene) == [("Maria", "new_point"), ("Eleni", "new_point"),
                                ("Nikos", "new_point")]
        speak(scene, clock, 10)  # Maria
        speak(scene, clock, 5)  # Eleni
        # All have spoken once now: Eleni least, then Maria, then Nikos (whose new point is
        # still waiting, ahead of his own question).
        for screen in (scene.phone, scene.console, eleni):
            clock.tick(1)
            screen.act("raise_hand", kind="clarifying_question")
        assert queue(scene) == [("Eleni", "clarifying_question"),
                                ("Maria", "clarifying_question"), ("Nikos", "new_point"),
                                ("Nikos", "clarifying_question")]
        # A point of process still jumps everyone.
        scene.phone.act("raise_hand", kind="point_of_process")
        assert queue(scene)[0] == ("Nikos", "point_of_process")


def test_the_facilitators_order_is_kept_when_others_raise_hands(scene):
    eleni = scene.screen(scene.eleni)
    with freeze_time(utcnow()) as clock:
        for screen in (scene.phone, eleni):
            clock.tick(1)
            screen.act("raise_hand", kind="new_point")
        hand = scene.projector.take("state")[-1]["snapshot"]["queue"][1]["hand_id"]
        assert scene.console.act("move_hand", hand_id=hand, index=0)["ok"]
        clock.tick(1)
        scene.console.act("raise_hand", kind="new_point")
        scene.console.act("raise_hand", kind="direct_response")
    assert queue(scene) == [("Maria", "direct_response"), ("Eleni", "new_point"),
                            ("Nikos", "new_point"), ("Maria", "new_point")]
    # A place beyond the end means the end.
    assert scene.console.act("move_hand", hand_id=hand, index=99)["ok"]
    assert queue(scene)[-1] == ("Eleni", "new_point")


def test_speaking_time_per_person_is_the_sum_of_turns(scene):
    eleni = scene.screen(scene.eleni)
    with freeze_time(utcnow()) as clock:
        for screen, seconds in ((scene.phone, 30), (eleni, 10), (scene.phone, 20)):
            screen.act("raise_hand", kind="new_point")
            speak(scene, clock, seconds)
        scene.phone.act("raise_hand", kind="new_point")
        scene.console.act("call_next")  # a running turn counts too
        clock.tick(7)
        scene.console.act("signal", kind="louder")
    console = scene.console.take("console")[-1]["console"]
    assert [(r["name"], r["turns"], r["seconds"]) for r in console["speaking"]] == [
        ("Nikos", 3, 57.0), ("Eleni", 1, 10.0)]
    # Calling the next speaker ends the previous turn.
    with freeze_time(utcnow() + timedelta(seconds=5)):
        eleni.act("raise_hand", kind="new_point")
        scene.console.act("call_next")
    snapshot = scene.projector.take("state")[-1]["snapshot"]
    assert snapshot["speaker"]["name"] == "Eleni"


def test_choosing_a_policy_sorts_the_queue_again(scene):
    eleni = scene.screen(scene.eleni)
    with freeze_time(utcnow()) as clock:
        for screen in (scene.phone, eleni, scene.console):
            clock.tick(1)
            screen.act("raise_hand", kind="new_point")
        last = scene.projector.take("state")[-1]["snapshot"]["queue"][-1]["hand_id"]
        scene.console.act("move_hand", hand_id=last, index=0)
        assert [name for name, _ in queue(scene)] == ["Maria", "Nikos", "Eleni"]
        assert scene.console.act("set_policy", policy="first_come")["ok"]
    assert [name for name, _ in queue(scene)] == ["Nikos", "Eleni", "Maria"]
