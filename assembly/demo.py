"""Demo data: a fictional social clinic in Athens with its working groups, two more collectives
and the network they share. Everything is invented.

Built only through the services, so the event log, the agendas and the agreements are the real
ones. The clock cannot be turned back: the last two general assemblies are created at their past
dates, started, given their outcomes and closed now; the coming meetings are planned from the
rhythms. ``load_demo`` flushes; the caller commits."""

from datetime import date, datetime, timedelta

from flask import current_app

from assembly.collectives import service as collectives
from assembly.collectives.models import Body, Collective, CollectiveKind
from assembly.core.db import Visibility, utcnow
from assembly.meetings import service as meetings
from assembly.meetings.models import ItemKind, Meeting, Role
from assembly.people import service as people
from assembly.people.models import Person
from assembly.proposals import service as proposals
from assembly.proposals.models import Proposal

PASSWORD = "assembly-demo"
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, SATURDAY = 0, 1, 2, 3, 5

# key: (display name, preferred language). Names from the backgrounds of the people who keep
# a clinic like this one going; all invented.
CLINIC_PEOPLE = {
    "dimitra": ("Δήμητρα Σταθοπούλου", "el"),
    "nikos": ("Nikos Vlachos", "el"),
    "katerina": ("Katerina Maniati", "el"),
    "rim": ("ريم الخطيب", "ar"),
    "samir": ("Samir Haddad", "ar"),
    "parisa": ("Parisa Rahimi", "fa"),
    "dariush": ("Dariush Karimi", "fa"),
    "giulia": ("Giulia Moretti", "it"),
    "camille": ("Camille Roux", "fr"),
    "amadou": ("Amadou Diallo", "fr"),
}
CENTRE_PEOPLE = {"alexis": ("Alexis Tsolakis", "el"), "mehmet": ("Mehmet Yıldız", "tr")}
PONTE_PEOPLE = {"lorenzo": ("Lorenzo Bassi", "it"), "chiara": ("Chiara Fontana", "it")}


def load_demo() -> str:
    """Load the demo and return a short summary for the person at the command line."""
    demo = _Demo()
    demo.build()
    return demo.summary()


