"""Actions arriving at the same moment (threads with their own database connections stand in
for server processes) are applied one after the other: distinct, gapless sequence numbers."""

import threading

import sqlalchemy as sa

from assembly.extensions import db
from assembly.live import service
from assembly.live.models import LiveAction, LiveHand, LiveMeeting
from assembly.meetings.models import Meeting
from assembly.people.models import Person


def test_simultaneous_actions_get_one_number_each(app, make):
    collective = make.collective()
    people = [make.member(collective, f"Member {n}") for n in range(6)]
    meeting = make.meeting(make.assembly(collective), people[0], days=0, live=True)
    for person in people:
        service.enter(meeting, person, None, "participant")
    db.session.commit()
    meeting_id, person_ids = meeting.id, [p.id for p in people]
    start = db.session.get(LiveMeeting, meeting_id).seq
    barrier, failures = threading.Barrier(len(people)), []

    def raise_hand(person_id: int, n: int):
        with app.app_context():
            try:
                found = db.session.get(Meeting, meeting_id)
                person = db.session.get(Person, person_id)
                participant = service.participant_for(found, person=person)
                barrier.wait(timeout=10)
                service.apply_action(found, participant, f"together-{n:04d}", "raise_hand",
                                     {"kind": "new_point"})
                db.session.commit()
            except Exception as error:  # reported below, in the test's thread
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=raise_hand, args=(pid, n))
               for n, pid in enumerate(person_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    db.session.expire_all()
    seqs = db.session.scalars(sa.select(LiveAction.seq).where(
        LiveAction.type == "raise_hand").order_by(LiveAction.seq)).all()
    assert seqs == list(range(start + 1, start + 1 + len(people)))
    assert db.session.get(LiveMeeting, meeting_id).seq == start + len(people)
    places = sorted(db.session.scalars(sa.select(LiveHand.place)))
    assert places == list(range(len(people)))
