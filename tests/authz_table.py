"""The authorisation matrix as data: who may do what, for every route and every live event, at
each visibility. tests/test_authorisation.py walks it.

Actors: an ``incomer`` (no account), a ``member`` of the collective who takes part in no group,
a ``participant`` of its working groups (the confidential one included), an ``outsider`` (member
of another collective), and the live meeting's ``facilitator`` and ``note_taker`` (members and
participants of every group too).
Visibilities: one working group per level (public, members, confidential); what a route acts on
(a body, a proposal, a meeting, a comment, ...) lives in the group of that level. Routes that act
on no closed thing (the front door, one's account, the collective itself) have one column, None.
The collective belongs to a network, which has the same per level: a working group (its
agreements), a working table at a gathering (a gathering itself is public or for members, never
confidential: the confidential table's gathering is the members' one).

Outcomes: OK (200/201 or a redirect that is not the sign-in page), NF (404: not knowable), FB
(403: knowable but not allowed), LOGIN (302 to the sign-in page), INVALID (422: a form that
offers nothing to choose), and for list pages SEEN / UNSEEN (200, and the target's title shown or
not)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from assembly.extensions import db

INCOMER, MEMBER, PARTICIPANT, OUTSIDER = "incomer", "member", "participant", "outsider"
FACILITATOR, NOTE_TAKER = "facilitator", "note_taker"
# The facilitator goes last: a member taking over facilitation must not take it from them before
# their own cells are walked.
ACTORS = (INCOMER, OUTSIDER, MEMBER, PARTICIPANT, NOTE_TAKER, FACILITATOR)
PUBLIC, MEMBERS, CONFIDENTIAL = "public", "members", "confidential"
VISIBILITIES = (PUBLIC, MEMBERS, CONFIDENTIAL)
IN_COLLECTIVE = frozenset({MEMBER, PARTICIPANT, FACILITATOR, NOTE_TAKER})
READERS = {
    None: frozenset(ACTORS),
    PUBLIC: frozenset(ACTORS),
    MEMBERS: IN_COLLECTIVE,
    CONFIDENTIAL: frozenset({PARTICIPANT, FACILITATOR, NOTE_TAKER}),
}
CANARY = "CANARY-AUTHZ-5e1f"

OK, NF, FB, LOGIN, SEEN, UNSEEN = "ok", "404", "403", "login", "seen", "unseen"
INVALID = "422"


# --- policies: (actor, visibility) -> expected outcome -----------------------------------------

def can_read(actor, vis) -> bool:
    return actor in READERS[vis]


def anyone(actor, vis):
    return OK


def read(actor, vis):
    """Reading (and, for translations, writing where anyone may read): readers only."""
    return OK if can_read(actor, vis) else NF


def signed_in(actor, vis):
    return LOGIN if actor == INCOMER else OK


def signed_in_read(actor, vis):
    """A sign-in-only form page any reader may open (the service refuses the post)."""
    return LOGIN if actor == INCOMER else read(actor, vis)


def act(actor, vis):
    """Sign in first; what one may not read is not found; only members act on what they read."""
    if actor == INCOMER:
        return LOGIN
    if not can_read(actor, vis):
        return NF
    return OK if actor in IN_COLLECTIVE else FB


def read_then_act(actor, vis):
    """As ``act``, but the thing is looked up before asking an incomer to sign in."""
    if not can_read(actor, vis):
        return NF
    return act(actor, vis)


def comment(actor, vis):
    """Incomers comment (as guests) where anyone reads; of the signed-in, only members."""
    if not can_read(actor, vis):
        return NF
    return OK if actor in IN_COLLECTIVE | {INCOMER} else FB


def author_only(actor, vis):
    """The comment acted on is the facilitator's own."""
    if not can_read(actor, vis):
        return NF
    return OK if actor == FACILITATOR else FB


def read_then_members(actor, vis):
    """Looked up first, then for members only: a page open to all that posts to itself refuses
    an incomer (403) rather than asking them to sign in."""
    if not can_read(actor, vis):
        return NF
    return OK if actor in IN_COLLECTIVE else FB


def co_bring(actor, vis):
    """As ``act``; but a confidential proposal is brought by its own body only, so its form
    offers no body to choose."""
    found = act(actor, vis)
    return INVALID if found == OK and vis == CONFIDENTIAL else found


def gathering_level(vis):
    """A gathering is public or for members; the confidential table's is for members."""
    return MEMBERS if vis == CONFIDENTIAL else vis


def as_gathering(policy):
    return lambda actor, vis: policy(actor, gathering_level(vis))