class _Demo:
    def __init__(self):
        self.today: date = utcnow().date()
        self.p: dict[str, Person] = {}
        self.members: dict[str, list[str]] = {}

    def days(self, n: int) -> date:
        return self.today + timedelta(days=n)

    # --- the story, in the order it happened ---------------------------------------------

    def build(self) -> None:
        self.collectives()
        self.working_groups()
        self.network()
        self.prepare_proposals()
        self.past = self.past_starts()
        self.first_assembly()
        self.between_assemblies()
        self.second_assembly()
        self.after_second_assembly()
        self.plan_coming_weeks()

    # --- people, collectives and bodies --------------------------------------------------

    def _people(self, collective: Collective, spec: dict[str, tuple[str, str]]) -> None:
        for key, (name, language) in spec.items():
            self.p[key] = people.create_person(name, PASSWORD, email=None, language=language)
            people.add_member(collective, self.p[key])
        self.members[collective.slug] = [name for name, _ in spec.values()]

    def collectives(self) -> None:
        self.clinic = collectives.create_collective(
            "Κοινωνικό Ιατρείο Αλληλεγγύης Λεμονιάς", slug="solidarity-clinic",
            languages="el en ar fa", timezone="Europe/Athens", description=CLINIC_DESCRIPTION)
        self._people(self.clinic, CLINIC_PEOPLE)
        self.assembly = collectives.general_assembly(self.clinic)
        collectives.set_rhythm(self.assembly, self.p["dimitra"], MONDAY, "19:00", minutes=120,
                               place=CLINIC_PLACE)
        self.centre = collectives.create_collective(
            "Κοινωνικό Κέντρο «Αυλή» Θεσσαλονίκης", slug="avli-thessaloniki",
            languages="el en tr", timezone="Europe/Athens", description=CENTRE_DESCRIPTION)
        self._people(self.centre, CENTRE_PEOPLE)
        collectives.set_rhythm(collectives.general_assembly(self.centre), self.p["alexis"],
                               TUESDAY, "20:00", minutes=90, place="Οδός Κρινών 8, Θεσσαλονίκη")
        self.ponte = collectives.create_collective(
            "Ambulatorio Popolare Ponte Rosso", slug="ponte-rosso", languages="it en",
            timezone="Europe/Rome", description=PONTE_DESCRIPTION)
        self._people(self.ponte, PONTE_PEOPLE)
        collectives.set_rhythm(collectives.general_assembly(self.ponte), self.p["lorenzo"],
                               THURSDAY, "20:30", every_weeks=2, minutes=90,
                               place="Via dei Tessitori 5, piano terra")

    def _group(self, founder: str, name: str, purpose: str, others: list[str],
               visibility: str = Visibility.PUBLIC) -> Body:
        body = collectives.create_working_group(self.clinic, self.p[founder], name,
                                                purpose=purpose, visibility=visibility)
        for key in others:
            collectives.add_participant(body, self.p[founder], self.p[key])
        return body

    def working_groups(self) -> None:
        self.pharmacy = self._group("katerina", "Pharmacy · Φαρμακείο", PHARMACY_PURPOSE,
                                    ["samir", "giulia", "nikos"])
        collectives.set_rhythm(self.pharmacy, self.p["katerina"], THURSDAY, "18:00",
                               every_weeks=2, minutes=60, place=CLINIC_PLACE)
        self.reception = self._group("camille", "Reception · Υποδοχή", RECEPTION_PURPOSE,
                                     ["amadou", "rim", "katerina"])
        self.translation = self._group(
            "rim", "Translation and interpreting · Μετάφραση", TRANSLATION_PURPOSE,
            ["dariush", "parisa", "camille", "samir"])
        collectives.set_rhythm(self.translation, self.p["rim"], WEDNESDAY, "18:30",
                               every_weeks=2, minutes=60, place=CLINIC_PLACE)
        # Case discussions: only the few volunteers who offer psychological support read it.
        self.support = self._group(
            "dimitra", "Psychological support: case discussions", SUPPORT_PURPOSE,
            ["parisa", "giulia"], visibility=Visibility.CONFIDENTIAL)
        collectives.set_rhythm(self.support, self.p["dimitra"], TUESDAY, "17:00",
                               every_weeks=2, minutes=90, place="Το μικρό δωμάτιο του ιατρείου")

    def network(self) -> None:
        self.net = collectives.create_collective(
            "Mesogeios Network of Social Clinics", slug="mesogeios-network",
            kind=CollectiveKind.NETWORK, languages="en el it tr ar", timezone="Europe/Athens",
            description=NETWORK_DESCRIPTION)
        for collective, key in ((self.clinic, "dimitra"), (self.centre, "alexis"),
                                (self.ponte, "lorenzo")):
            collectives.join_network(self.net, collective, self.p[key])
        self.net_assembly = collectives.general_assembly(self.net)
        collectives.set_rhythm(self.net_assembly, self.p["lorenzo"], SATURDAY, "12:00",
                               every_weeks=4, minutes=150,
                               place="Online: the link is on the meeting page")

    # --- proposals before the first assembly ---------------------------------------------

    def new(self, body: Body, author: str, title: str, text: str,
            visibility: str = Visibility.PUBLIC, language: str = "en") -> Proposal:
        return proposals.create_proposal(body, self.p[author], title, text,
                                         visibility=visibility, language=language)

    def revise(self, proposal: Proposal, author: str, text: str, summary: str) -> None:
        proposals.revise(proposal, self.p[author], text, summary=summary,
                         base_revision=proposal.revision_number)

    def draft(self, body: Body, author: str, title: str, texts: list[tuple[str, str, str]],
              visibility: str = Visibility.PUBLIC, language: str = "en") -> Proposal:
        """A proposal in drafting; ``texts`` is (author, summary, text) per revision after
        the first."""
        proposal = self.new(body, author, title, texts[0][2], visibility, language)
        proposals.start_drafting(proposal, self.p[author])
        for who, summary, text in texts[1:]:
            self.revise(proposal, who, text, summary)
        return proposal

    def prepare_proposals(self) -> None:
        a = self.assembly
        self.night = self.new(a, "amadou", "Where to turn outside our opening hours?",
                              NIGHT_TEXT)
        self.guide = self.draft(a, "katerina", GUIDE_TITLE, [
            ("katerina", "", GUIDE_1),
            ("nikos", "Προστέθηκε ενότητα για τους ρόλους της συνέλευσης", GUIDE_2),
            ("dimitra", "Πιο απλή γλώσσα· μεταφράσεις από την ομάδα μετάφρασης", GUIDE_3)],
            language="el")
        self.summer = self.draft(a, "samir", "Chronic-illness medicines: no more empty shelves", [
            ("samir", "", SUMMER_1),
            ("katerina", "Add what we know: when the pharmacies close, how many people",
             SUMMER_2)])
        self.walk_in = self.draft(a, "camille", "Walk-in hours on Wednesdays, without an "
                                  "appointment", [("camille", "", WALK_IN_1)])
        self.donations = self.draft(a, "giulia", "Donations: nothing from pharmaceutical "
                                    "companies", [("giulia", "", DONATIONS_1)])
        self.saturday = self.draft(a, "katerina", "Υποδοχή και το Σάββατο το πρωί",
                                   [("katerina", "", SATURDAY_1)], language="el")
        self.masks = self.draft(a, "dimitra", "Masks in the waiting room while the wave of "
                                "respiratory infections lasts", [("dimitra", "", MASKS_1)])
        self.ultrasound = self.draft(a, "giulia", "A second ultrasound machine",
                                     [("giulia", "", ULTRASOUND_1)])
        self.evening = self.draft(a, "rim", EVENING_TITLE, [
            ("rim", "", EVENING_1), ("samir", "إضافة ركن للأطفال وتحديد الموعد", EVENING_2)],
            language="ar")
        self.room = self.draft(a, "dimitra", "Προσφορά του δήμου για μεγαλύτερο χώρο", [
            ("dimitra", "", ROOM_1),
            ("samir", "Οι όροι του δήμου, όπως μας τους έστειλαν γραπτώς", ROOM_2)],
            language="el")
        self.accounts = self.draft(a, "nikos", "Μηνιαίος απολογισμός εσόδων και εξόδων", [
            ("nikos", "", ACCOUNTS_1),
            ("katerina", "Τα σύνολα δημοσιεύονται, τα ονόματα όχι", ACCOUNTS_2)],
            visibility=Visibility.MEMBERS, language="el")
        self.continuity = self.draft(
            self.support, "dimitra", "When a volunteer leaves: continuity of support", [
                ("dimitra", "", CONTINUITY_1),
                ("parisa", "The person decides whether to continue, and with whom",
                 CONTINUITY_2)], visibility=Visibility.CONFIDENTIAL)
        self.glossary = self.draft(
            self.translation, "dariush", "A shared glossary of the words we use at the clinic",
            [("dariush", "", GLOSSARY_1), ("rim", "Add vaccines and pregnancy", GLOSSARY_2)])
        self.other_proposals()

    def other_proposals(self) -> None:
        self.draft(self.net_assembly, "lorenzo", "A solidarity box for medicines between the "
                   "clinics of the network", [
                       ("lorenzo", "", BOX_1),
                       ("alexis", "Every request answered within a week; what may cross "
                        "borders", BOX_2)])
        self.new(self.net_assembly, "mehmet", "Care for the carers: a working table at the "
                 "next gathering", CARERS_TEXT)
        self.new(collectives.general_assembly(self.centre), "mehmet",
                 "Türkçe bilgilendirme saati · Ώρα ενημέρωσης στα τουρκικά", TURKISH_HOUR_TEXT,
                 language="el")
        self.new(collectives.general_assembly(self.ponte), "chiara",
                 "Turni dell'ambulatorio ad agosto", AUGUST_TEXT, language="it")

    # --- the two past general assemblies -------------------------------------------------

    def past_meeting(self, start: datetime, roles: list[tuple[Role, str, str]]) -> Meeting:
        local = start.astimezone(meetings.local_zone(self.assembly)).replace(tzinfo=None)
        meeting = meetings.create_meeting(
            self.assembly, self.p["dimitra"], local_start=local,
            duration_minutes=self.assembly.rhythm_minutes, place=self.assembly.default_place)
        for role, key, language in roles:
            meetings.assign_role(meeting, self.p[key], role, self.p[key], language)
        return meeting

    def past_starts(self) -> list[datetime]:
        """The last two Mondays at 19:00 whose meeting is over by now."""
        now = utcnow()
        ended = now - timedelta(minutes=self.assembly.rhythm_minutes)
        return meetings.occurrences(self.assembly, now - timedelta(days=22), ended)[-2:]

    def present(self, *absent: str) -> list[Person]:
        return [self.p[key] for key in CLINIC_PEOPLE if key not in absent]

    def first_assembly(self) -> None:
        self.m1 = m = self.past_meeting(self.past[0], [
            (Role.FACILITATOR, "nikos", ""), (Role.NOTE_TAKER, "camille", ""),
            (Role.TIME_KEEPER, "samir", ""), (Role.INTERPRETER, "rim", "ar"),
            (Role.INTERPRETER, "dariush", "fa")])
        for proposal, key, minutes in ((self.walk_in, "camille", 30), (self.summer, "samir", 20),
                                       (self.donations, "giulia", 20),
                                       (self.saturday, "katerina", 15),
                                       (self.masks, "dimitra", 10)):
            proposals.put_on_agenda(proposal, self.p[key], m, time_box_minutes=minutes)
        meetings.add_free_point(m, self.p["amadou"], "Cleaning rota for the waiting room",
                                note="Two more people are needed on Fridays.")
        proposals.begin_meeting(m, self.p["nikos"])
        self.first_outcomes(m)
        meetings.close_meeting(m, self.p["nikos"])

    def first_outcomes(self, m: Meeting) -> None:
        facilitator, notes, present = self.p["nikos"], self.p["camille"], self.present("giulia")
        proposals.postpone(self.walk_in, facilitator, WALK_IN_POSTPONED, meeting=m, blocks=[
            self.block("katerina", WALK_IN_BLOCK)])
        proposals.delegate(self.summer, facilitator, working_group=self.pharmacy,
                           mandate=SUMMER_MANDATE, return_date=self.days(24),
                           return_body=self.assembly, meeting=m, reason=SUMMER_DELEGATED)
        proposals.record_agreement(
            self.donations, notes, meeting=m, review_date=self.days(182),
            implementers="Pharmacy group: checks where each donation comes from.",
            implementer_body=self.pharmacy, present=present, guests_present=1,
            positions=[self.position("reservation", "samir", DONATIONS_RESERVATION)])
        proposals.record_agreement(
            self.saturday, notes, meeting=m, review_date=self.days(60),
            implementers="Ομάδα υποδοχής: η βάρδια του Σαββάτου και η καταμέτρηση.",
            implementer_body=self.reception, deadline=self.days(5), present=present)
        proposals.record_agreement(
            self.masks, notes, meeting=m, review_date=self.days(30),
            implementers="Reception group: masks at the door, the window, the yard.",
            implementer_body=self.reception, present=present, guests_present=1)

    def block(self, key: str, reason: str) -> dict:
        return {"name": self.p[key].display_name, "reason": reason, "person_id": self.p[key].id}

    def position(self, kind: str, key: str, reason: str) -> dict:
        return dict(self.block(key, reason), kind=kind)

    def between_assemblies(self) -> None:
        self.revise(self.walk_in, "camille", WALK_IN_2,
                    "Pair every walk-in hour with an interpreter; a three-month trial")
        self.revise(self.walk_in, "rim", WALK_IN_3, "A sign at the door in four languages")
        proposals.open_review(self.saturday, self.p["camille"], reason=SATURDAY_REVIEW_ASKED)
        proposals.open_review(self.masks, self.p["dimitra"], reason=MASKS_REVIEW_ASKED)
        proposals.withdraw(self.ultrasound, self.p["giulia"], ULTRASOUND_WITHDRAWN)

    def second_assembly(self) -> None:
        self.m2 = m = self.past_meeting(self.past[1], [
            (Role.FACILITATOR, "parisa", ""), (Role.NOTE_TAKER, "katerina", ""),
            (Role.TIME_KEEPER, "amadou", ""), (Role.INTERPRETER, "samir", "ar"),
            (Role.INTERPRETER, "dariush", "fa")])
        meetings.carry_over(m)  # the postponed walk-in hours come back by themselves
        for proposal, key in ((self.saturday, "camille"), (self.masks, "dimitra")):
            meetings.add_item(m, kind=ItemKind.REVIEW, actor=self.p[key], proposal=proposal)
        proposals.put_on_agenda(self.room, self.p["dimitra"], m, time_box_minutes=30)
        meetings.add_free_point(m, self.p["giulia"], "News from the network assembly",
                                note="The solidarity box for medicines is being drafted.")
        proposals.begin_meeting(m, self.p["parisa"])
        self.second_outcomes(m)
        meetings.close_meeting(m, self.p["parisa"])

    def second_outcomes(self, m: Meeting) -> None:
        facilitator, notes = self.p["parisa"], self.p["katerina"]
        proposals.record_agreement(
            self.walk_in, notes, meeting=m, review_date=self.days(91), deadline=self.days(14),
            implementers="Reception group (rota and tickets) and translation group "
                         "(interpreters); Camille and Rim coordinate the first month.",
            implementer_body=self.reception, present=self.present(), guests_present=2,
            reason=WALK_IN_AGREED, agreed_revision=self.walk_in.revision_number, positions=[
                self.position("stand_aside", "nikos", WALK_IN_STAND_ASIDE),
                self.position("reservation", "dimitra", WALK_IN_RESERVATION_1),
                self.position("reservation", "amadou", WALK_IN_RESERVATION_2)])
        proposals.confirm_agreement(
            self.saturday, facilitator, next_review_date=self.days(120), meeting=m,
            reason=SATURDAY_CONFIRMED, process_note=SATURDAY_PROCESS_NOTE)
        proposals.retire_agreement(self.masks, facilitator, reason=MASKS_RETIRED,
                                   process_note=MASKS_PROCESS_NOTE, meeting=m)
        proposals.postpone(self.room, facilitator, ROOM_POSTPONED, meeting=m, blocks=[
            self.block("nikos", ROOM_BLOCK_1), self.block("parisa", ROOM_BLOCK_2)])

    def after_second_assembly(self) -> None:
        proposals.open_review(self.donations, self.p["samir"], reason=DONATIONS_REVIEW_ASKED)

    # --- the coming weeks ----------------------------------------------------------------

    def plan_coming_weeks(self) -> None:
        weeks = current_app.config["MEETING_PLAN_WEEKS"]
        for collective in (self.clinic, self.centre, self.ponte, self.net):
            for body in collective.bodies:
                if body.has_rhythm:
                    meetings.plan_meetings(body, weeks=weeks)
        upcoming = meetings.next_meeting(self.assembly)
        # The postponed offer of a room was carried onto it by the planning itself.
        proposals.put_on_agenda(self.evening, self.p["rim"], upcoming, time_box_minutes=20)
        meetings.add_item(upcoming, kind=ItemKind.REVIEW, actor=self.p["samir"],
                          proposal=self.donations, time_box_minutes=20)
        for role in (Role.FACILITATOR, Role.NOTE_TAKER, Role.TIME_KEEPER):
            person, _ = meetings.suggest_for_role(upcoming, role, limit=1)[0]
            meetings.assign_role(upcoming, person, role, person)
        meetings.assign_role(upcoming, self.p["rim"], Role.INTERPRETER, self.p["rim"], "ar")
        pharmacy_meeting = meetings.next_meeting(self.pharmacy)
        meetings.add_free_point(pharmacy_meeting, self.p["katerina"],
                                "Mandate from the general assembly: stock of chronic medicines",
                                time_box_minutes=30, note=SUMMER_MANDATE)

    # --- summary -------------------------------------------------------------------------

    def summary(self) -> str:
        lines = [
            "Demo loaded: a fictional social clinic, a social centre, a clinic in Italy and "
            "their network.",
            f"Collectives: {self.clinic.slug}, {self.centre.slug}, {self.ponte.slug}, "
            f"{self.net.slug} (network).",
            f'Every demo account logs in with its name as written below and the password '
            f'"{PASSWORD}".',
        ]
        for slug, names in self.members.items():
            lines.append(f"  {slug}: {', '.join(names)}")
        return "\n".join(lines)


