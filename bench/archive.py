"""How long the archive's main pages take as the archive grows.

Not a test: a measurement. For each database given (filled by bench/generate.py), it times the
front door, a proposal page with a long history, a body page, searches (a common and a rare
word, Greek, Arabic, English), the collective's Atom feed and a full CSV export, twice:

- through the WSGI app in this process (Flask's test client): the server's own time, nothing
  else; the statements each page sends are counted too;
- over HTTP against the real server (``python wsgi.py``, eventlet), as a browser sees it, with
  the server's resident memory sampled every 5 ms during the CSV export (it is streamed, so its
  peak should not grow with the archive).

    .venv/bin/python bench/archive.py \\
        sqlite-1k=sqlite:////tmp/b9-1k.sqlite3 sqlite-100k=sqlite:////tmp/b9-100k.sqlite3 \\
        'pg-1k=postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench9_1k'

Pages are read as an incomer (the open archive) and, with ``--member``, as a member of the
collective. Figures are printed side by side, one column per database.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import RARE_WORD, WORDS  # noqa: E402
from live_fanout import free_port, machine, memory, wait_for  # noqa: E402

SECRET = "bench-secret-not-for-production"
PAGES = {
    "front door": "/c/clinic-01/",
    "proposal (long history)": "/c/clinic-01/p/1-proposal-1",
    "body page": "/c/clinic-01/b/general-assembly/",
    "search common el": "/search?q=" + WORDS["el"][0],
    "search common en": "/search?q=" + WORDS["en"][0],
    "search common ar": "/search?q=" + WORDS["ar"][0],
    "search two words el": "/search?q=" + WORDS["el"][4] + "+" + WORDS["el"][5],
    "search rare el": "/search?q=" + RARE_WORD,
    "search rare ar": "/search?q=" + "مستشفىات",  # no such word: an empty result
    "search prefix el": "/search?q=" + WORDS["el"][0][:4] + "*",
    "feed": "/c/clinic-01/feed.atom",
}
EXPORT = "/c/clinic-01/export/events.csv"


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    statements: int = 0
    size: int = 0
    error: str = ""  # the status, when a page did not answer 200 (nothing is timed then)

    def p(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] * 1000


@dataclass
class Result:
    label: str
    wsgi: dict[str, Timing] = field(default_factory=dict)
    http: dict[str, Timing] = field(default_factory=dict)
    export_rss: tuple[float, float] = (0.0, 0.0)  # before, peak during (MB)
    export_rows: int = 0


# --- through the WSGI app -----------------------------------------------------------------------

def measure_wsgi(result: Result, url: str, repeat: int, member: bool) -> None:
    import sqlalchemy as sa

    from assembly import create_app
    from assembly.core.serving import settle
    from assembly.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET,
                      "SOCKETIO_ASYNC_MODE": "threading", "RATELIMIT_ENABLED": False})
    settle(app)  # as wsgi.py does: templates compiled, start-up objects out of the collector's way
    client = app.test_client()
    if member:
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = "1", True
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda *args: statements.append(1))
    for name, path in {**PAGES, "csv export": EXPORT}.items():
        timing = Timing()
        runs = 2 if name == "csv export" else repeat
        for n in range(runs + 2):  # two warm-up reads
            statements.clear()
            started = time.perf_counter()
            response = client.get(path)
            body = response.get_data()
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                timing.error = str(response.status_code)
                break
            if n >= 2:
                timing.seconds.append(elapsed)
        timing.statements, timing.size = len(statements), len(body)
        result.wsgi[name] = timing
    result.export_rows = body.count(b"\n") - 1 if not result.wsgi["csv export"].error else 0
    with app.app_context():
        db.engine.dispose()


# --- over HTTP against the real server ----------------------------------------------------------

class Sampler(threading.Thread):
    """The peak resident memory of a process while it runs (VmHWM counts from its start)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, memory(self.pid)[0])
            time.sleep(0.005)


