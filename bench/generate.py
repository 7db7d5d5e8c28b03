"""Fill a database with a realistic archive of a network of collectives, for benchmarks.

Not a test: a measurement tool. At ``--scale 1`` (the default) it writes 20 collectives (one of
them a network), 200 bodies, 100,000 proposals with 1,000,000 events, 300,000 comments and
20,000 meetings with minutes, in eight languages (Greek and Arabic among them), a share of them
members-only or confidential. Everything else scales with ``--scale`` (0.01 gives 1,000
proposals) except the collectives and bodies. Then the full-text index is rebuilt.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/generate.py --scale 0.01
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test?options=-csearch_path%3Dbench9 \\
        .venv/bin/python bench/generate.py

The database must be empty (``--reset`` empties it first). Rows are written in bulk: executemany
through SQLAlchemy Core on SQLite, COPY on PostgreSQL. Proposal 1 (in the first collective's
general assembly, ``clinic-01/b/general-assembly``) has the longest history: ``LONG_EVENTS``
events and ``LONG_COMMENTS`` comments. The rare word ``RARE_WORD`` is in a handful of texts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COLLECTIVES = 20
BODIES_PER_COLLECTIVE = 10
PROPOSALS = 100_000
EVENTS = 1_000_000
COMMENTS = 300_000
MEETINGS = 20_000
PEOPLE = 2_000
LONG_EVENTS = 600
LONG_COMMENTS = 300
RARE_WORD = "ξενοδοχειοπλοιαρχος"  # a long Greek compound found in a few texts only
RARE_LATIN = "quinquagenarian"
BATCH = 20_000
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
YEARS = 4

def _words(text: str) -> list[str]:
    return text.split()


WORDS = {
    "en": _words("clinic medicine pharmacy volunteers shift night rota dentist children vaccines "
          "donations rent heating translation interpreters assembly proposal agreement review "
          "mandate working group budget supplies transport neighbourhood solidarity hospital "
          "insurance paperwork waiting room opening hours doctors nurses cleaners"),
    "el": _words("ιατρείο φάρμακα εθελοντές βάρδια συνέλευση πρόταση συμφωνία αλληλεγγύη παιδιά "
          "εμβόλια δωρεές ενοίκιο θέρμανση μετάφραση διερμηνείς οδοντίατρος νοσοκομείο "
          "γειτονιά προϋπολογισμός ομάδα εργασίας ώρες λειτουργίας γιατροί νοσηλευτές "
          "καθαριότητα αναμονή ασφάλιση χαρτιά μεταφορά"),
    "ar": _words("عيادة دواء صيدلية متطوعون مناوبة جمعية اقتراح اتفاق تضامن أطفال لقاحات تبرعات "
          "إيجار تدفئة ترجمة مترجمون طبيب أسنان مستشفى حي ميزانية مجموعة عمل ساعات "
          "أطباء ممرضون تنظيف انتظار تأمين أوراق نقل"),
    "it": _words("ambulatorio farmaci volontari turno assemblea proposta accordo solidarietà "
          "bambini vaccini donazioni affitto riscaldamento traduzione quartiere bilancio"),
    "de": _words("Praxis Medikamente Freiwillige Schicht Versammlung Vorschlag Vereinbarung "
          "Solidarität Kinder Impfungen Spenden Miete Heizung Übersetzung Nachbarschaft"),
    "fr": _words("dispensaire médicaments bénévoles permanence assemblée proposition accord "
          "solidarité enfants vaccins dons loyer chauffage traduction quartier budget"),
    "tr": _words("klinik ilaç gönüllüler nöbet meclis öneri anlaşma dayanışma çocuklar aşılar "
          "bağışlar kira ısınma çeviri mahalle bütçe"),
    "fa": _words("درمانگاه دارو داوطلبان نوبت مجمع پیشنهاد توافق همبستگی کودکان واکسن کمک اجاره "
          "گرمایش ترجمه محله بودجه"),
}
# Each collective speaks its main language first (the index's "likely language"), then others.
LANGUAGE_SETS = ["el en ar", "el en", "ar en fa", "it en", "de en tr", "fr en ar", "el en tr",
                 "en el ar fa", "tr en", "fr en"]
PHASES = ["identified", "drafting", "delegated", "on_agenda", "postponed", "agreed",
          "under_review", "withdrawn", "retired"]
PHASE_WEIGHTS = [8, 14, 6, 4, 4, 40, 4, 12, 8]
AGREEMENT_PHASES = {"agreed", "under_review", "retired"}
# The loop a long history goes around (drafting → agenda → postponed → back to drafting).
LOOP = ["drafting", "on_agenda", "postponed", "drafting"]


class World:
    """How many of each, at a scale."""

    def __init__(self, scale: float):
        self.scale = scale
        self.proposals = max(50, round(PROPOSALS * scale))
        self.events = max(self.proposals * 3, round(EVENTS * scale))
        self.comments = max(100, round(COMMENTS * scale))
        self.meetings = max(200, round(MEETINGS * scale))
        self.people = max(100, round(PEOPLE * scale))
        self.long_events = min(LONG_EVENTS, max(30, self.events // 100))
        self.long_comments = min(LONG_COMMENTS, max(20, self.comments // 100))


# --- writing ----------------------------------------------------------------------------------

def _copy_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def write(conn: sa.Connection, table: sa.Table, rows: Iterable[dict]) -> int:
    """Insert rows in batches: COPY on PostgreSQL, executemany elsewhere."""
    written = 0
    for batch in _batches(rows):
        if conn.dialect.name == "postgresql":
            columns = list(batch[0])
            names = ", ".join(f'"{c}"' for c in columns)
            cursor = conn.connection.driver_connection.cursor()
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in batch:
                    copy.write_row([_copy_value(row[c]) for c in columns])
        else:
            conn.execute(table.insert(), batch)
        written += len(batch)
    return written


def _batches(rows: Iterable[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _reset_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """COPY with explicit ids leaves PostgreSQL's sequences at 1: move them past the data."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c and table.c.id.autoincrement is not False:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)")