# --- the texts (all invented) ------------------------------------------------------------

CLINIC_PLACE = "Οδός Λεμονιάς 23, ισόγειο · 23 Lemonias St., ground floor"

CLINIC_DESCRIPTION = """\
Αυτοοργανωμένο ιατρείο της γειτονιάς: πρωτοβάθμια φροντίδα, φαρμακείο και ψυχολογική \
υποστήριξη, δωρεάν για όλους και όλες. Αποφασίζουμε στην ανοιχτή γενική συνέλευση κάθε Δευτέρα.

A self-managed neighbourhood clinic: primary care, a pharmacy and psychological support, free \
for everyone. We decide together in an open general assembly every Monday.

*Fictional: demo data of Assembly.*"""

CENTRE_DESCRIPTION = """\
Κοινωνικό κέντρο με σχολείο γλωσσών, συλλογική κουζίνα και γωνιά υγείας.

A social centre with a language school, a collective kitchen and a health corner. *Fictional.*"""

PONTE_DESCRIPTION = """\
Ambulatorio popolare autogestito: visite gratuite, sportello per il diritto alla salute, \
assemblea aperta ogni due settimane. *Di fantasia: dati dimostrativi.*"""

NETWORK_DESCRIPTION = """\
A network of self-managed clinics and social centres around the Mediterranean. Its assembly \
meets online every four weeks; each collective takes up the network's agreements in its own \
assembly. *Fictional.*"""

