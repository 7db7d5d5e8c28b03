"""Soak: the traffic of a 30-minute assembly evening against one server process, compressed.

Not a test: a measurement with a verdict. It starts the real app (``python wsgi.py``, eventlet,
a temporary SQLite database after ``flask db upgrade`` and ``flask assembly demo``) on
127.0.0.1, the way bench/live_fanout.py does (its helpers are imported, not copied), and runs at
the same time:

- readers: front doors, proposal, body and meeting pages (the demo's past assemblies have
  minutes), search and Atom feeds, as anonymous visitors and as signed-in demo members;
- comments: guests on public proposals and members, through the real forms with real CSRF
  tokens (the honeypot left empty);
- a live meeting: 100 guest participants on phones (python-socketio, green threads in worker
  processes) and a projector, raising and lowering hands, sending signals and answering
  consensus checks, and a facilitator calling speakers, ending turns, running the timer,
  opening and closing checks, taking notes, changing the queue policy and the item.

The volumes are those of one evening (``EVENING``, per 30 minutes), played ``--duration``
seconds long (default 240: about 7.5 times faster than real). ``--minutes M`` runs M real
minutes at the evening's real rates instead.

The app's rate limits stay on. Guests comment under many guest identities (at most 3 comments
each, the app allows 5 per 10 minutes), and each HTTP session sends from its own loopback
address (127.x.y.z: Linux routes all of 127/8 to lo), as separate visitors would, so the
per-address guest limit (20 per 10 minutes) and the sign-in limit are not what is measured.

Errors (must be 0): HTTP answers >= 500 or other than expected, socket answers with code
``server_error`` or ``unavailable``, client exceptions and timeouts, participants that fail to
connect, and states lost (a gap in a client's ``seq``, or a client behind the last ``seq`` at
the end). The exit status is 1 when there is any.

    .venv/bin/python bench/soak.py
    .venv/bin/python bench/soak.py --minutes 30
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_fanout import (  # noqa: E402 (bench/ is not a package)
    PYTHON,
    ROOT,
    RealApp,
    Workers,
    action,
    machine,
    memory,
    stop,
)

DEMO_PASSWORD = "assembly-demo"
# Members of the demo clinic who read and comment while signed in (names as the demo has them).
MEMBERS = ["Nikos Vlachos", "Katerina Maniati", "Samir Haddad", "Giulia Moretti",
           "Camille Roux", "Amadou Diallo"]
# One evening of 30 minutes: what the collective's server sees.
EVENING = {
    "page_views": 3600,        # 2 a second: the room's phones, members at home, incomers
    "guest_comments": 60,
    "member_comments": 60,
    "hands": 150,              # hands raised by the 100 participants
    "own_lowers": 30,          # hands lowered by their owner before being called
    "signals": 40,             # slower / louder / translation
    "checks": 6,               # consensus checks, each answered by ~95 participants
    "call_every": 15,          # seconds between the facilitator's next speakers
    "note_every": 60,          # seconds between the note-taker's saves
    "timer_every": 120,        # seconds between timer pauses/starts
    "item_every": 600,         # seconds on an agenda item
    "policy_every": 420,       # seconds between queue policy changes
    "check_open": 120,         # seconds a check stays open
}
EVENING_SECONDS = 30 * 60
PARTICIPANTS = 100
SEARCHES = ["insulin", "fridge", "pharmacy", "φαρμακείο", "assembly", "Saturday", "clinic",
            "ιατρείο", "volunteers", "rent"]
PAGE_WEIGHTS = {"front": 20, "proposal": 30, "body": 12, "meeting": 13, "search": 10,
                "feed": 10, "home": 5}
SKIP = re.compile(r"/export/|/open-data|\.ics$|/live|/join|/login|/logout|/static/|^/me\b")
KINDS = [("feed", re.compile(r"\.atom$")),
         ("proposal", re.compile(r"^/c/[^/]+/p/\d+")),
         ("meeting", re.compile(r"^/c/[^/]+/m/\d+|^/c/[^/]+/b/[^/]+/meetings$")),
         ("body", re.compile(r"^/c/[^/]+/b/[^/]+/$")),
         ("front", re.compile(r"^/c/[^/]+/$"))]
ANSWERS = [("agree", 70), ("reservations", 15), ("stand_aside", 10), ("block", 5)]
HANDS = [("new_point", 70), ("direct_response", 15), ("clarifying_question", 10),
         ("point_of_process", 5)]
TEXT = ("we could keep the second fridge in the back room and log its temperature every "
         "morning before the pharmacy opens καλή ιδέα αλλά ποιος θα το κάνει τα Σάββατα "
         "نحن نوافق إذا كان هناك متطوعون كافيون and who pays for the electricity")
WORDS = TEXT.split()


def weighted(pairs) -> str:
    names, weights = zip(*(pairs.items() if isinstance(pairs, dict) else pairs), strict=True)
    return random.choices(names, weights)[0]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] * 1000


def sentence(n: int = 14) -> str:
    return " ".join(random.choice(WORDS) for _ in range(n)).capitalize() + "."


# --- the phones: worker processes of green-thread participants ---------------------------------

def worker() -> None:
    """Read a spec on stdin, connect its clients, say READY, wait for GO, act and record until
    STOP, then print what happened."""
    import eventlet

    eventlet.monkey_patch()
    import eventlet.tpool
    import socketio

    spec = json.loads(sys.stdin.readline())
    random.seed(spec["seed"])
    speed, rates = spec["speed"], spec["rates"]  # rates: per participant per evening second
    received: list[dict[int, float]] = []
    sent: dict[int, float] = {}
    acks: dict[str, list[float]] = defaultdict(list)
    refused: Counter = Counter()
    errors: list[str] = []
    phones: list[dict] = []
    running = threading.Event()
    failed = 0

    def act(phone: dict, what: str, **fields) -> None:
        started = time.monotonic()
        try:
            answer = phone["sio"].call("act", action(spec["meeting_id"], what, fields),
                                       timeout=30)
        except Exception as error:  # noqa: BLE001 (counted as an error)
            errors.append(f"{what}: {type(error).__name__}: {error}")
            return
        acks[what].append(time.monotonic() - started)
        if answer and answer.get("ok"):
            sent[answer["seq"]] = started
        else:
            refused[f"{what}:{(answer or {}).get('code')}"] += 1

    def on_state(phone: dict, data: dict) -> None:
        phone["record"].setdefault(data.get("seq"), time.monotonic())
        snapshot = data.get("snapshot") or {}
        phone["hand"] = any(h.get("participant_id") == phone["id"]
                            for h in snapshot.get("queue") or [])
        check = snapshot.get("check")
        if (phone["view"] == "participant" and running.is_set() and check and check.get("open")
                and check["id"] not in phone["answered"]):
            phone["answered"].add(check["id"])
            if random.random() < 0.95:  # a few never answer
                answer = weighted(ANSWERS)
                reason = sentence(8) if answer == "block" else ""
                delay = random.uniform(2, 60) / speed  # reading the proposal, then tapping
                eventlet.spawn_after(delay, act, phone, "answer", check_id=check["id"],
                                     answer=answer, reason=reason)

    def live(phone: dict) -> None:
        """A participant's own initiatives: a Poisson process of hands, lowers and signals."""
        total = rates["hands"] + rates["own_lowers"] + rates["signals"]
        while running.is_set():
            eventlet.sleep(random.expovariate(total * speed))
            if not running.is_set():
                return
            pick = random.uniform(0, total)
            if pick < rates["hands"]:
                if not phone["hand"]:
                    act(phone, "raise_hand", kind=weighted(HANDS))
            elif pick < rates["hands"] + rates["own_lowers"]:
                if phone["hand"]:
                    act(phone, "lower_hand")
            else:
                act(phone, "signal", kind=random.choice(["slower", "louder", "translation"]))

    def connect(client: dict) -> None:
        nonlocal failed
        # Cheap clients, as in bench/live_fanout.py (see "About the measuring clients").
        sio = socketio.Client(reconnection=False,
                              websocket_extra_options={"skip_utf8_validation": True})
        phone = {"sio": sio, "record": {}, "hand": False, "answered": set(), "id": None,
                 "view": client["view"]}
        sio.on("state", lambda data: on_state(phone, data))
        headers = {"Cookie": f"session={client['cookie']}"} if client["cookie"] else {}
        try:
            sio.connect(spec["url"], headers=headers, transports=["websocket"], wait_timeout=30)
            answer = sio.call("join", {"meeting_id": spec["meeting_id"],
                                       "view": client["view"]}, timeout=30)
            if not answer or not answer.get("ok"):
                raise RuntimeError(answer)
            phone["id"] = answer.get("participant_id")
            sio.eio.start_background_task = run_inline
            phones.append(phone)
        except Exception as error:  # noqa: BLE001 (counted and reported)
            failed += 1
            errors.append(f"connect: {error}")

    def run_inline(target, *args, **kwargs):
        target(*args, **kwargs)

    pool = eventlet.GreenPool(40)
    for client in spec["clients"]:
        pool.spawn(connect, client)
    pool.waitall()
    print(f"READY {len(phones)} {failed}", flush=True)
    eventlet.tpool.execute(sys.stdin.readline)  # GO
    running.set()
    for phone in phones:
        if phone["view"] == "participant":
            eventlet.spawn(live, phone)
    eventlet.tpool.execute(sys.stdin.readline)  # STOP
    running.clear()
    eventlet.sleep(3)  # the last answers and states arrive
    for phone in phones:
        received.append({str(k): v for k, v in phone["record"].items()})
        if not phone["sio"].connected:
            errors.append("a phone was disconnected")
    print("RESULT " + json.dumps({
        "received": received, "sent": {str(k): v for k, v in sent.items()},
        "acks": acks, "refused": refused, "errors": errors[:50], "error_count": len(errors),
    }), flush=True)
    for phone in phones:
        eventlet.spawn_n(phone["sio"].disconnect)
    eventlet.sleep(0.5)
    os._exit(0)


