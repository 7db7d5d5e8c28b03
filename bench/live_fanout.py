"""How long a facilitator's action takes to reach every phone in a large meeting.

Not a test: a measurement. It starts the real app (``python wsgi.py``, eventlet, a temporary
SQLite database) on 127.0.0.1, connects N python-socketio clients as guest participants plus a
projector, and lets a facilitator perform a sequence of actions (timer, consensus check, queue
policy, next/previous item). Each client notes when the ``state`` of each action arrives; the
latency is that moment minus the moment the facilitator sent the action (one clock: the clients
run in worker processes on the same machine and use CLOCK_MONOTONIC). Then the same measurement
against bench/bare_server.py, a bare python-socketio server that only broadcasts a message of the
same size, and the ratio of the two. The server's resident memory comes from /proc/<pid>/status.

    .venv/bin/python bench/live_fanout.py --sizes 100 250 500

Clients run as green threads in a few worker processes (this same script with --worker), so the
client side stays cheap next to the server.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SECRET = "bench-secret-not-for-production"
PASSWORD = "bench password, long enough"
# Valid in this order from a meeting whose first item is current; repeated as often as needed.
CYCLE = [
    ("timer_start", {}), ("timer_pause", {}),
    ("open_check", {"open_names": False}), ("close_check", {}),
    ("set_policy", {"policy": "progressive"}), ("set_policy", {"policy": "first_come"}),
    ("next_item", {}), ("previous_item", {}),
]


# --- worker processes: many clients as green threads -------------------------------------------

def worker() -> None:
    """Read a spec on stdin, connect its clients, say READY, record states until STOP, then
    print what each client received and when."""
    import eventlet

    eventlet.monkey_patch()
    import eventlet.tpool
    import socketio

    spec = json.loads(sys.stdin.readline())
    received: list[dict[int, float]] = []
    sizes: list[int] = []
    clients = []
    failed = 0

    def connect(index: int, client_spec: dict) -> None:
        nonlocal failed
        record: dict[int, float] = {}
        # Cheaper clients, so the measurement is about the server: websocket-client checks
        # UTF-8 in pure Python unless told not to (~300 µs per 1.5 kB message), and each message
        # would otherwise start its own green thread (see run_inline below).
        sio = socketio.Client(reconnection=False,
                              websocket_extra_options={"skip_utf8_validation": True})

        @sio.on("state")
        def on_state(data):
            seq = data.get("seq")
            if seq not in record:
                record[seq] = time.monotonic()
                if len(record) <= 40 and len(sizes) < 400:  # a sample, to size the bare server
                    sizes.append(len(json.dumps(["state", data], separators=(",", ":"))) + 2)

        headers = {"Cookie": f"session={client_spec['cookie']}"} if client_spec["cookie"] else {}
        try:
            sio.connect(spec["url"], headers=headers, transports=["websocket"], wait_timeout=30)
            answer = sio.call("join", {"meeting_id": spec["meeting_id"],
                                       "view": client_spec["view"]}, timeout=30)
            if not answer or not answer.get("ok"):
                raise RuntimeError(answer)
            sio.eio.start_background_task = run_inline
            clients.append(sio)
            received.append(record)
        except Exception as error:  # noqa: BLE001 (counted and reported, the run goes on)
            failed += 1
            print(f"client {index} failed: {error}", file=sys.stderr)

    def run_inline(target, *args, **kwargs):
        """After connecting, Engine.IO uses background tasks only to hand over messages: handle
        them in the reading green thread itself."""
        target(*args, **kwargs)

    pool = eventlet.GreenPool(40)
    for index, client_spec in enumerate(spec["clients"]):
        pool.spawn(connect, index, client_spec)
    pool.waitall()
    print(f"READY {len(clients)} {failed}", flush=True)
    eventlet.tpool.execute(sys.stdin.readline)  # STOP
    result = {"received": [{str(k): v for k, v in r.items()} for r in received],
              "sizes": sizes}
    print("RESULT " + json.dumps(result), flush=True)
    for sio in clients:
        eventlet.spawn_n(sio.disconnect)
    eventlet.sleep(0.5)
    os._exit(0)


@dataclass
class Workers:
    processes: list[subprocess.Popen] = field(default_factory=list)

    @classmethod
    def start(cls, urls: list[str], meeting_id: int, clients: list[dict], count: int) -> Workers:
        """``count`` worker processes; with several servers, worker i connects to server
        i mod len(urls), so the clients are spread evenly over them."""
        found = cls()
        for part in range(count):
            mine = clients[part::count]
            url = urls[part % len(urls)]
            process = subprocess.Popen(
                [PYTHON, __file__, "--worker"], cwd=ROOT, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, text=True,
                env={**os.environ, "PYTHONWARNINGS": "ignore"})
            process.stdin.write(json.dumps({"url": url, "meeting_id": meeting_id,
                                            "clients": mine}) + "\n")
            process.stdin.flush()
            found.processes.append(process)
        return found

    def wait_ready(self) -> tuple[int, int]:
        ready = failed = 0
        for process in self.processes:
            line = process.stdout.readline().split()
            if not line or line[0] != "READY":
                raise RuntimeError(f"worker did not start: {line}")
            ready, failed = ready + int(line[1]), failed + int(line[2])
        return ready, failed

    def stop(self) -> tuple[list[dict[int, float]], list[int]]:
        received, sizes = [], []
        for process in self.processes:
            process.stdin.write("STOP\n")
            process.stdin.flush()
        for process in self.processes:
            for line in process.stdout:
                if line.startswith("RESULT "):
                    data = json.loads(line[7:])
                    received += [{int(k): v for k, v in r.items()} for r in data["received"]]
                    sizes += data["sizes"]
                    break
            process.wait(timeout=30)
        return received, sizes


# --- servers -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen) -> None:
    import urllib.error
    import urllib.request

    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the server stopped") from None
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def memory(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found["VmRSS"], found["VmHWM"]


@dataclass
class RealApp:
    folder: Path
    port: int
    env: dict
    process: subprocess.Popen | None = None
    meeting_id: int = 0
    guests: list[str] = field(default_factory=list)
    script: str = "wsgi.py"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def prepare(cls, folder: Path, guests: int) -> RealApp:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
               "SECRET_KEY": SECRET, "HOST": "127.0.0.1", "PORT": str(port),
               "PUBLIC_URL": f"http://127.0.0.1:{port}", "ASSEMBLY_ACCESS_LOG": "0",
               "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "PYTHONWARNINGS": "ignore"}
        subprocess.run([PYTHON, "-m", "flask", "--app", "assembly", "db", "upgrade"], env=env,
                       cwd=ROOT, check=True, capture_output=True)
        app = cls(folder, port, env)
        app.meeting_id, app.guests = setup_meeting(env, guests)
        return app

    def beside(self, extra_env: dict) -> RealApp:
        """Another server process on the same database, with ``extra_env`` (the Redis queue)."""
        port = free_port()
        env = {**self.env, **extra_env, "PORT": str(port)}
        return RealApp(self.folder, port, env, None, self.meeting_id, self.guests, self.script)

    def start(self) -> None:
        log = open(self.folder / f"server-{self.port}.log", "w")  # noqa: SIM115 (server's life)
        self.process = subprocess.Popen([PYTHON, self.script], env=self.env, cwd=ROOT,
                                        stdout=log, stderr=subprocess.STDOUT)
        wait_for(self.url + "/", self.process)

    def facilitator_cookie(self) -> str:
        import requests

        with requests.Session() as web:
            page = web.get(self.url + "/login").text
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            answer = web.post(self.url + "/login", data={
                "csrf_token": token, "name": "Facilitator", "password": PASSWORD},
                allow_redirects=False)
            if answer.status_code != 302:
                raise RuntimeError("the facilitator could not sign in")
            return web.cookies["session"]


def setup_meeting(env: dict, guests: int) -> tuple[int, list[str]]:
    """A collective, a live meeting with two proposals on its agenda, its facilitator, and the
    guests (with the signed session cookie each guest's phone would hold)."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "PUBLIC_URL")})
    from assembly import create_app
    from assembly.collectives.service import create_collective, general_assembly
    from assembly.core.db import utcnow
    from assembly.extensions import db
    from assembly.live.service import join_as_guest
    from assembly.meetings.models import Role
    from assembly.meetings.service import assign_role, create_meeting, local_zone
    from assembly.people.service import add_member, create_person
    from assembly.proposals import service as proposals

    app = create_app({"SOCKETIO_ASYNC_MODE": "threading",
                      "PASSWORD_HASH_METHOD": env["PASSWORD_HASH_METHOD"]})
    with app.app_context():
        collective = create_collective("Bench Clinic", slug="bench", languages="en el ar")
        person = create_person("Facilitator", PASSWORD)
        add_member(collective, person)
        body = general_assembly(collective)
        start = (utcnow() + timedelta(hours=1)).astimezone(local_zone(body))
        meeting = create_meeting(body, person, local_start=start.replace(
            minute=0, second=0, microsecond=0, tzinfo=None))
        for title in ("Keep insulin in a second fridge", "Open on Saturday mornings"):
            proposal = proposals.create_proposal(
                body, person, title, "We buy a **second fridge** for insulin and keep a "
                "temperature log, checked every morning and kept for a year. " * 3)
            proposals.start_drafting(proposal, person)
            proposals.put_on_agenda(proposal, person, meeting)
        proposals.begin_meeting(meeting, person)
        assign_role(meeting, person, Role.FACILITATOR, person)
        people = [join_as_guest(meeting, f"Guest {n}") for n in range(guests)]
        db.session.commit()
        meeting_id = meeting.id
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [serializer.dumps({"live_guests": {str(meeting_id): p.id}}) for p in people]
        db.session.remove()
        db.engine.dispose()
    return meeting_id, cookies


@dataclass
class BareServer:
    size: int
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.folder / "bare.log", "w")  # noqa: SIM115 (open for the server's life)
        self.process = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "bare_server.py"), "--port", str(self.port),
             "--size", str(self.size)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONWARNINGS": "ignore"})
        wait_for(self.url + "/socket.io/?EIO=4&transport=polling", self.process)


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