PHARMACY_PURPOSE = """\
Receives donated medicines, checks where they come from and when they expire, keeps the stock \
list, and hands out medicines prescribed at the clinic."""

RECEPTION_PURPOSE = """\
The first contact: welcomes whoever comes in, explains how the clinic works, books \
appointments and notes which language each person needs."""

TRANSLATION_PURPOSE = """\
Interprets at appointments and assemblies (Arabic, Farsi, French, English) and translates the \
clinic's leaflets and texts."""

SUPPORT_PURPOSE = """\
Case discussions among the volunteers who offer psychological support. Only participants \
read what is written here, and nothing here names the people we support."""

NIGHT_TEXT = """\
People at reception keep asking what to do when a child has a fever on a Sunday, or when pain \
gets worse at night. Today we have nothing to hand them.

Not a proposal yet, only a need: could we at least print a small card with the public services \
open at night and at weekends, in our languages?"""

GUIDE_TITLE = "Οδηγός για όσες και όσους έρχονται πρώτη φορά στη συνέλευση"

GUIDE_1 = """\
## Γιατί

Σχεδόν κάθε εβδομάδα έρχεται στη συνέλευση κάποια ή κάποιος για πρώτη φορά και φεύγει χωρίς \
να έχει καταλάβει πώς παίρνουμε αποφάσεις.

## Τι προτείνουμε

Ένα σύντομο κείμενο, δύο σελίδες το πολύ, που θα δίνουμε στην είσοδο:

- ποιοι είμαστε και τι κάνει το ιατρείο
- πότε και πού γίνεται η γενική συνέλευση
- πώς ζητάς τον λόγο"""