@dataclass
class Phones(Workers):
    """The phones' worker processes: started with their own rates, read like live_fanout's."""

    @classmethod
    def start(cls, url: str, meeting_id: int, clients: list[dict], count: int, speed: float,
              rates: dict) -> Phones:
        found = cls()
        for part in range(count):
            process = subprocess.Popen(
                [PYTHON, __file__, "--worker"], cwd=ROOT, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True,
                env={**os.environ, "PYTHONWARNINGS": "ignore"})
            process.stdin.write(json.dumps({
                "url": url, "meeting_id": meeting_id, "clients": clients[part::count],
                "speed": speed, "rates": rates, "seed": part}) + "\n")
            process.stdin.flush()
            found.processes.append(process)
        return found

    def say(self, word: str) -> None:
        for process in self.processes:
            process.stdin.write(word + "\n")
            process.stdin.flush()

    def results(self) -> list[dict]:
        self.say("STOP")
        found = []
        for process in self.processes:
            for line in process.stdout:
                if line.startswith("RESULT "):
                    found.append(json.loads(line[7:]))
                    break
            process.wait(timeout=30)
        return found


# --- shared tallies ----------------------------------------------------------------------------

class Tally:
    """Latencies per traffic kind, and errors, from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.error_count = 0
        self.counts: Counter = Counter()

    def ok(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.error_count += 1
            if len(self.errors) < 50:
                self.errors.append(message)

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1


_addresses = iter(f"127.{n // 250 + 1}.{n % 250 + 1}.{(n * 7) % 250 + 1}" for n in range(60000))
_address_lock = threading.Lock()


def visitor():
    """A requests session sending from a loopback address of its own: another visitor."""
    import requests
    from requests.adapters import HTTPAdapter

    with _address_lock:
        address = next(_addresses)

    class FromAddress(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (address, 0)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.mount("http://", FromAddress())
    return session


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def sign_in(web, url: str, name: str) -> None:
    token = csrf(web.get(url + "/login", timeout=30).text)
    answer = web.post(url + "/login", data={"csrf_token": token, "name": name,
                                            "password": DEMO_PASSWORD},
                      allow_redirects=False, timeout=30)
    if answer.status_code != 302:
        raise RuntimeError(f"{name} could not sign in ({answer.status_code})")


# --- discovering the pages ---------------------------------------------------------------------

def classify(path: str) -> str | None:
    return next((kind for kind, pattern in KINDS if pattern.search(path)), None)


def crawl(web, url: str, depth: int = 2, limit: int = 400) -> dict[str, list[str]]:
    """Pages of each kind this visitor can read, from the home page outwards; for proposals,
    whether the page holds a comment form."""
    seen, frontier = {"/"}, ["/"]
    pages: dict[str, list[str]] = defaultdict(list)
    for _ in range(depth + 1):
        found = []
        for path in frontier:
            answer = web.get(url + path, timeout=30)
            if answer.status_code != 200:
                continue
            kind = classify(path)
            if kind:
                pages[kind].append(path)
                if kind == "proposal" and 'class="comment-form"' in answer.text:
                    pages["commentable"].append(path)
            if "html" not in answer.headers.get("Content-Type", ""):
                continue
            for link in re.findall(r'href="(/[^"#?]*)"', answer.text):
                link = unescape(link)
                if link not in seen and not SKIP.search(link) and classify(link) \
                        and len(seen) < limit:
                    seen.add(link)
                    found.append(link)
        frontier = found
    return pages


# --- the HTTP traffic --------------------------------------------------------------------------

@dataclass
class Traffic:
    url: str
    tally: Tally
    speed: float
    until: float
    anonymous: dict[str, list[str]]
    member: dict[str, list[str]]

    def live(self) -> bool:
        return time.monotonic() < self.until

    def pause(self, per_evening: float, threads: int) -> None:
        """Wait as one of ``threads`` Poisson sources sharing ``per_evening`` events."""
        rate = per_evening / EVENING_SECONDS * self.speed / threads
        time.sleep(min(random.expovariate(rate), max(0.0, self.until - time.monotonic())))

    def get(self, web, kind: str, path: str) -> str | None:
        started = time.monotonic()
        try:
            answer = web.get(self.url + path, timeout=60)
        except Exception as error:  # noqa: BLE001
            self.tally.error(f"GET {path}: {type(error).__name__}: {error}")
            return None
        if answer.status_code != 200:
            self.tally.error(f"GET {path}: {answer.status_code}")
            return None
        self.tally.ok(f"page: {kind}", time.monotonic() - started)
        return answer.text

    def reader(self, member: str | None, threads: int, share: float) -> None:
        web = visitor()
        if member:
            sign_in(web, self.url, member)
        pages = self.member if member else self.anonymous
        while self.live():
            self.pause(EVENING["page_views"] * share, threads)
            if not self.live():
                break
            kind = weighted(PAGE_WEIGHTS)
            if kind == "search":
                path = "/search?q=" + random.choice(SEARCHES)
            elif kind == "home":
                path = "/"
            else:
                path = random.choice(pages[kind])
            self.get(web, kind, path)

    def commenter(self, member: str | None, threads: int) -> None:
        web, used = visitor(), 0
        commentable = self.anonymous["commentable"]
        if member:
            sign_in(web, self.url, member)
            # Where this member may comment (working groups differ): read once, not measured.
            commentable = [path for path in self.member["proposal"]
                           if 'class="comment-form"' in web.get(self.url + path).text]
        kind = "comment: member" if member else "comment: guest"
        while self.live():
            self.pause(EVENING["member_comments" if member else "guest_comments"], threads)
            if not self.live():
                break
            if not member and used == 3:  # a new incomer: the app allows 5 per 10 minutes
                web, used = visitor(), 0
            used += 1
            self.comment(web, kind, random.choice(commentable), member is None)

    def comment(self, web, kind: str, path: str, guest: bool) -> None:
        page = self.get(web, "proposal", path)
        if page is None:
            return
        forms = re.findall(r'<form method="post" action="([^"]+)" class="comment-form">(.*?)'
                           r'</form>', page, re.S)
        if not forms:
            self.tally.error(f"no comment form on {path}")
            return
        action_url, form = random.choice(forms)
        data = {name: unescape(value) for name, value in
                re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
        data["body"] = sentence(random.randint(8, 40))
        if guest:
            data.update({"name": f"Incomer {random.randint(1, 9999)}", "website": ""})
        started = time.monotonic()
        try:
            answer = web.post(self.url + unescape(action_url), data=data,
                              allow_redirects=False, timeout=60)
        except Exception as error:  # noqa: BLE001
            self.tally.error(f"POST {action_url}: {type(error).__name__}: {error}")
            return
        if answer.status_code == 302:
            self.tally.ok(kind, time.monotonic() - started)
        elif answer.status_code == 429:
            self.tally.count(f"{kind} refused by the rate limit (429)")
        else:
            self.tally.error(f"POST {action_url}: {answer.status_code}")


# --- the facilitator ---------------------------------------------------------------------------

class Facilitator:
    """The facilitator's console: acts on a schedule in evening time, from what it sees."""

    def __init__(self, url: str, cookie: str, meeting_id: int, tally: Tally):
        import socketio

        self.meeting_id, self.tally = meeting_id, tally
        self.snapshot: dict = {}
        self.sent: dict[int, float] = {}
        self.refused: Counter = Counter()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("state", self.on_state)
        self.sio.connect(url, headers={"Cookie": f"session={cookie}"},
                         transports=["websocket"], wait_timeout=30)
        joined = self.sio.call("join", {"meeting_id": meeting_id, "view": "facilitator"},
                               timeout=30)
        if not joined.get("ok"):
            raise RuntimeError(f"the facilitator could not join: {joined}")
        self.snapshot = joined["snapshot"]
        self.items = [item["id"] for item in self.snapshot["agenda"]]

    def on_state(self, data: dict) -> None:
        if data.get("seq", 0) >= self.snapshot.get("seq", 0):
            self.snapshot = data["snapshot"]

    def act(self, kind: str, **fields) -> None:
        started = time.monotonic()
        try:
            answer = self.sio.call("act", action(self.meeting_id, kind, fields), timeout=60)
        except Exception as error:  # noqa: BLE001
            self.tally.error(f"facilitator {kind}: {type(error).__name__}: {error}")
            return
        self.tally.ok("live: facilitator action (ack)", time.monotonic() - started)
        if answer.get("ok"):
            self.sent[answer["seq"]] = started
        else:
            self.refused[f"{kind}:{answer.get('code')}"] += 1

    def schedule(self) -> list[tuple[float, str]]:
        """What happens when, in seconds of the evening."""
        plan = [(0.5, "item"), (1.0, "timer")]
        every = {"call": EVENING["call_every"], "note": EVENING["note_every"],
                 "timer": EVENING["timer_every"], "item": EVENING["item_every"],
                 "policy": EVENING["policy_every"], "move": 180}
        for kind, step in every.items():
            plan += [(t, kind) for t in range(step, EVENING_SECONDS, step)]
        check_every = EVENING_SECONDS / EVENING["checks"]
        for n in range(EVENING["checks"]):
            opened = n * check_every + 150
            plan += [(opened, "open_check"), (opened + EVENING["check_open"], "close_check")]
        return sorted(plan)

    def run(self, speed: float, start: float, until: float, evenings: float) -> None:
        plan = [(t + k * EVENING_SECONDS, kind) for k in range(math.ceil(evenings))
                for t, kind in self.schedule()]
        notes, item = 0, 0
        for at, kind in plan:
            moment = start + at / speed
            if moment >= until:
                break
            time.sleep(max(0.0, moment - time.monotonic()))
            state = self.snapshot
            if kind == "item":
                item = (item + 1) % len(self.items)
                self.act("goto_item", item_id=self.items[item])
                self.act("timer_start")
            elif kind == "call":
                if state.get("queue"):
                    self.act("call_next")
                elif state.get("speaker"):
                    self.act("end_turn")
            elif kind == "note":
                notes += 1
                self.act("save_note", item_id=self.items[item],
                         text="\n\n".join(sentence(20) for _ in range(min(notes, 12))))
            elif kind == "timer":
                running = (state.get("timer") or {}).get("running")
                self.act("timer_pause" if running else "timer_start")
            elif kind == "policy":
                self.act("set_policy", policy="progressive" if state.get("policy") ==
                         "first_come" else "first_come")
            elif kind == "move" and len(state.get("queue") or []) >= 2:
                self.act("move_hand", hand_id=state["queue"][-1]["hand_id"], index=0)
            elif kind == "open_check" and not (state.get("check") or {}).get("open"):
                self.act("open_check", open_names=random.random() < 0.5)
            elif kind == "close_check" and (state.get("check") or {}).get("open"):
                self.act("close_check")


