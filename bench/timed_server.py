"""wsgi.py with timers, for finding where the live layer spends its time under load.

Wraps the steps of an action (``apply_action``, ``snapshot``, ``console``, ``broadcast``, …) and
records garbage-collector pauses; on SIGTERM writes percentiles to the file named by
``TIMING_OUT``. Two switches try the changes discussed in bench/RESULTS.md without touching the
app: ``BENCH_GC=1`` (freeze start-up objects, collect less often) and ``BENCH_YIELD=1`` (let the
state go out before the facilitator's console is computed).

    TIMING_OUT=/tmp/timing.txt .venv/bin/python bench/live_fanout.py --sizes 500 \\
        --server bench/timed_server.py
"""

import eventlet

eventlet.monkey_patch()

import collections  # noqa: E402
import gc  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet")

from assembly import create_app  # noqa: E402
from assembly.extensions import socketio  # noqa: E402
from assembly.live import events, service  # noqa: E402

TIMES: dict[str, list[float]] = collections.defaultdict(list)
PAUSES: list[tuple[int, float]] = []
_gc_started = [0.0]


def timed(module, name: str) -> None:
    function = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            TIMES[name].append(time.perf_counter() - started)

    setattr(module, name, wrapper)


def yielding_broadcast(meeting) -> None:
    """events.broadcast, but the writers send the state before the console is computed."""
    snapshot = service.snapshot(meeting)
    socketio.emit("state", {"meeting_id": meeting.id, "seq": snapshot["seq"],
                            "snapshot": snapshot}, to=events.meeting_room(meeting.id))
    socketio.sleep(0)
    socketio.emit("console", {"meeting_id": meeting.id, "seq": snapshot["seq"],
                              "console": service.console(meeting)},
                  to=events.facilitator_room(meeting.id))


_action_started = [0.0]


def marking_find_meeting(function):
    """Every event handler starts by finding its meeting: mark that moment."""
    def wrapper(*args, **kwargs):
        _action_started[0] = time.perf_counter()
        return function(*args, **kwargs)
    return wrapper


def timed_emit(function):
    """How long after its handler started each ``state`` is handed to the server."""
    def wrapper(event, *args, **kwargs):
        if event == "state" and _action_started[0]:
            TIMES["until state emitted"].append(time.perf_counter() - _action_started[0])
        return function(event, *args, **kwargs)
    return wrapper


def on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        PAUSES.append((info["generation"], time.perf_counter() - _gc_started[0]))


def dump(*_ignored) -> None:
    with open(os.environ.get("TIMING_OUT", "timing.txt"), "a") as out:
        for name, values in sorted(TIMES.items()):
            ordered = sorted(values)
            out.write(f"{name:20} n={len(ordered):5} p50={ordered[len(ordered) // 2] * 1000:7.1f} "
                      f"p95={ordered[int(len(ordered) * .95)] * 1000:7.1f} "
                      f"max={ordered[-1] * 1000:7.1f} ms\n")
        full = [pause for generation, pause in PAUSES if generation == 2]
        out.write(f"gc: {len(PAUSES)} collections, {sum(p for _, p in PAUSES) * 1000:.0f} ms in "
                  f"all; gen 2: {len(full)}, longest {max(full, default=0) * 1000:.1f} ms\n---\n")
    os._exit(0)


if os.environ.get("BENCH_YIELD") == "1":
    events.broadcast = yielding_broadcast
for step in ("snapshot", "console", "apply_action", "acting_participant", "find_meeting", "me",
             "enter"):
    timed(service, step)
timed(events, "broadcast")
service.find_meeting = marking_find_meeting(service.find_meeting)
socketio.emit = timed_emit(socketio.emit)
gc.callbacks.append(on_gc)

app = create_app()
if os.environ.get("BENCH_GC") == "1":
    gc.collect()
    gc.freeze()
    gc.set_threshold(20000, 50, 100)
signal.signal(signal.SIGTERM, dump)

if __name__ == "__main__":
    socketio.run(app, host=os.environ.get("HOST", "127.0.0.1"),
                 port=int(os.environ.get("PORT", "5000")), max_size=4000, log_output=False)