# --- one measurement -----------------------------------------------------------------------------

@dataclass
class Run:
    kind: str
    n: int
    latencies: list[float]
    missing: int
    refused: int
    rss: float
    peak: float
    size: int
    connected: int
    failed: int

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] * 1000

    @property
    def maximum(self) -> float:
        return max(self.latencies) * 1000


def measure(kind: str, urls: list[str], pids: list[int], meeting_id: int, clients: list[dict],
            facilitator_cookie: str | None, actions: int, interval: float,
            worker_count: int) -> Run:
    """The facilitator talks to the first server; the clients are spread over all of them."""
    import socketio

    url = urls[0]
    workers = Workers.start(urls, meeting_id, clients, worker_count)
    try:
        connected, failed = workers.wait_ready()
        facilitator = socketio.Client(reconnection=False)
        headers = {"Cookie": f"session={facilitator_cookie}"} if facilitator_cookie else {}
        facilitator.connect(url, headers=headers, transports=["websocket"], wait_timeout=30)
        joined = facilitator.call("join", {"meeting_id": meeting_id, "view": "facilitator"},
                                  timeout=30)
        if not joined.get("ok"):
            raise RuntimeError(f"the facilitator could not join: {joined}")
        if kind == "app":  # the first item becomes current, so the cycle is valid
            facilitator.call("act", action(meeting_id, "goto_item", {
                "item_id": joined["snapshot"]["agenda"][0]["id"]}), timeout=30)
        sent: dict[int, float] = {}
        refused = 0
        warm_up = 4
        # Whole cycles, so the meeting is left as found (timer paused, check closed, item 1).
        total = math.ceil((actions + warm_up) / len(CYCLE)) * len(CYCLE)
        for number in range(total):
            kind_of, fields = CYCLE[number % len(CYCLE)]
            payload = action(meeting_id, kind_of, fields)
            started = time.monotonic()
            answer = facilitator.call("act", payload, timeout=60)
            if not answer.get("ok"):
                refused += 1
                print(f"  refused {kind_of}: {answer.get('error')}", file=sys.stderr)
            elif number >= warm_up:
                sent[answer["seq"]] = started
            time.sleep(interval)
        time.sleep(max(1.0, interval * 2))
        rss, peak = (max(values) for values in zip(*(memory(pid) for pid in pids),
                                                      strict=True))
        facilitator.disconnect()
    finally:
        received, sizes = workers.stop()
    latencies, missing = [], 0
    for record in received:
        for seq, started in sent.items():
            if seq in record:
                latencies.append(record[seq] - started)
            else:
                missing += 1
    return Run(kind, len(clients) - 1, latencies, missing, refused, rss, peak,
               int(statistics.median(sizes)) if sizes else 0, connected, failed)