# --- text -------------------------------------------------------------------------------------

class Text:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def words(self, languages: str, n: int) -> str:
        langs = languages.split()
        # Mostly the main language, with some words of the others (mixed assemblies).
        pool = WORDS[langs[0]] if self.rng.random() < 0.8 else WORDS[self.rng.choice(langs)]
        return " ".join(self.rng.choice(pool) for _ in range(n))

    def title(self, languages: str) -> str:
        return self.words(languages, self.rng.randint(3, 8)).capitalize()[:200]

    def paragraphs(self, languages: str, n: int, rare: bool = False) -> str:
        parts = [self.words(languages, self.rng.randint(15, 40)) + "." for _ in range(n)]
        if rare:
            parts.append(f"{RARE_WORD} {RARE_LATIN}.")
        return "\n\n".join(parts)


# --- the world ----------------------------------------------------------------------------------

class Generator:
    def __init__(self, conn: sa.Connection, world: World, seed: int = 9):
        from assembly import models

        self.conn = conn
        self.world = world
        self.rng = random.Random(seed)
        self.text = Text(self.rng)
        self.m = models
        self.timings: dict[str, float] = {}
        self.password_hash = ""

    def t(self, table) -> sa.Table:
        return table.__table__ if hasattr(table, "__table__") else table

    def run(self) -> dict[str, float]:
        from werkzeug.security import generate_password_hash

        self.password_hash = generate_password_hash("bench password, long enough",
                                                    method="pbkdf2:sha256:1000")
        for step in (self.people, self.collectives, self.bodies, self.meetings,
                     self.proposals, self.comments):
            started = time.perf_counter()
            step()
            self.timings[step.__name__] = time.perf_counter() - started
        _reset_sequences(self.conn, [self.t(x) for x in (
            self.m.Person, self.m.Collective, self.m.NetworkMembership, self.m.Membership,
            self.m.Body, self.m.BodyParticipant, self.m.Meeting, self.m.Minutes,
            self.m.AgendaItem, self.m.Proposal, self.m.ProposalEvent, self.m.Revision,
            self.m.Agreement, self.m.Comment, self.m.CommentVersion)])
        return self.timings

    def when(self, years: float = YEARS) -> datetime:
        return NOW - timedelta(seconds=self.rng.randint(3600, int(years * 365 * 86400)))

    # people and collectives

    def people(self) -> None:
        langs = list(WORDS)
        write(self.conn, self.t(self.m.Person), (
            {"id": i, "display_name": f"Member {i}", "email": None,
             "password_hash": self.password_hash, "language": langs[i % len(langs)],
             "created_at": NOW - timedelta(days=1500)}
            for i in range(1, self.world.people + 1)))

    def collectives(self) -> None:
        self.languages: dict[int, str] = {}
        rows = []
        for i in range(1, COLLECTIVES + 1):
            network = i == COLLECTIVES
            languages = "en el it tr ar" if network else LANGUAGE_SETS[(i - 1) % len(LANGUAGE_SETS)]
            self.languages[i] = languages
            rows.append({
                "id": i, "slug": "network" if network else f"clinic-{i:02d}",
                "name": "The network of clinics" if network else f"Social clinic {i:02d}",
                "kind": "network" if network else "collective",
                "description": self.text.paragraphs(languages, 1), "languages": languages,
                "timezone": "Europe/Athens", "incomer_comments": "shown", "open_joining": False,
                "created_at": NOW - timedelta(days=1500)})
        write(self.conn, self.t(self.m.Collective), rows)
        write(self.conn, self.t(self.m.NetworkMembership), (
            {"id": i, "network_id": COLLECTIVES, "collective_id": i,
             "joined_at": NOW - timedelta(days=1400)} for i in range(1, COLLECTIVES)))
        # Every person is a member of one collective (and so of the network).
        self.members = {c: [] for c in range(1, COLLECTIVES + 1)}
        for person in range(1, self.world.people + 1):
            self.members[(person - 1) % (COLLECTIVES - 1) + 1].append(person)
        write(self.conn, self.t(self.m.Membership), (
            {"id": person, "person_id": person, "collective_id": collective,
             "joined_at": NOW - timedelta(days=1400), "invitation_id": None}
            for collective, people in self.members.items() for person in people))

    def bodies(self) -> None:
        self.body_ids: list[int] = []
        self.body_info: dict[int, tuple[int, str]] = {}  # id -> (collective, visibility)
        rows, participants = [], []
        body_id = 0
        for c in range(1, COLLECTIVES + 1):
            network = c == COLLECTIVES
            for n in range(BODIES_PER_COLLECTIVE):
                body_id += 1
                general = n == 0
                # One confidential body (a case assembly) and one members-only group each.
                visibility = ("confidential" if n == BODIES_PER_COLLECTIVE - 1
                              else "members" if n == BODIES_PER_COLLECTIVE - 2 else "public")
                kind = (("network_assembly" if network else "general_assembly") if general
                        else "working_group")
                name = "General assembly" if general else f"Working group {n}"
                rows.append({
                    "id": body_id, "collective_id": c, "kind": kind, "name": name,
                    "slug": "general-assembly" if general else f"group-{n}",
                    "purpose": self.text.paragraphs(self.languages[c], 1),
                    "rhythm_weekday": 0 if general else n % 5, "rhythm_time": "19:00",
                    "rhythm_every_weeks": 1, "rhythm_minutes": 120, "default_place": "",
                    "visibility": visibility, "created_at": NOW - timedelta(days=1500)})
                self.body_ids.append(body_id)
                self.body_info[body_id] = (c, visibility)
                people = self.members[c] or self.members[1]
                for person in self.rng.sample(people, min(8, len(people))):
                    participants.append({"body_id": body_id, "person_id": person,
                                         "joined_at": NOW - timedelta(days=1000)})
        write(self.conn, self.t(self.m.Body), rows)
        for i, row in enumerate(participants, 1):
            row["id"] = i
        write(self.conn, self.t(self.m.BodyParticipant), participants)

    def meetings(self) -> None:
        """Weekly meetings per body, going back in time; all but the coming ones closed, with
        minutes."""
        per_body = -(-self.world.meetings // len(self.body_ids))
        self.body_meetings: dict[int, list[int]] = {b: [] for b in self.body_ids}
        meetings, minutes = [], []
        meeting_id = 0
        for body in self.body_ids:
            collective, visibility = self.body_info[body]
            first = NOW + timedelta(days=14) - timedelta(weeks=per_body - 1)
            for week in range(per_body):
                if meeting_id >= self.world.meetings:
                    break
                meeting_id += 1
                starts = (first + timedelta(weeks=week)).replace(hour=17, minute=0, second=0)
                past = starts < NOW
                meetings.append({
                    "id": meeting_id, "collective_id": collective, "body_id": body,
                    "title": "", "starts_at": starts, "duration_minutes": 120,
                    "place": "The clinic", "online_link": "", "languages":
                    self.languages[collective], "status": "closed" if past else "scheduled",
                    "from_rhythm": True, "created_at": starts - timedelta(days=30),
                    "started_at": starts if past else None,
                    "closed_at": starts + timedelta(hours=2) if past else None,
                    "cancelled_at": None, "visibility": visibility})
                self.body_meetings[body].append(meeting_id)
                if past:
                    minutes.append({
                        "id": len(minutes) + 1, "meeting_id": meeting_id,
                        "collective_id": collective, "body_id": body,
                        "text": "## " + self.text.title(self.languages[collective]) + "\n\n"
                                + self.text.paragraphs(self.languages[collective], 4),
                        "created_by_id": None, "created_at": starts + timedelta(hours=3),
                        "visibility": visibility})
        write(self.conn, self.t(self.m.Meeting), meetings)
        write(self.conn, self.t(self.m.Minutes), minutes)
        self.meeting_count = meeting_id

    # proposals and their histories

    def _event_counts(self) -> list[int]:
        """Events per proposal: at least 3, a long tail, proposal 1 the longest; summing to
        the target."""
        n = self.world.proposals
        remaining = self.world.events - self.world.long_events
        weights = [self.rng.paretovariate(1.6) for _ in range(n - 1)]
        total = sum(weights)
        spare = remaining - 3 * (n - 1)
        counts = [3 + int(spare * w / total) for w in weights]
        counts = [min(c, self.world.long_events - 1) for c in counts]
        short = remaining - sum(counts)
        for i in range(short):
            counts[i % len(counts)] += 1
        return [self.world.long_events, *counts]

    def proposals(self) -> None:
        counts = self._event_counts()
        public_bodies = [b for b in self.body_ids if self.body_info[b][1] == "public"]
        self.proposal_info: dict[int, tuple[int, str]] = {}
        event_id = revision_id = agreement_id = item_id = 0
        proposals, events, revisions, agreements, items = [], [], [], [], []
        tables = {"proposals": self.t(self.m.Proposal), "events": self.t(self.m.ProposalEvent),
                  "revisions": self.t(self.m.Revision), "agreements": self.t(self.m.Agreement),
                  "items": self.t(self.m.AgendaItem)}

        def flush(final: bool = False) -> None:
            if final or len(events) >= BATCH * 5:
                for name, rows in (("proposals", proposals), ("revisions", revisions),
                                   ("events", events), ("agreements", agreements),
                                   ("items", items)):
                    write(self.conn, tables[name], rows)
                    rows.clear()

        rare = set(self.rng.sample(range(2, self.world.proposals + 1), 5))
        for pid, n_events in enumerate(counts, 1):
            body = public_bodies[0] if pid == 1 else self.rng.choice(self.body_ids)
            collective, body_visibility = self.body_info[body]
            languages = self.languages[collective]
            visibility = self.rng.choices(["public", "members", "confidential"],
                                          [85, 12, 3])[0]
            phase = "postponed" if pid == 1 else self.rng.choices(PHASES, PHASE_WEIGHTS)[0]
            created = self.when()
            span = (NOW - created).total_seconds()
            at = [created + timedelta(seconds=span * k / n_events) for k in range(n_events)]
            author = self.rng.choice(self.members[collective] or self.members[1])
            meetings = self.body_meetings[body]
            title = self.text.title(languages)
            self.proposal_info[pid] = (collective, languages)
            # The history: created, then revisions and transitions around the loop, ending in
            # the chosen phase.
            number = 1
            revisions.append(self._revision(revision_id := revision_id + 1, pid, 1, languages,
                                            pid in rare, author, created))
            events.append(self._event(event_id := event_id + 1, pid, 1, "created", None,
                                      "identified", author, created, None))
            current = "identified"
            for seq in range(2, n_events + 1):
                last = seq == n_events
                if not last and seq % 4 == 0:
                    number += 1
                    revisions.append(self._revision(revision_id := revision_id + 1, pid, number,
                                                    languages, False, author, at[seq - 1]))
                    events.append(self._event(event_id := event_id + 1, pid, seq, "revised",
                                              None, None, author, at[seq - 1], None,
                                              {"revision": number}))
                    continue
                to = phase if last else LOOP[(LOOP.index(current) + 1) % len(LOOP)
                                             if current in LOOP else 0]
                meeting = (self.rng.choice(meetings) if meetings and to in
                           {"agreed", "postponed", "on_agenda"} else None)
                data = {"meeting": meeting} if to == "on_agenda" and meeting else {}
                events.append(self._event(event_id := event_id + 1, pid, seq, "transition",
                                          current, to, author, at[seq - 1], meeting, data))
                if to == "on_agenda" and meeting is not None and self.rng.random() < 0.3:
                    items.append({"id": (item_id := item_id + 1), "meeting_id": meeting,
                                  "position": item_id % 8, "kind": "proposal",
                                  "proposal_id": pid, "title": "", "time_box_minutes": 15,
                                  "note": "", "created_at": at[seq - 1], "added_by_id": author,
                                  "outcome": None, "removed_at": None, "removed_by_id": None})
                current = to
            review = None
            if phase in AGREEMENT_PHASES:
                review = (NOW + timedelta(days=self.rng.randint(-60, 365))).date()
                agreements.append({
                    "id": (agreement_id := agreement_id + 1), "proposal_id": pid,
                    "revision_id": revision_id, "body_id": body,
                    "meeting_id": meetings[0] if meetings else None, "agreed_at": at[-1],
                    "recorded_by_id": author, "implementers": "The pharmacy group",
                    "implementer_body_id": None, "deadline": None, "review_date": review,
                    "guests_present": 0,
                    "status": "retired" if phase == "retired" else "in_force",
                    "ended_at": at[-1] if phase == "retired" else None})
            proposals.append({
                "id": pid, "collective_id": collective, "body_id": body, "title": title,
                "slug": f"proposal-{pid}", "phase": phase, "created_by_id": author,
                "created_at": created, "updated_at": at[-1], "event_count": n_events,
                "revision_number": number, "phase_reason": "", "delegated_to_id": None,
                "mandate": None, "return_date": None, "return_body_id": None,
                "review_date": review if phase == "agreed" else None,
                "visibility": "public" if pid == 1 else visibility})
            flush()
        flush(final=True)

    def _revision(self, rid, pid, number, languages, rare, author, at) -> dict:
        return {"id": rid, "proposal_id": pid, "number": number,
                "text": self.text.paragraphs(languages, self.rng.randint(1, 3), rare),
                "summary": "", "author_id": author, "created_at": at}

    def _event(self, eid, pid, seq, kind, from_phase, to_phase, actor, at, meeting,
               data=None) -> dict:
        return {"id": eid, "proposal_id": pid, "seq": seq, "kind": kind,
                "from_phase": from_phase, "to_phase": to_phase, "actor_id": actor, "at": at,
                "reason": "", "meeting_id": meeting, "data": data or {}}

    def comments(self) -> None:
        comment_table, version_table = self.t(self.m.Comment), self.t(self.m.CommentVersion)
        n = self.world.proposals
        long = self.world.long_comments

        def rows() -> Iterator[dict]:
            for cid in range(1, self.world.comments + 1):
                pid = 1 if cid <= long else self.rng.randint(1, n)
                collective, languages = self.proposal_info[pid]
                guest = self.rng.random() < 0.2
                at = self.when()
                yield {"id": cid, "proposal_id": pid, "revision_id": None,
                       "paragraph_index": None, "paragraph_hash": None,
                       "parent_id": cid - 1 if cid > 1 and cid % 5 == 0 and pid == 1 else None,
                       "author_id": None if guest else self.rng.choice(
                           self.members[collective] or self.members[1]),
                       "guest_id": f"guest-{cid}" if guest else None,
                       "guest_name": f"Guest {cid}" if guest else None, "client_hash": None,
                       "held": False, "body": self.text.words(languages, self.rng.randint(8, 40)),
                       "created_at": at, "edited_at": None, "resolved_at": None,
                       "resolved_by_id": None, "withdrawn_at": None, "withdrawn_by_id": None,
                       "hidden_at": None, "hidden_by_id": None, "hidden_reason": None}

        for batch in _batches(rows()):
            write(self.conn, comment_table, batch)
            write(self.conn, version_table, (
                {"id": c["id"], "comment_id": c["id"], "body": c["body"],
                 "edited_at": c["created_at"], "by_id": c["author_id"]} for c in batch))


# --- the command --------------------------------------------------------------------------------

def prepare_schema(app, reset: bool, migrate: bool) -> None:
    """Make the schema: with ``migrate``, as production does (``flask db upgrade``); otherwise
    from the models, as the tests do (``create_all``), which also holds columns other work has
    added to the models before its migration is written."""
    from flask_migrate import upgrade

    from assembly.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            schema = _search_path(app)
            if schema:
                with db.engine.begin() as conn:
                    if reset:
                        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                    conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        elif reset:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        if migrate:
            upgrade(directory=str(ROOT / "migrations"))
        db.create_all()


def _search_path(app) -> str | None:
    from urllib.parse import parse_qs, urlsplit

    options = parse_qs(urlsplit(app.config["SQLALCHEMY_DATABASE_URI"]).query).get("options", [])
    for option in options:
        if option.startswith("-csearch_path="):
            return option.split("=", 1)[1].split(",")[0]
    return None


def generate(app, scale: float, *, reset: bool = False, migrate: bool = False,
             seed: int = 9) -> dict[str, float]:
    """Fill the app's database; returns seconds per step."""
    from assembly.extensions import db
    from assembly.search import index

    prepare_schema(app, reset, migrate)
    world = World(scale)
    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # A bulk load: the journal stays, but each statement need not reach the disk.
                conn.exec_driver_sql("PRAGMA synchronous = OFF")
            timings = Generator(conn, world, seed).run()
        started = time.perf_counter()
        with db.engine.begin() as conn:
            counts = index.reindex(conn)
        timings["search index"] = time.perf_counter() - started
        timings["indexed documents"] = float(sum(counts.values()))
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1 = 100,000 proposals; 0.01 = 1,000")
    parser.add_argument("--reset", action="store_true",
                        help="drop everything in the database (or schema) first")
    parser.add_argument("--migrate", action="store_true",
                        help="make the schema with the migrations (flask db upgrade)")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL (the bench never writes to the default database)")
    from assembly import create_app

    app = create_app({"SOCKETIO_ASYNC_MODE": "threading"})
    started = time.perf_counter()
    timings = generate(app, args.scale, reset=args.reset, migrate=args.migrate,
                       seed=args.seed)
    world = World(args.scale)
    print(f"{world.proposals} proposals, {world.events} events, {world.comments} comments, "
          f"{world.meetings} meetings, {COLLECTIVES} collectives, "
          f"{COLLECTIVES * BODIES_PER_COLLECTIVE} bodies, {world.people} people")
    for step, seconds in timings.items():
        print(f"  {step:20} {seconds:8.1f}" + ("" if step == "indexed documents" else " s"))
    print(f"  {'total':20} {time.perf_counter() - started:8.1f} s")


if __name__ == "__main__":
    main()