GUIDE_2 = GUIDE_1 + """
- τι κάνουν ο συντονισμός, τα πρακτικά και η τήρηση χρόνου, και ότι οι ρόλοι αλλάζουν κάθε \
εβδομάδα ώστε να μη βαραίνουν πάντα τους ίδιους ανθρώπους"""

GUIDE_3 = """\
## Γιατί

Σχεδόν κάθε εβδομάδα έρχεται κάποια ή κάποιος για πρώτη φορά στη συνέλευση. Θέλουμε να \
καταλαβαίνει από την αρχή πώς αποφασίζουμε και ότι η φωνή του μετράει όσο κάθε άλλη.

## Τι θα γράφει ο οδηγός

- Ποιοι είμαστε: ένα ιατρείο που το κρατάμε όλοι μαζί, χωρίς αφεντικά.
- Πότε: κάθε Δευτέρα στις 19:00, στο ισόγειο της οδού Λεμονιάς 23.
- Πώς μιλάς: σηκώνεις το χέρι και μπαίνεις στη σειρά. Μπορείς και να μη μιλήσεις.
- Ρόλοι: κάποιος συντονίζει, κάποιος κρατά σημειώσεις, κάποιος μετράει τον χρόνο. Αλλάζουν \
κάθε εβδομάδα.
- Συναίνεση: συμφωνείς, έχεις επιφυλάξεις, κάνεις στην άκρη ή μπλοκάρεις με αιτιολογία.

## Γλώσσες

Η ομάδα μετάφρασης θα ετοιμάσει τον οδηγό και στα αραβικά, στα φαρσί, στα αγγλικά και στα \
γαλλικά."""

