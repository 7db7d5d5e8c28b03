"""The floor for bench/live_fanout.py: a bare python-socketio server on eventlet that does what
the live layer does on the wire and nothing else. ``join`` puts the client in the meeting's room
(and a facilitator in the facilitator room); ``act`` answers with a sequence number and emits one
``state`` of a given size to the room and one small ``console`` to the facilitators. No database,
no Flask, no templates: the difference with the real app is the cost of the app itself.

    python bench/bare_server.py --port 5100 --size 2400
"""

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import socket  # noqa: E402

import socketio  # noqa: E402


def make_server(size: int) -> socketio.Server:
    sio = socketio.Server(async_mode="eventlet", cors_allowed_origins=[])
    counter = {"seq": 0}

    @sio.on("join")
    def join(sid, data):
        meeting_id = data.get("meeting_id")
        sio.enter_room(sid, f"meeting:{meeting_id}")
        if data.get("view") == "facilitator":
            sio.enter_room(sid, f"meeting:{meeting_id}:facilitator")
        return {"ok": True, "participant_id": None, "snapshot": {"seq": counter["seq"]}}

    @sio.on("act")
    def act(sid, data):
        counter["seq"] += 1
        seq = counter["seq"]
        meeting_id = data.get("meeting_id")
        # The same shape as the real state; "pad" makes the encoded message `size` bytes long.
        state = {"meeting_id": meeting_id, "seq": seq, "snapshot": {"seq": seq, "pad": ""}}
        overhead = len(socketio.packet.Packet(
            socketio.packet.EVENT, data=["state", state]).encode())
        state["snapshot"]["pad"] = "x" * max(0, size - overhead)
        sio.emit("state", state, to=f"meeting:{meeting_id}")
        sio.emit("console", {"meeting_id": meeting_id, "seq": seq, "console": {}},
                 to=f"meeting:{meeting_id}:facilitator")
        return {"ok": True, "seq": seq}

    return sio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, default=2000, help="bytes of one state message")
    args = parser.parse_args()
    app = socketio.WSGIApp(make_server(args.size))
    listener = eventlet.listen((args.host, args.port), backlog=1024)
    # As wsgi.py does, so the baseline runs with the same socket options as the app.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    eventlet.wsgi.server(listener, app, log_output=False, max_size=4000)


if __name__ == "__main__":
    main()