def action(meeting_id: int, kind: str, fields: dict) -> dict:
    import uuid

    return {"meeting_id": meeting_id, "action_id": str(uuid.uuid4()), "type": kind, **fields}


def client_list(cookies: list[str], n: int) -> list[dict]:
    """N participants and one projector."""
    return [{"cookie": c, "view": "participant"} for c in cookies[:n]] + [
        {"cookie": None, "view": "projector"}]


# --- the whole benchmark -------------------------------------------------------------------------

def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown")
    return f"{os.cpu_count()} cores (nproc), CPU: {model}"


def report(app_runs: list[Run], bare_runs: list[Run], pair_runs: list[Run]) -> None:
    print(f"\nMachine: {machine()}; Python {sys.version.split()[0]}; "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')}")
    print("Latency from action sent to state received, per client, in ms.\n")
    head = (f"{'server':<6} {'N':>4} {'msg B':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
            f"{'RSS MB':>7} {'peak':>6} {'lost':>5} {'conn':>5}")
    print(head)
    print("-" * len(head))
    for run in [*app_runs, *pair_runs, *bare_runs]:
        print(f"{run.kind:<6} {run.n:>4} {run.size:>6} {run.p(.5):>7.1f} {run.p(.95):>7.1f} "
              f"{run.p(.99):>7.1f} {run.maximum:>7.1f} {run.rss:>7.1f} {run.peak:>6.1f} "
              f"{run.missing:>5} {run.connected:>5}")
    ratios("app / bare", app_runs, bare_runs)
    if pair_runs:
        ratios("app×2 (two processes, Redis) / app", pair_runs, app_runs)
    last, floor = app_runs[-1], bare_runs[-1]
    print(f"\nTargets at N={last.n}: p95 < 200 ms: {last.p(.95):.1f} "
          f"{'ok' if last.p(.95) < 200 else 'MISSED'}; p99 < 500 ms: {last.p(.99):.1f} "
          f"{'ok' if last.p(.99) < 500 else 'MISSED'}; ratio (p95) <= 1.5: "
          f"{last.p(.95) / floor.p(.95):.2f} "
          f"{'ok' if last.p(.95) / floor.p(.95) <= 1.5 else 'MISSED'}; RSS < 150 MB: "
          f"{last.rss:.1f} {'ok' if last.rss < 150 else 'MISSED'}")
    if pair_runs:
        pair = pair_runs[-1].p(.95) / last.p(.95)
        print(f"Two processes at N={last.n}: p95 within 1.5x of one process: {pair:.2f} "
              f"{'ok' if pair <= 1.5 else 'MISSED'}")


def ratios(title: str, runs: list[Run], baselines: list[Run]) -> None:
    print(f"\nRatio {title}:")
    for run, baseline in zip(runs, baselines, strict=True):
        print(f"  N={run.n:>4}: p50 {run.p(.5) / baseline.p(.5):.2f}  "
              f"p95 {run.p(.95) / baseline.p(.95):.2f}  "
              f"p99 {run.p(.99) / baseline.p(.99):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 250, 500])
    parser.add_argument("--actions", type=int, default=32, help="measured actions per size")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between actions")
    parser.add_argument("--workers", type=int, default=4, help="client processes")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--server", default="wsgi.py",
                        help="the app's entry point (another one to profile it)")
    parser.add_argument("--two-processes", action="store_true",
                        help="also run the app as two processes sharing rooms through Redis")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker()
        return

    folder = Path(tempfile.mkdtemp(prefix="assembly-bench-"))
    app = RealApp.prepare(folder, max(args.sizes))
    app.script = args.server
    runs = {"app": [], "app×2": [], "bare": []}

    def run(kind: str, servers: list, meeting_id: int, clients: list[dict], cookie) -> None:
        n = len(clients) - 1
        print(f"{kind}, N={n} …", flush=True)
        runs[kind].append(measure(kind, [s.url for s in servers],
                                  [s.process.pid for s in servers], meeting_id, clients,
                                  cookie, args.actions, args.interval, args.workers))

    servers: list = []
    try:
        app.start()
        servers = [app]
        cookie = app.facilitator_cookie()
        for n in args.sizes:
            run("app", [app], app.meeting_id, client_list(app.guests, n), cookie)
        stop(app.process)
        if args.two_processes:
            queue = {"SOCKETIO_MESSAGE_QUEUE": args.redis,
                     "SOCKETIO_CHANNEL": f"assembly-bench-{os.getpid()}"}
            servers = [app.beside(queue), app.beside(queue)]
            for server in servers:
                server.start()
            for n in args.sizes:
                run("app×2", servers, app.meeting_id, client_list(app.guests, n), cookie)
            for server in servers:
                stop(server.process)
        for app_run in runs["app"]:
            bare = BareServer(app_run.size, folder)
            bare.start()
            servers = [bare]
            try:
                run("bare", [bare], 1, client_list([""] * app_run.n, app_run.n), None)
            finally:
                stop(bare.process)
    finally:
        for server in servers:
            stop(server.process)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    report(runs["app"], runs["bare"], runs["app×2"])


if __name__ == "__main__":
    main()
