"""WebSocket frames that always arrive whole: Engine.IO over simple-websocket, sends made safe.

simple-websocket writes each frame with one `socket.send()`, which may write only part of it (a
gevent socket does so whenever the kernel buffer is full, e.g. for a live-view snapshot of busy
chats), and its reader thread may write a pong or close frame in between. The browser then sees
the rest of the frame as a new header: "Invalid frame header", and falls back to long-polling.
Here every write on a WebSocket is a `sendall()` under one lock per connection.
"""
import threading


class _WholeFrames:
    """A socket whose send() writes everything, one caller at a time; the rest is the socket's."""

    def __init__(self, sock, lock):
        self._sock = sock
        self._lock = lock

    def send(self, data, *flags) -> int:
        with self._lock:
            self._sock.sendall(data, *flags)
        return len(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def whole_websocket_frames(socketio) -> None:
    """Make the Socket.IO server's WebSocket transport write whole frames (see the module doc)."""
    eio = socketio.server.eio
    base = eio._async.get("websocket")  # engineio's per-mode driver table (no public hook)
    if base is None or not hasattr(base, "send"):
        return
    if socketio.async_mode == "gevent":
        from gevent.lock import RLock as lock_factory  # a thread lock would block the whole hub
    else:
        lock_factory = threading.RLock

    class WholeFrameWebSocket(base):
        """engineio's WebSocket wrapper, its socket wrapped before the first frame goes out."""

        def send(self, message):
            ws = getattr(self, "ws", None)
            if ws is not None and not isinstance(ws.sock, _WholeFrames):
                ws.sock = _WholeFrames(ws.sock, lock_factory())
            return super().send(message)

    # A copy: the driver table is shared by every engineio server of this mode in the process.
    eio._async = {**eio._async, "websocket": WholeFrameWebSocket}