# --- memory ------------------------------------------------------------------------------------

def watch_memory(pid: int, samples: list[tuple[float, float]], stopped: threading.Event) -> None:
    while not stopped.is_set():
        samples.append((time.monotonic(), memory(pid)[0]))
        stopped.wait(2)


def at(samples: list[tuple[float, float]], moment: float) -> float:
    return min(samples, key=lambda s: abs(s[0] - moment))[1]


# --- the run -----------------------------------------------------------------------------------

def prepare(folder: Path) -> RealApp:
    app = RealApp.prepare(folder, PARTICIPANTS)
    subprocess.run([PYTHON, "-m", "flask", "--app", "assembly", "assembly", "demo"],
                   env=app.env, cwd=ROOT, check=True, capture_output=True)
    return app


def lost_states(results: list[dict]) -> tuple[int, int]:
    """States a phone never got: gaps after its first state, and those after its last one up
    to the last seq anyone got."""
    records = [{int(k) for k in record} for result in results for record in result["received"]]
    last = max((max(r) for r in records if r), default=0)
    lost = 0
    for record in records:
        if not record:
            lost += 1
            continue
        lost += (last - min(record) + 1) - len(record)
    return lost, last


def fan_out(results: list[dict], sent: dict[int, float]) -> list[float]:
    return [record[str(seq)] - started for result in results for record in result["received"]
            for seq, started in sent.items() if str(seq) in record]


