"""Production entry point: eventlet is confined here (and to the run command)."""

import os

# Names are resolved by the system (/etc/hosts, the container's resolver) rather than by
# eventlet's green resolver, which loads dnspython: 11 MB of every serving process.
os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import gc  # noqa: E402

os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet")

from assembly import create_app  # noqa: E402
from assembly.extensions import socketio  # noqa: E402

app = create_app(for_commands=False)

# Long-lived objects made at start-up never need collecting, and fewer, later collections
# keep full-collection pauses out of live broadcasts (measured in bench/RESULTS.md).
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 50, 100)

if __name__ == "__main__":
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        # eventlet accepts 1,024 connections by default: a network assembly needs more.
        max_size=int(os.environ.get("ASSEMBLY_MAX_CONNECTIONS", "4000")),
        log_output=os.environ.get("ASSEMBLY_ACCESS_LOG", "0") == "1",
    )