def tables_seen(actor, vis):
    """A gathering's page, for its readers, lists each table to that table's readers only."""
    if not can_read(actor, gathering_level(vis)):
        return NF
    return seen(actor, vis)


def public_only(actor, vis):
    """The open archive (feeds, calendars): only public things, for everyone."""
    return OK if vis == PUBLIC else NF


def guest_join(actor, vis):
    return OK if vis == PUBLIC else NF


def seen(actor, vis):
    return SEEN if can_read(actor, vis) else UNSEEN


def seen_if_public(actor, vis):
    return SEEN if vis == PUBLIC else UNSEEN


# --- the world the table acts on ---------------------------------------------------------------

@dataclass
class Target:
    args: dict
    obj: object | None = None  # the row whose columns must not change when refused
    marker: str | None = None  # for list pages: the text shown only to those who may read it


class World:
    """One collective with a working group per visibility, and everything in it. With
    ``proposal_level`` the proposals all sit in the public group and carry the visibility
    themselves (a proposal is as closed as the stricter of itself and its body)."""

    def __init__(self, make, proposal_level: bool = False):
        from assembly.collectives.service import add_participant, set_rhythm
        from assembly.meetings.models import Role
        from assembly.meetings.service import add_free_point, assign_role

        self.make = make
        self.proposal_level = proposal_level
        self.collective = make.collective("Matrix Clinic")
        self.other = make.collective("Other Clinic")
        fay = make.member(self.collective, "Fay Facilitator")
        self.people = {
            FACILITATOR: fay,
            NOTE_TAKER: make.member(self.collective, "Nia Notetaker"),
            PARTICIPANT: make.member(self.collective, "Pia Participant"),
            MEMBER: make.member(self.collective, "Max Member"),
            OUTSIDER: make.member(self.other, "Oli Outsider"),
            INCOMER: None,
        }
        self.bodies = {
            PUBLIC: make.working_group(self.collective, fay, "Open group", "public"),
            MEMBERS: make.working_group(self.collective, fay, "Inner group", "members"),
            CONFIDENTIAL: make.working_group(self.collective, fay, "Care group", "confidential",
                                             purpose=f"Support {CANARY}"),
        }
        # Where proposals are delegated to (public, so every member may choose it).
        self.delegate_group = make.working_group(self.collective, fay, "Delegate group")
        for body in self.bodies.values():
            add_participant(body, fay, self.people[NOTE_TAKER])
            add_participant(body, fay, self.people[PARTICIPANT])
            set_rhythm(body, fay, 0, "19:00")  # so that meetings can be planned from it
        db.session.commit()
        self.scheduled, self.live, self.closed = {}, {}, {}
        for vis, body in self.bodies.items():
            self.closed[vis] = self._closed_meeting(body)
            self.scheduled[vis] = make.meeting(body, fay, days=7)
            live = make.meeting(body, fay, days=0, live=True)
            assign_role(live, fay, Role.FACILITATOR, fay)
            assign_role(live, fay, Role.NOTE_TAKER, self.people[NOTE_TAKER])
            db.session.commit()
            self.live[vis] = live
            # An item to record an outcome on, and a free point after it.
            make.proposal(body, fay, "on_agenda", title=f"Live item {vis}")
            add_free_point(live, fay, f"Free point {vis}", 10, "")
            db.session.commit()
        self._cache: dict = {}

    def _closed_meeting(self, body):
        from assembly.live.service import close_meeting

        meeting = self.make.meeting(body, self.people[FACILITATOR], days=-1, live=True)
        close_meeting(meeting, self.people[FACILITATOR])
        db.session.commit()
        return meeting

    @property
    def fay(self):
        return self.people[FACILITATOR]

    def cached(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def forget(self, key) -> None:
        self._cache.pop(key, None)

    def home(self, vis) -> str:
        """Which group the proposals of this visibility sit in."""
        return PUBLIC if self.proposal_level else vis

    def proposal(self, vis, phase="drafting"):
        title = f"Matrix {phase} {vis} {self.make._next()}"
        if vis == CONFIDENTIAL:
            title += f" {CANARY}"
        return self.make.proposal(
            self.bodies[self.home(vis)], self.fay, phase, title=title,
            text=f"First paragraph.\n\nSecond paragraph {vis}.",
            visibility=vis if self.proposal_level else PUBLIC)

    def translation(self, source, language):
        from assembly.translated import service as translated
        from assembly.visibility import viewer_for

        translated.save_translation(
            source, viewer_for(self.fay), translated.Translator(person=self.fay), language,
            f"Translated {language}", title="Τίτλος",
            revision_number=source.revision.number if source.revision else None)
        db.session.commit()

    def source(self, kind, vis):
        """A proposal, agreement or minutes with one translation (into languages[0])."""
        from assembly.live.minutes import minutes_of
        from assembly.translated import service as translated
        from assembly.visibility import viewer_for

        viewer = viewer_for(self.fay)
        if kind == "minutes":
            meeting = self.closed[vis]
            found = translated.minutes_source(viewer, minutes_of(viewer, meeting))
            args = {"meeting_id": meeting.id}
        else:
            proposal = self.proposal(vis, "agreed" if kind == "agreement" else "drafting")
            args = {"proposal_id": proposal.id}
            if kind == "agreement":
                found = translated.agreement_source(viewer, proposal.agreement)
                args["agreement_id"] = proposal.agreement.id
            else:
                found = translated.proposal_source(viewer, proposal)
        languages = [code for code, _name in translated.language_choices(found)]
        self.translation(found, languages[0])
        return found, args, languages


    # --- the network the collective belongs to (built when a row first needs it) ---

    def network(self):
        from assembly.collectives.service import join_network

        def build():
            network = self.make.collective("Matrix Network", network=True)
            join_network(network, self.collective, self.fay)
            db.session.commit()
            return network
        return self.cached("network", build)

    def network_group(self, vis):
        """A working group of the network at this level, with the same participants."""
        from assembly.collectives.service import add_participant

        def build():
            body = self.make.working_group(self.network(), self.fay, f"Network group {vis}", vis)
            add_participant(body, self.fay, self.people[NOTE_TAKER])
            add_participant(body, self.fay, self.people[PARTICIPANT])
            db.session.commit()
            return body
        return self.cached(("network group", vis), build)

    def network_agreement(self, vis):
        def build():
            title = f"Network agreement {vis}" + (f" {CANARY}" if vis == CONFIDENTIAL else "")
            return self.make.proposal(
                self.network_group(self.home(vis)), self.fay, "agreed", title=title,
                visibility=vis if self.proposal_level else PUBLIC)
        return self.cached(("network agreement", vis), build).agreement

    def gathering(self, vis):
        from assembly.core.db import utcnow
        from assembly.gatherings.service import create_gathering

        level = gathering_level(vis)

        def build():
            found = create_gathering(
                self.network(), self.fay, title=f"Matrix gathering {level}",
                starts_on=utcnow().date() + timedelta(days=10), visibility=level)
            db.session.commit()
            return found
        return self.cached(("gathering", level), build)

    def table(self, vis, state="open"):
        """A working table at this level: ``open``, ``reported`` (its report written) or
        ``published``."""
        from assembly.gatherings import service as gatherings

        title = f"Table {state} {vis}" + (f" {CANARY}" if vis == CONFIDENTIAL else "")
        found = gatherings.add_table(
            self.gathering(vis), self.fay, title=title, guiding_questions="- Why?",
            visibility=vis, participants=[self.people[NOTE_TAKER], self.people[PARTICIPANT]])
        if state != "open":
            gatherings.save_report(found, self.fay, report_text="We talked.",
                                   directions_text="- Shared purchasing")
        if state == "published":
            gatherings.publish_report(found, self.fay)
        db.session.commit()
        return found

    def co_brought(self, vis):
        """A proposal the network's assembly brings jointly (and the row saying so)."""
        from assembly.core.db import utcnow
        from assembly.networks.models import ProposalCoBringer
        from assembly.networks.service import add_co_bringer

        proposal = self.proposal(vis)
        body = self.make.assembly(self.network())
        if vis == CONFIDENTIAL:
            # The services never let anyone bring a confidential proposal jointly; the row is
            # written directly, as if left from before, to check who reaches it.
            found = ProposalCoBringer(proposal=proposal, body=body, added_by_id=self.fay.id,
                                      added_at=utcnow())
            db.session.add(found)
        else:
            found = add_co_bringer(proposal, body, self.fay)
        db.session.commit()
        return found


def _latest_number(source, language) -> int:
    from assembly.translated.models import ContentTranslation

    found = db.session.scalars(sa.select(ContentTranslation).where(
        ContentTranslation.kind == source.kind.value,
        ContentTranslation.ref_id == source.ref_id,
        ContentTranslation.language == language)).first()
    return found.latest_number if found is not None else 0


# --- targets: what each route acts on ----------------------------------------------------------

def collective_target(w: World, vis):
    return Target({"slug": w.collective.slug}, w.collective)


def body_target(w: World, vis):
    body = w.bodies[vis]
    return Target({"slug": w.collective.slug, "body_slug": body.slug}, body, marker=body.name)


def proposal_target(phase="drafting"):
    def build(w: World, vis):
        p = w.cached(("proposal", phase, vis), lambda: w.proposal(vis, phase))
        return Target({"slug": w.collective.slug, "proposal_id": p.id, "proposal_slug": p.slug,
                       "number": 1}, p, marker=p.title)
    return build


def listed_proposal(w: World, vis):
    """A proposal on the lists, its title the marker."""
    return proposal_target()(w, vis)


def meeting_target(kind="scheduled"):
    def build(w: World, vis):
        meeting = getattr(w, kind)[vis]
        return Target({"slug": w.collective.slug, "meeting_id": meeting.id}, meeting)
    return build


def fresh_meeting(live=False):
    def build(w: World, vis):
        # Each on a day of its own: a body never meets twice at the same time.
        m = w.cached(("meeting", live, vis), lambda: w.make.meeting(
            w.bodies[vis], w.fay, days=(-2 if live else 8) - w.make._next() * (1 if live else -1),
            live=live))
        return Target({"slug": w.collective.slug, "meeting_id": m.id}, m)
    return build


def agenda_item(w: World, vis):
    from assembly.meetings.service import add_free_point, agenda

    def build():
        m = w.make.meeting(w.bodies[vis], w.fay, days=9 + w.make._next())
        add_free_point(m, w.fay, "First point", 10, "")
        add_free_point(m, w.fay, "Second point", 10, "")
        db.session.commit()
        return agenda(m)[0]
    item = w.cached(("item", vis), build)
    return Target({"slug": w.collective.slug, "meeting_id": item.meeting_id, "item_id": item.id},
                  item)


def role_holder(w: World, vis):
    from assembly.meetings.models import Role
    from assembly.meetings.service import assign_role

    def build():
        found = assign_role(w.scheduled[vis], w.fay, Role.TIME_KEEPER, w.people[NOTE_TAKER])
        db.session.commit()
        return found
    holder = w.cached(("holder", vis), build)
    return Target({"slug": w.collective.slug, "meeting_id": holder.meeting_id,
                   "holder_id": holder.id, "role": "time_keeper"}, holder)


def comment_target(state="open"):
    def build(w: World, vis):
        from assembly.comments import service as comments

        def create():
            p = w.cached(("proposal", "drafting", vis), lambda: w.proposal(vis))
            c = comments.add_comment(p, w.fay, f"A comment, {state}.")
            if state == "resolved":
                comments.resolve(c, w.fay)
            elif state == "held":
                c.held = True
            elif state == "hidden":
                comments.hide(c, w.fay, "Off topic.")
            db.session.commit()
            return c
        c = w.cached(("comment", state, vis), create)
        return Target({"slug": w.collective.slug, "proposal_id": c.proposal_id,
                       "comment_id": c.id}, c)
    return build


def translation_target(kind):
    def build(w: World, vis):
        source, args, languages = w.cached(("source", kind, vis), lambda: w.source(kind, vis))
        return Target({"slug": w.collective.slug, **args, "language": languages[0],
                       "number": 1, "_source": source, "_new": languages[1]},
                      source.minutes or source.agreement or source.proposal)
    return build


def network_target(w: World, vis):
    network = w.cached(("network", vis), lambda: w.make.collective(network=True))
    return Target({"slug": w.collective.slug, "_network": network}, w.collective)


def the_network(w: World, vis):
    network = w.network()
    return Target({"slug": network.slug}, network)


def gathering_target(w: World, vis):
    g = w.gathering(vis)
    return Target({"slug": w.network().slug, "gathering_slug": g.slug}, g, marker=g.title)


def table_target(state="open"):
    def build(w: World, vis):
        t = w.cached(("table", state, vis), lambda: w.table(vis, state))
        return Target({"slug": w.network().slug, "gathering_slug": t.gathering.slug,
                       "table_id": t.id}, t, marker=t.title)
    return build


def network_agreement_target(w: World, vis):
    agreement = w.network_agreement(vis)
    return Target({"slug": w.collective.slug, "agreement_id": agreement.id}, agreement,
                  marker=agreement.proposal.title)


def co_bringer_target(w: World, vis):
    found = w.cached(("co-brought", vis), lambda: w.co_brought(vis))
    return Target({"slug": w.collective.slug, "proposal_id": found.proposal_id,
                   "co_bringer_id": found.id}, found)


def invitation_target(w: World, vis):
    from assembly.people.service import create_invitation

    def build():
        _invitation, token = create_invitation(w.collective, w.fay, "")
        db.session.commit()
        return token
    return Target({"token": w.cached("invitation", build)}, w.collective)


def static_target(w: World, vis):
    return Target({"filename": "css/assembly.css"})


# --- form data ---------------------------------------------------------------------------------

def _day(days: int) -> str:
    from assembly.core.db import utcnow

    return (utcnow().date() + timedelta(days=days)).isoformat()


def step(name, **fields):
    """The form of one lifecycle step (fields carry the action's prefix)."""
    def data(w: World, vis, t: Target, actor):
        found = {"reason": "Because we said so.", "meeting_id": ""}
        for key, value in fields.items():
            found[key] = value(w, vis, t) if callable(value) else value
        return {f"{name}-{key}": value for key, value in found.items()}
    return data


def fixed(**fields):
    return lambda w, vis, t, actor: dict(fields)


def guest_name(**fields):
    """Members send these fields; incomers add the name they choose."""
    def data(w, vis, t, actor):
        found = dict(fields)
        if actor == INCOMER:
            found["name"] = "A guest"
        return found
    return data


def translation_data(w, vis, t, actor):
    source, language = t.args["_source"], t.args["_new"]
    found = {"language": language, "text": f"Μετάφραση {w.make._next()}.", "title": "",
             "base_number": str(_latest_number(source, language)),
             "revision": str(source.revision.number) if source.revision else ""}
    if actor == INCOMER:
        found["name"] = "A guest"
    return found


def new_member(w, vis, t, actor):
    person = w.make.member(w.collective)
    return {"person_id": str(person.id)}


def edit_data(w, vis, t, actor):
    db.session.refresh(t.obj)
    return {"text": f"Changed by {actor} {w.make._next()}.", "summary": "",
            "base_revision": str(t.obj.revision_number)}


def restore_data(w, vis, t, actor):
    """A second revision first, so that restoring the first one is a change."""
    from assembly.proposals.service import revise

    db.session.refresh(t.obj)
    revise(t.obj, w.fay, f"Revised {w.make._next()}.", base_revision=t.obj.revision_number)
    db.session.commit()
    return {"base_revision": str(t.obj.revision_number)}


def network_data(w, vis, t, actor):
    return {"network_id": str(t.args["_network"].id), "network_slug": ""}


def meeting_data(w, vis, t, actor):
    return {"date": _day(10 + w.make._next()), "time": "18:00", "duration_minutes": "90",
            "languages": "en", "visibility": w.bodies[vis].visibility, "title": "", "place": "",
            "online_link": ""}


def gathering_data(w, vis, t, actor):
    return {"title": f"Gathering by {actor} {w.make._next()}", "starts_on": _day(20),
            "ends_on": "", "place": "", "languages": "en", "visibility": "public",
            "description": ""}


def table_data(w, vis, t, actor):
    return {"title": f"Table by {actor} {w.make._next()}", "time": "", "guiding_questions": "",
            "guests": "", "visibility": "public"}


def adoption_data(w, vis, t, actor):
    # A note of its own each time: a step that changes nothing is refused.
    return {"state": "adapted", "note": f"Adapted by {actor} {w.make._next()}.",
            "meeting_id": "", "local_proposal_id": ""}


def agree_data(w, vis, t, actor):
    db.session.refresh(t.obj)
    return step("agree", meeting_id=w.live[w.home(vis)].id, review_date=_day(180),
                implementers="The group", agreed_revision=t.obj.revision_number,
                implementer_body_id="", guests_present="0")(w, vis, t, actor)


# --- the table ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    rule: str
    method: str
    policy: Callable
    target: Callable | None
    data: Callable | None = None
    per_visibility: bool = True
    # After an allowed change the target is used up: the next cell gets a fresh one.
    fresh: tuple = ()
    restore: Callable | None = None
    query: Callable | None = None


def _rows(rule, methods, policy, target, **kw):
    return [Row(rule, m, policy, target, **kw) for m in methods]


def _leave_restore(w: World, vis, actor):
    """Taking part again after leaving, so later cells see the world as before."""
    from assembly.collectives.service import add_participant

    if vis == CONFIDENTIAL and actor != INCOMER:
        by = w.people[NOTE_TAKER if actor == FACILITATOR else FACILITATOR]
        add_participant(w.bodies[vis], by, w.people[actor])
        db.session.commit()


C, B = "/c/<slug>", "/c/<slug>/b/<body_slug>"
G, T = "/c/<slug>/g/<gathering_slug>", "/c/<slug>/g/<gathering_slug>/t/<int:table_id>"
P, M = "/c/<slug>/p/<int:proposal_id>", "/c/<slug>/m/<int:meeting_id>"
CM = P + "/comments/<int:comment_id>"
AG = P + "/agreements/<int:agreement_id>/translations"
ONE = {"per_visibility": False}

STEPS = [
    # action, phase it starts from, its fields
    ("start_drafting", "identified", {}),
    ("withdraw", "identified", {}),
    ("back_to_drafting", "on_agenda", {}),
    ("return_from_delegation", "delegated", {}),
    ("open_review", "agreed", {}),
    ("delegate", "drafting", {
        "working_group_id": lambda w, vis, t: w.delegate_group.id, "mandate": "Find out.",
        "return_date": _day(21), "return_body_id": lambda w, vis, t: t.obj.body_id}),
    ("put_on_agenda", "drafting", {"meeting_id": lambda w, vis, t: w.scheduled[w.home(vis)].id,
                                   "time_box_minutes": "15"}),
    ("postpone", "on_agenda", {}),
    ("confirm", "under_review", {"next_review_date": _day(365), "process_note": ""}),
    ("amend", "under_review", {"process_note": ""}),
    ("retire", "under_review", {"process_note": ""}),
]


def _step_rows():
    rows = []
    for name, phase, fields in STEPS:
        rows.append(Row(P + "/steps/<action>", "POST", act, _with(proposal_target(phase),
                                                                   action=name),
                        data=step(name, **fields), fresh=(("proposal", phase),)))
    rows.append(Row(P + "/steps/<action>", "POST", act, _with(proposal_target("on_agenda"),
                                                               action="agree"),
                    data=agree_data, fresh=(("proposal", "on_agenda"),)))
    return rows


def _with(target, **args):
    def build(w, vis):
        found = target(w, vis)
        found.args.update(args)
        return found
    return build


def _translation_rows(prefix, kind):
    t = translation_target(kind)
    return [
        Row(prefix, "POST", read, t, data=translation_data),
        Row(prefix + "/new", "GET", read, t),
        Row(prefix + "/<language>", "GET", read, t),
        Row(prefix + "/<language>/edit", "GET", read, t),
        Row(prefix + "/<language>/versions/<int:number>", "GET", read, t),
    ]


TABLE: list[Row] = [
    # The front door, signing in and out, the interface language, static files: for anyone.
    Row("/static/<path:filename>", "GET", anyone, static_target, **ONE),
    Row("/", "GET", anyone, collective_target, **ONE),
    *_rows("/login", ["GET"], anyone, collective_target, **ONE),
    Row("/login", "POST", anyone, collective_target, data=fixed(name="Nobody", password="x"),
        **ONE),  # a wrong password: 422 for anyone, checked apart
    Row("/logout", "POST", anyone, collective_target, **ONE),  # walked apart (it signs out)
    Row("/language", "POST", anyone, collective_target, data=fixed(language="en"), **ONE),
    # Token-guarded: the link is the key, whoever holds it.
    Row("/join/<token>", "GET", anyone, invitation_target, **ONE),
    Row("/join/<token>", "POST", anyone, invitation_target, **ONE),  # walked apart
    Row("/me/feed/<token>.atom", "GET", anyone, collective_target, **ONE),  # walked apart
    # One's own things.
    Row("/account", "GET", signed_in, collective_target, **ONE),
    Row("/account", "POST", signed_in, collective_target, **ONE),  # data per actor, apart
    Row("/me", "GET", signed_in, collective_target, **ONE),
    Row("/me/seen", "POST", signed_in, collective_target, **ONE),
    Row("/me/feed-link", "POST", signed_in, collective_target, **ONE),
    Row("/me/care", "GET", signed_in, collective_target, **ONE),
    Row("/me/care/break", "POST", signed_in, collective_target,
        data=lambda w, v, t, a: {"until": _day(30), "note": ""}, **ONE),
    Row("/me/care/back", "POST", signed_in, collective_target, **ONE),
    Row("/collectives/new", "GET", signed_in, collective_target, **ONE),
    Row("/collectives/new", "POST", signed_in, collective_target, data=lambda w, v, t, a: {
        "name": f"New collective {w.make._next()}", "slug": "", "main_language": "en",
        "timezone": "Europe/Athens", "description": "", "joining_id": ""}, **ONE),
    # The collective: its page is public; what it lists depends on the reader.
    Row(C + "/", "GET", seen, listed_proposal),
    # Where the front door's list of proposals being decided continues (assembly.archive).
    Row(C + "/being-decided", "GET", seen, listed_proposal),
    # The query matches the text, not the title: the page repeats the query in its search box
    # and marks the words found.
    Row("/search", "GET", seen, listed_proposal, query=lambda t: {"q": "paragraph"}),
    Row(C + "/feed.atom", "GET", seen_if_public, listed_proposal),
    Row(C + "/export/<dataset>.<fmt>", "GET", seen_if_public,
        _with(listed_proposal, dataset="proposals", fmt="json")),
    Row(C + "/meetings.ics", "GET", anyone, collective_target, **ONE),
    Row(C + "/open-data", "GET", anyone, collective_target, **ONE),
    *_rows(C + "/invitations", ["GET"], act, collective_target, **ONE),
    Row(C + "/invitations", "POST", act, collective_target, data=fixed(note=""), **ONE),
    Row(C + "/networks/join", "GET", act, collective_target, **ONE),
    Row(C + "/networks/join", "POST", act, network_target, data=network_data,
        fresh=(("network",),), **ONE),
    Row(C + "/working-groups/new", "GET", act, collective_target, **ONE),
    Row(C + "/working-groups/new", "POST", act, collective_target, data=lambda w, v, t, a: {
        "name": f"Group {w.make._next()}", "purpose": "", "visibility": "public"}, **ONE),
    Row(C + "/incomer-comments", "POST", act, collective_target,
        data=fixed(incomer_comments="shown"), **ONE),
    # Agreements of the collective's networks, and how it takes each up.
    Row(C + "/network-agreements", "GET", seen, network_agreement_target),
    Row(C + "/network-agreements/<int:agreement_id>", "GET", read, network_agreement_target),
    Row(C + "/network-agreements/<int:agreement_id>", "POST", read_then_members,
        network_agreement_target, data=adoption_data),
    # Gatherings of the network (its members are the collective's) and their working tables.
    Row(C + "/gatherings", "GET", as_gathering(seen), gathering_target),
    Row(C + "/gatherings/new", "GET", act, the_network, **ONE),
    Row(C + "/gatherings/new", "POST", act, the_network, data=gathering_data, **ONE),
    Row(G, "GET", tables_seen, table_target()),
    Row(G + "/tables", "POST", as_gathering(act), gathering_target, data=table_data),
    Row(T, "GET", read, table_target()),
    Row(T + "/report", "POST", act, table_target(),
        data=fixed(report_text="We talked.", directions="- Shared purchasing")),
    Row(T + "/publish", "POST", act, table_target("reported"),
        data=lambda w, v, t, a: {"destinations": str(w.network().id)},
        fresh=(("table", "reported"),)),
    Row(T + "/report/print", "GET", read, table_target("published")),
    # Bodies.
    Row(B + "/", "GET", read, body_target),
    Row(B + "/feed.atom", "GET", public_only, body_target),
    # Where a body page's lists of proposals and agreements continue (assembly.archive).
    Row(B + "/proposals", "GET", read, body_target),
    Row(B + "/meetings.ics", "GET", public_only, body_target),
    Row(B + "/meetings", "GET", read, body_target),
    Row(B + "/meetings/new", "GET", act, body_target),
    Row(B + "/meetings/new", "POST", act, body_target, data=meeting_data),
    Row(B + "/meetings/plan", "POST", act, body_target),
    Row(B + "/participants", "POST", act, body_target, data=new_member),
    Row(B + "/participants/join", "POST", act, body_target),
    # Leaving is one's own business: for someone who does not take part it changes nothing.
    Row(B + "/participants/leave", "POST", signed_in_read, body_target, restore=_leave_restore),
    Row(B + "/rhythm", "POST", act, body_target, data=fixed(
        weekday="0", time="19:00", every_weeks="1", minutes="120", place="")),
    Row(B + "/proposals/new", "GET", signed_in_read, body_target),
    Row(B + "/proposals/new", "POST", act, body_target, data=lambda w, v, t, a: {
        "title": f"Brought by {a}", "text": "", "visibility": "public"}),
    # Proposals.
    Row(P, "GET", read, proposal_target()),
    Row(P + "-<proposal_slug>", "GET", read, proposal_target()),
    Row(P + "/compare", "GET", read, proposal_target()),
    Row(P + "/revisions", "GET", read, proposal_target()),
    Row(P + "/revisions/<int:number>", "GET", read, proposal_target()),
    Row(P + "/revisions/<int:number>/restore", "POST", act, proposal_target(),
        data=restore_data),
    Row(P + "/edit", "GET", signed_in_read, proposal_target()),
    Row(P + "/edit", "POST", act, proposal_target(), data=edit_data),
    Row(P + "/feed.atom", "GET", public_only, proposal_target()),
    Row(P + "/return-to-agenda", "POST", act, proposal_target("delegated"),
        data=fixed(reason="We did the work."), fresh=(("proposal", "delegated"),)),
    Row(P + "/implementation", "GET", signed_in_read, proposal_target("agreed")),
    Row(P + "/implementation", "POST", act, proposal_target("agreed"),
        data=fixed(kind="progress", note="Half done.", percent="50")),
    *_step_rows(),
    # Bodies of the collective or its networks bringing a proposal jointly.
    Row(P + "/co-bringers", "GET", act, proposal_target()),
    Row(P + "/co-bringers", "POST", co_bring, proposal_target(),
        data=lambda w, v, t, a: {"body_id": str(w.make.assembly(w.network()).id),
                                 "reason": ""}, fresh=(("proposal", "drafting"),)),
    Row(P + "/co-bringers/<int:co_bringer_id>/withdraw", "POST", act, co_bringer_target,
        data=fixed(reason=""), fresh=(("co-brought",),)),
    # Comments.
    Row(P + "/comments", "POST", comment, proposal_target(),
        data=guest_name(body="A comment.", paragraph="", revision="")),
    Row(CM + "/reply", "GET", comment, comment_target()),
    Row(CM + "/reply", "POST", comment, comment_target(), data=guest_name(body="A reply.")),
    Row(CM + "/edit", "POST", author_only, comment_target(),
        data=lambda w, v, t, a: {"body": f"Changed {w.make._next()}."}),
    Row(CM + "/withdraw", "POST", author_only, comment_target(),
        fresh=(("comment", "open"),)),
    Row(CM + "/resolve", "POST", act, comment_target(), fresh=(("comment", "open"),)),
    Row(CM + "/reopen", "POST", act, comment_target("resolved"),
        fresh=(("comment", "resolved"),)),
    Row(CM + "/approve", "POST", act, comment_target("held"), fresh=(("comment", "held"),)),
    Row(CM + "/hide", "POST", act, comment_target(), data=fixed(reason="Off topic."),
        fresh=(("comment", "open"),)),
    Row(CM + "/unhide", "POST", act, comment_target("hidden"), data=fixed(reason=""),
        fresh=(("comment", "hidden"),)),
    # Translations: anyone where anyone reads, members where only they read.
    *_translation_rows(P + "/translations", "proposal"),
    *_translation_rows(AG, "agreement"),
    *_translation_rows(M + "/minutes/translations", "minutes"),
    # Meetings.
    Row(M, "GET", read, meeting_target()),
    Row(M + "/start", "POST", act, fresh_meeting(), fresh=(("meeting", False),)),
    Row(M + "/cancel", "POST", act, fresh_meeting(), fresh=(("meeting", False),)),
    Row(M + "/close", "POST", act, fresh_meeting(live=True), fresh=(("meeting", True),)),
    Row(M + "/open-discussion", "POST", act, fresh_meeting(),
        data=fixed(open_discussion="y", interpretation_languages="ar"),
        fresh=(("meeting", False),)),
    Row(M + "/items", "POST", act, meeting_target(),
        data=fixed(title="A point", time_box_minutes="10", note="")),
    Row(M + "/items/<int:item_id>/move", "POST", act, agenda_item, data=fixed(direction="down"),
        fresh=(("item",),)),
    Row(M + "/items/<int:item_id>/remove", "POST", act, agenda_item, fresh=(("item",),)),
    Row(M + "/items/<int:item_id>/time-box", "POST", act, agenda_item,
        data=lambda w, v, t, a: {f"item{t.obj.id}-time_box_minutes": "20"}),
    Row(M + "/roles/<role>", "POST", act, role_holder,
        data=lambda w, v, t, a: {"time_keeper-person_id": str(w.people[NOTE_TAKER].id),
                                 "time_keeper-language": ""}),
    Row(M + "/roles/held/<int:holder_id>/release", "POST", act, role_holder,
        fresh=(("holder",),)),
    # Live pages.
    Row(M + "/projector", "GET", read, meeting_target("live")),
    Row(M + "/console", "GET", read_then_act, meeting_target("live")),
    Row(M + "/phone", "GET", read, meeting_target("live")),
    Row(M + "/live/join", "POST", guest_join, meeting_target("live"),
        data=fixed(name="A guest")),
    Row("/live/<int:meeting_id>", "GET", read, meeting_target("live")),
]

# Rows walked by their own tests (they sign people in or out, or need per-actor data).
WALKED_APART = {("/login", "POST"), ("/logout", "POST"), ("/join/<token>", "POST"),
                ("/me/feed/<token>.atom", "GET"), ("/account", "POST")}


def url(rule: str, args: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(args[m.group(1)]), rule)