SUMMER_1 = """\
## The need

Twice a year, in summer and around the winter holidays, donations of medicines drop while \
people with diabetes, high blood pressure or asthma still need their monthly supply. Last time \
two kinds of insulin ran out for ten days.

## What we propose

Plan the stock ahead instead of reacting when the shelf is already empty."""

SUMMER_2 = SUMMER_1 + """

## What we know already

- The two neighbourhood pharmacies that pass us their surplus close for three weeks in summer \
and for a week at the turn of the year.
- About forty people collect a treatment for a chronic illness from us every month."""

SUMMER_MANDATE = """\
Count what we handed out for chronic illnesses over the last three months, estimate what the \
next six months will need, and come back with a way to ask the other clinics of the network \
for what we lack."""

SUMMER_DELEGATED = """\
The assembly shares the worry but has no figures; the pharmacy group keeps them."""

WALK_IN_1 = """\
## Why

Many people cannot book ahead: no phone credit, shifts that change every week, or they simply \
do not know our number yet. They come anyway, and we send them away with an appointment for \
next week.

## Proposal

Every Wednesday from 17:00 to 19:00 the clinic sees people without an appointment, in the \
order they arrive."""

WALK_IN_2 = """\
## Why

Many people cannot book ahead: no phone credit, shifts that change every week, or they simply \
do not know our number yet. They come anyway, and we send them away with an appointment for \
next week.

## Proposal

For a trial of three months, every Wednesday from 17:00 to 19:00 the clinic sees people \
without an appointment, in the order they arrive.

- At least two doctors and one interpreter (Arabic or Farsi) are on the shift; the reception \
group fills the rota two weeks ahead.
- If the rota is not full by Monday, that week's walk-in hour does not open, and a note at the \
door says so.
- Reception hands out numbered tickets on arrival, so nobody has to defend a place in a queue."""

WALK_IN_3 = WALK_IN_2 + """
- A sign at the door in Greek, Arabic, Farsi and English explains the walk-in hour and the \
tickets."""

WALK_IN_BLOCK = """\
On Wednesdays we have one doctor and no interpreter. An open door we cannot staff means people \
wait two hours for nothing, which is worse than an appointment."""

WALK_IN_POSTPONED = """\
Block: too few doctors and no interpreter on Wednesdays. Camille and Rim will rework the \
proposal with the reception and translation groups and bring it back."""

WALK_IN_AGREED = """\
Katerina's block is resolved: the hour opens only with two doctors and an interpreter on shift."""

WALK_IN_STAND_ASIDE = """\
I cannot take Wednesday shifts and would rather not hold up something I will not carry myself."""

WALK_IN_RESERVATION_1 = """\
Good as a trial. If people wait more than an hour on average we should look at it again \
before the three months are over."""

WALK_IN_RESERVATION_2 = """\
The tickets must never become a way of choosing who gets seen."""