def log_errors(path: Path) -> list[str]:
    return [line for line in path.read_text(errors="replace").splitlines()
            if "ERROR" in line or "Traceback" in line]


def main() -> None:  # noqa: C901 (one story, told in order)
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=240,
                        help="seconds to play one 30-minute evening in (default 240)")
    parser.add_argument("--minutes", type=float,
                        help="run this many real minutes at the evening's real rates instead")
    parser.add_argument("--readers", type=int, default=8, help="reading threads")
    parser.add_argument("--workers", type=int, default=2, help="phone processes")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker()
        return

    duration = args.minutes * 60 if args.minutes else args.duration
    speed = 1.0 if args.minutes else EVENING_SECONDS / args.duration
    evenings = duration * speed / EVENING_SECONDS
    random.seed(1)
    folder = Path(tempfile.mkdtemp(prefix="assembly-soak-"))
    tally = Tally()
    phones: Phones | None = None
    samples: list[tuple[float, float]] = []
    stopped = threading.Event()
    print(f"Preparing (database, demo, {PARTICIPANTS} guests) in {folder} …", flush=True)
    app = prepare(folder)
    try:
        app.start()
        idle = memory(app.process.pid)[0]
        threading.Thread(target=watch_memory, args=(app.process.pid, samples, stopped),
                         daemon=True).start()
        print("Finding pages …", flush=True)
        anonymous = crawl(visitor(), app.url)
        member_web = visitor()
        sign_in(member_web, app.url, MEMBERS[0])
        member = crawl(member_web, app.url)
        print("  anonymous: " + ", ".join(f"{k} {len(v)}" for k, v in anonymous.items()))
        print("  member:    " + ", ".join(f"{k} {len(v)}" for k, v in member.items()))
        for pages in (anonymous, member):
            for kind in [*PAGE_WEIGHTS, "commentable"]:
                if kind not in ("search", "home") and not pages[kind]:
                    raise RuntimeError(f"no {kind} pages found")

        rates = {k: EVENING[k] / EVENING_SECONDS / PARTICIPANTS
                 for k in ("hands", "own_lowers", "signals")}
        clients = [{"cookie": c, "view": "participant"} for c in app.guests] + [
            {"cookie": None, "view": "projector"}]
        phones = Phones.start(app.url, app.meeting_id, clients, args.workers, speed, rates)
        connected, failed = phones.wait_ready()
        for _ in range(failed):
            tally.error("a phone could not connect")
        facilitator = Facilitator(app.url, app.facilitator_cookie(), app.meeting_id, tally)
        print(f"{connected} phones connected; traffic for {duration:.0f} s "
              f"({evenings * 30:.0f} minutes of an evening) …", flush=True)

        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        start = time.monotonic()
        until = start + duration
        before = memory(app.process.pid)[0]
        traffic = Traffic(app.url, tally, speed, until, anonymous, member)
        threads = []
        member_readers = max(1, args.readers * 2 // 5)  # 40 % of page views signed in
        for n in range(args.readers):
            signed = n < member_readers
            share = (0.4 / member_readers) if signed else 0.6 / (args.readers - member_readers)
            threads.append(threading.Thread(target=guard(tally, traffic.reader), args=(
                MEMBERS[n % len(MEMBERS)] if signed else None, 1, share)))
        for n in range(2):
            threads.append(threading.Thread(target=guard(tally, traffic.commenter),
                                            args=(MEMBERS[(n + 3) % len(MEMBERS)], 2)))
            threads.append(threading.Thread(target=guard(tally, traffic.commenter),
                                            args=(None, 2)))
        threads.append(threading.Thread(target=guard(tally, facilitator.run),
                                        args=(speed, start, until, evenings)))
        phones.say("GO")
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results = phones.results()
        phones = None
        time.sleep(1)
        end = memory(app.process.pid)
        stopped.set()
        facilitator.sio.disconnect()
        errors_in_log = log_errors(folder / f"server-{app.port}.log")
    finally:
        stopped.set()
        if phones is not None:
            for process in phones.processes:
                process.kill()
        stop(app.process)

    sent = dict(facilitator.sent)
    for result in results:
        sent.update({int(k): v for k, v in result["sent"].items()})
        tally.error_count += result["error_count"]
        tally.errors += result["errors"]
        for values in result["acks"].values():
            tally.latencies["live: participant action (ack)"] += values
    tally.latencies["live: state to each phone"] = fan_out(results, sent)
    lost, last_seq = lost_states(results)
    refused = Counter(facilitator.refused)
    for result in results:
        refused.update(result["refused"])
    server_faults = sum(n for key, n in refused.items()
                        if key.endswith((":server_error", ":unavailable")))
    errors = tally.error_count + lost + server_faults + len(errors_in_log)

    middle = at(samples, start + duration / 2)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nMachine: {machine()}; load average at the end {load_after}; "
          f"Python {sys.version.split()[0]}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"Played {evenings * 30:.0f} minutes of an evening in {duration:.0f} s "
          f"(x{speed:.1f}); {connected - 1} phones + projector + facilitator; "
          f"last seq {last_seq}; load average at the start {load_before}.\n")
    head = f"{'traffic':<34} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    print(head)
    print("-" * len(head))
    for kind in sorted(tally.latencies):
        values = tally.latencies[kind]
        if values:
            print(f"{kind:<34} {len(values):>6} {percentile(values, .5):>8.1f} "
                  f"{percentile(values, .95):>8.1f} {percentile(values, .99):>8.1f} "
                  f"{max(values) * 1000:>8.1f}")
    actions = len(sent)
    requests_made = sum(len(v) for k, v in tally.latencies.items()
                        if k.startswith(("page", "comment")))
    print(f"\nHTTP requests answered: {requests_made}; live actions applied: {actions} "
          f"(each broadcast to {connected} screens)")
    print("Refused live actions (by kind:code): " +
          (", ".join(f"{k} {n}" for k, n in sorted(refused.items())) or "none"))
    for what, n in sorted(tally.counts.items()):
        print(f"{what}: {n}")
    print(f"\nRSS MB: idle after start {idle:.1f}; traffic start {before:.1f}; middle "
          f"{middle:.1f}; end {end[0]:.1f}; peak {end[1]:.1f}")
    print(f"Growth from traffic start to end: {end[0] - before:+.1f} MB "
          f"({(end[0] - before) / before * 100:+.1f} %); middle to end: "
          f"{end[0] - middle:+.1f} MB ({(end[0] - middle) / middle * 100:+.1f} %)")
    print(f"\nErrors: {errors} (client-side {tally.error_count}, states lost {lost}, socket "
          f"server_error/unavailable {server_faults}, server log ERROR lines "
          f"{len(errors_in_log)})")
    for line in (tally.errors + errors_in_log)[:20]:
        print(f"  {line}")
    if args.keep:
        print(f"Kept: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(1 if errors else 0)


def guard(tally: Tally, target):
    """A traffic thread that fails counts as an error rather than vanishing."""
    def run(*args):
        try:
            target(*args)
        except Exception as error:  # noqa: BLE001
            tally.error(f"{target.__name__}: {type(error).__name__}: {error}")
    return run


if __name__ == "__main__":
    main()
