"""Production entry point: eventlet is confined here (and to the run command)."""

import eventlet

eventlet.monkey_patch()

import gc  # noqa: E402
import os  # noqa: E402

os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet")

from assembly import create_app  # noqa: E402
from assembly.extensions import socketio  # noqa: E402

app = create_app()

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