DONATIONS_1 = """\
We accept medicines, equipment and money from individuals, other collectives, neighbourhood \
pharmacies and anyone who gives without conditions.

We do **not** accept donations, sponsorship, free samples or training from pharmaceutical \
companies, their sales representatives or the foundations they fund. Such gifts come with a \
message about what to prescribe, and our independence is what people trust.

- The pharmacy group checks where each donation comes from before it goes on the shelf.
- Whatever we refuse goes to the public hospital nearby; nothing is thrown away."""

DONATIONS_RESERVATION = """\
We do not say what happens with donations that reach us through an NGO which got them from a \
company. We will meet this case soon."""

DONATIONS_REVIEW_ASKED = """\
An NGO offered us a box of insulin pens it had received from the manufacturer. The agreement \
does not say whether donations passed on by others are covered; the pharmacy group asks the \
assembly to look at it again now."""

SATURDAY_1 = """\
Πολλοί άνθρωποι που δουλεύουν όλη την εβδομάδα δεν προλαβαίνουν τις ώρες μας. Προτείνουμε να \
ανοίγει η υποδοχή **κάθε Σάββατο, 10:00–13:00**.

- Στη βάρδια: δύο άτομα της υποδοχής και ένας γιατρός ή μια γιατρός.
- Μετράμε πόσοι ήρθαν και για ποιο λόγο, χωρίς ονόματα.
- Ξεκινάμε δοκιμαστικά και η συνέλευση το αξιολογεί μετά το πρώτο Σάββατο."""

SATURDAY_REVIEW_ASKED = """\
The first Saturday has taken place; the reception group asks to evaluate it now, as agreed."""

SATURDAY_CONFIRMED = """\
Nine people came on the first Saturday, five of them for the first time, most after a night \
shift. The reception group can hold the shift, so the agreement stays as it is."""

SATURDAY_PROCESS_NOTE = """\
We agreed a trial without saying who would count the visits, and the figures were put together \
from memory the next day. Next time we name who keeps the count before a trial starts."""

MASKS_1 = """\
The waiting room is small, and many of the people we see have weak lungs or a weak immune \
system. While the current wave of respiratory infections lasts:

- everyone in the waiting room wears a mask (free, handed out at the door);
- the window stays half open;
- people with a fever wait in the yard and are seen first."""

MASKS_REVIEW_ASKED = """\
The weekly public health bulletin says the wave has passed. A temporary measure should not \
stay in force out of habit."""

MASKS_RETIRED = """\
The wave is over. Masks stay available at the door for anyone who wants one, and people with a \
fever can still wait in the yard."""

MASKS_PROCESS_NOTE = """\
We agreed a temporary measure without writing when it would end, and needed a meeting to end \
it. Next time a temporary agreement carries its own end date."""

ULTRASOUND_1 = """\
Our only ultrasound machine is twelve years old and breaks down every few months. We propose \
to collect money for a second, second-hand machine."""

ULTRASOUND_WITHDRAWN = """\
A radiologist of the neighbourhood now offers one afternoon a week in her practice to the \
people we refer. A second machine is no longer needed; what was collected goes to the \
pharmacy."""

EVENING_TITLE = "أمسية شهرية للمعلومات الصحية باللغة العربية"

EVENING_1 = """\
## الفكرة

نقترح أمسية شهرية في العيادة باللغة العربية، يتحدث فيها أحد المتطوعين عن موضوع صحي يختاره \
الحاضرون: السكري، صحة الأطفال، أو كيفية الحصول على رقم الضمان الاجتماعي (AMKA).

## ما نحتاجه من الجمعية العامة

- استعمال قاعة الانتظار بعد إغلاق العيادة
- مساعدة فريق الترجمة في كتابة الإعلان"""

EVENING_2 = """\
## الفكرة

نقترح أمسية شهرية في العيادة باللغة العربية، يتحدث فيها أحد المتطوعين عن موضوع صحي يختاره \
الحاضرون: السكري، صحة الأطفال، أو كيفية الحصول على رقم الضمان الاجتماعي (AMKA).

## التنظيم

- الموعد: الخميس الأول من كل شهر، من الساعة السابعة إلى الثامنة والنصف مساءً
- ترجمة إلى اليونانية لمن يرغب
- ركن صغير للأطفال يشرف عليه متطوعان

## ما نحتاجه من الجمعية العامة

- استعمال قاعة الانتظار بعد إغلاق العيادة
- مساعدة فريق الترجمة في كتابة الإعلان"""

ROOM_1 = """\
## Η προσφορά

Ο δήμος μάς προτείνει ένα ισόγειο 120 τ.μ. στην ίδια γειτονιά, χωρίς ενοίκιο. Ο σημερινός \
χώρος δεν μας χωράει: η αναμονή γεμίζει και η ψυχολογική υποστήριξη γίνεται πίσω από μια \
κουρτίνα.

## Τι προτείνουμε

Να δεχτούμε τον χώρο, αν η λειτουργία μας μένει ίδια: ανοιχτή συνέλευση, χωρίς ιεραρχίες, \
δωρεάν για όλους."""