def _get(conn: http.client.HTTPConnection, path: str) -> tuple[int, int]:
    conn.request("GET", quote(path, safe="/?=&+*-"))
    response = conn.getresponse()
    size = 0
    while chunk := response.read(65536):
        size += len(chunk)
    return response.status, size


def measure_http(result: Result, url: str, repeat: int, folder: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "HOST": "127.0.0.1",
           "PORT": str(port), "PUBLIC_URL": f"http://127.0.0.1:{port}",
           "ASSEMBLY_ACCESS_LOG": "0", "PYTHONWARNINGS": "ignore", "RATELIMIT_ENABLED": "0"}
    log = open(folder / f"server-{result.label}.log", "w")  # noqa: SIM115 (server's life)
    process = subprocess.Popen([sys.executable, "wsgi.py"], env=env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/", process)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        for name, path in PAGES.items():
            timing = Timing()
            for n in range(repeat + 2):
                started = time.perf_counter()
                status, timing.size = _get(conn, path)
                if status != 200:
                    timing.error = str(status)
                    break
                if n >= 2:
                    timing.seconds.append(time.perf_counter() - started)
            result.http[name] = timing
        before = memory(process.pid)[0]
        sampler = Sampler(process.pid)
        sampler.start()
        timing = Timing()
        for _ in range(2):
            started = time.perf_counter()
            status, timing.size = _get(conn, EXPORT)
            timing.seconds.append(time.perf_counter() - started)
        sampler.running = False
        sampler.join()
        result.http["csv export"] = timing
        result.export_rss = (before, sampler.peak)
        conn.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


# --- the report --------------------------------------------------------------------------------

def table(results: list[Result], which: str) -> None:
    labels = [r.label for r in results]
    head = "| page | " + " | ".join(f"{label} p50 | {label} p95" for label in labels)
    if which == "wsgi":
        head += " | " + " | ".join(f"{label} SQL" for label in labels)
    print(head + " |")
    print("|---|" + "---:|" * (len(labels) * (3 if which == "wsgi" else 2)))
    for name in [*PAGES, "csv export"]:
        cells = []
        for r in results:
            t = getattr(r, which).get(name)
            if t and t.error:
                cells += [f"HTTP {t.error}", ""]
            else:
                cells += [f"{t.p(0.5):.1f}", f"{t.p(0.95):.1f}"] if t else ["", ""]
        if which == "wsgi":
            cells += [str(r.wsgi[name].statements) if name in r.wsgi else "" for r in results]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("databases", nargs="+", help="label=DATABASE_URL")
    parser.add_argument("--repeat", type=int, default=30, help="reads of each page")
    parser.add_argument("--member", action="store_true", help="read as a member (WSGI only)")
    parser.add_argument("--no-http", action="store_true", help="only through the WSGI app")
    args = parser.parse_args()
    folder = Path(os.environ.get("TMPDIR", "/tmp"))
    results = []
    for spec in args.databases:
        label, _, url = spec.partition("=")
        result = Result(label)
        measure_wsgi(result, url, args.repeat, args.member)
        if not args.no_http:
            measure_http(result, url, args.repeat, folder)
        results.append(result)
        print(f"{label}: done", file=sys.stderr)
    print(f"\n{machine()}; Python {sys.version.split()[0]}; "
          f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {args.repeat} reads per page after 2 "
          f"warm-up ones ({'member' if args.member else 'incomer'}); milliseconds")
    print("\nThrough the WSGI app (server time only; SQL = statements per read):\n")
    table(results, "wsgi")
    if not args.no_http:
        print("\nOver HTTP, real server (python wsgi.py, eventlet), one keep-alive client:\n")
        table(results, "http")
        print("\nCSV export of every public event (streamed): server memory, MB\n")
        print("| database | rows | size MB | RSS before | peak RSS during |")
        print("|---|---:|---:|---:|---:|")
        for r in results:
            size = r.http["csv export"].size / 1e6
            print(f"| {r.label} | {r.export_rows} | {size:.1f} | {r.export_rss[0]:.1f} | "
                  f"{r.export_rss[1]:.1f} |")


if __name__ == "__main__":
    main()
