"""Production entry point: eventlet is confined here (and to the run command)."""

import os

# Names are resolved by the system (/etc/hosts, the container's resolver) rather than by
# eventlet's green resolver, which loads dnspython: 11 MB of every serving process.
os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")

import eventlet  # noqa: E402

eventlet.monkey_patch()

os.environ.setdefault("SOCKETIO_ASYNC_MODE", "eventlet")

from assembly import create_app  # noqa: E402
from assembly.core.serving import settle  # noqa: E402

app = create_app(for_commands=False)
settle(app)

def serve(host: str, port: int) -> None:
    """What ``socketio.run`` does under eventlet, with Nagle's algorithm off on every connection
    (accepted sockets inherit it from the listener): eventlet writes a response's head and body
    apart, and the second write waited for the client's delayed acknowledgement, ~40 ms a page
    (bench/RESULTS.md). gunicorn sets the same option on its sockets."""
    import socket

    import eventlet.wsgi

    family, _type, _proto, _name, address = socket.getaddrinfo(host, port)[0]
    listener = eventlet.listen(address, family)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(
        listener, app,
        # eventlet accepts 1,024 connections by default: a network assembly needs more.
        max_size=int(os.environ.get("ASSEMBLY_MAX_CONNECTIONS", "4000")),
        log_output=os.environ.get("ASSEMBLY_ACCESS_LOG", "0") == "1",
    )


if __name__ == "__main__":
    serve(os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000")))