ROOM_2 = ROOM_1 + """

## Οι όροι του δήμου

- Το λογότυπο του δήμου σε όλα τα έντυπά μας
- Μηνιαία αναφορά με τον αριθμό και την εθνικότητα όσων εξυπηρετούμε
- Σύμβαση δύο ετών, με δυνατότητα ανανέωσης"""

ROOM_BLOCK_1 = """\
Our independence from the state and from parties is why everyone can trust us. The logo on our \
leaflets and monthly figures about people's nationality cross that line."""

ROOM_BLOCK_2 = """\
Nothing about the people who come here may leave the clinic, not even as numbers by \
nationality: people without papers would stop coming."""

ROOM_POSTPONED = """\
No consensus. Dimitra and Samir will ask the municipality whether the room can be offered \
without the logo and without any reporting; the proposal returns to the next assembly with the \
answer."""

ACCOUNTS_1 = """\
Προτείνουμε την πρώτη Δευτέρα κάθε μήνα να παρουσιάζεται στη συνέλευση ο απολογισμός του \
ταμείου: τι μπήκε, τι βγήκε, τι έμεινε.

Το κείμενο μένει στα μέλη, γιατί τα προσχέδια αναφέρουν ονόματα ανθρώπων που στηρίζουν \
οικονομικά το ιατρείο και δεν θέλουν να φανούν."""

ACCOUNTS_2 = ACCOUNTS_1 + """

- Τα σύνολα ανά κατηγορία (φάρμακα, αναλώσιμα, ενοίκιο, ρεύμα) δημοσιεύονται στο ανοιχτό αρχείο.
- Τα ονόματα όσων δίνουν χρήματα μένουν στα μέλη, εκτός αν οι ίδιοι ζητήσουν το αντίθετο.
- Το ταμείο το κρατούν δύο άτομα που αλλάζουν κάθε τρεις μήνες."""

CONTINUITY_1 = """\
Volunteers come and go; the people we support should not have to start again from nothing each \
time someone leaves.

- A volunteer who plans to stop tells the group at least a month ahead.
- The group discusses here, and nowhere else, who could continue.
- Notes stay in the locked cabinet; nothing written in this tool may identify anyone."""

CONTINUITY_2 = CONTINUITY_1 + """
- The person we support is asked first whether they want to continue, with whom, and in which \
language."""

GLOSSARY_1 = """\
At appointments each interpreter translates the same words differently, and people get \
confused from one visit to the next. We propose a short shared glossary, kept by the \
translation group and printed for the reception desk.

| English | Ελληνικά | العربية | فارسی |
|---|---|---|---|
| prescription | συνταγή | وصفة طبية | نسخه |
| blood pressure | πίεση | ضغط الدم | فشار خون |
| appointment | ραντεβού | موعد | نوبت |
| social security number | ΑΜΚΑ | رقم الضمان الاجتماعي | شماره تأمین اجتماعی |"""

GLOSSARY_2 = GLOSSARY_1 + """
| vaccine | εμβόλιο | لقاح | واکسن |
| pregnancy | εγκυμοσύνη | حمل | بارداری |"""

BOX_1 = """\
When one clinic runs short of a medicine, another often has a surplus that will expire on its \
shelf.

## Proposal

- Each clinic keeps an up-to-date list of what it can spare and what it lacks, shared in the \
network.
- Requests go from clinic to clinic; the network holds no central stock.
- Medicines travel only with someone we know, never by courier, and always with their leaflet."""

BOX_2 = BOX_1 + """
- Every request gets an answer within a week, even when the answer is no.
- Between countries we only exchange what a person may carry by law; the pharmacy groups check \
this first."""

CARERS_TEXT = """\
Many of us hold three roles at once, and some have stopped coming out of tiredness. We would \
like the next gathering of the network to hold a working table on how each collective shares \
the load and lets people take a break without guilt."""

TURKISH_HOUR_TEXT = """\
Κάθε δεύτερη Πέμπτη, μία ώρα ενημέρωσης στα τουρκικά για τα δικαιώματα στην υγεία και για το \
πώς βγαίνει ΑΜΚΑ.

Her iki haftada bir perşembe günü, sağlık hakları ve AMKA numarasının nasıl alınacağı üzerine \
Türkçe bir saatlik bilgilendirme."""

AUGUST_TEXT = """\
Ad agosto metà dei medici volontari è via. Proponiamo di aprire il martedì e il venerdì, con \
almeno un medico e una persona all'accoglienza per turno, e di indicare alla porta gli \
ambulatori pubblici aperti negli altri giorni."""
