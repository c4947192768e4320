"""Sandboxes for tests: in-process over real HTTP (a thread, an ephemeral port, a clock the test
moves), or the real CLI (`python -m mock_server`, gevent) in a subprocess; and stub HTTP servers
that stand in for what is not the sandbox (an NLP service, a Domain API, a failing server)."""
import json
import os
import re
import ssl
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from werkzeug.serving import WSGIRequestHandler, make_server

from mock_server.app import create_app
from mock_server.model.clock import ManualClock

from .paths import ROOT

START = 1_790_000_000.0  # where the manual clock of a test sandbox starts
SEED = 1234  # the seed of the `live` fixture's sandbox (ids repeat from run to run)


class QuietHandler(WSGIRequestHandler):
    """No access log lines in test output."""

    def log_request(self, *args, **kwargs):
        pass


class LiveSandbox:
    """A sandbox served over real HTTP from a thread of the test process (also a context
    manager that stops it)."""

    def __init__(self, app, clock):
        self.app = app
        self.clock = clock
        self._server = make_server("127.0.0.1", 0, app, threaded=True,
                                   request_handler=QuietHandler)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)
        self._thread.start()

    @property
    def sb(self):
        """The app's Sandbox now (POST /_sandbox/reset replaces it)."""
        return self.app.extensions["sandbox"]

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock and apply the timeouts that fall due."""
        self.clock.advance(seconds)
        self.sb.tick()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "LiveSandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(config=None, *, seed: int = SEED, start: float = START, clock=None,
          **app_options) -> LiveSandbox:
    """A sandbox of `config` (default: the demo config) on a manual clock (or `clock`), served
    in-process."""
    clock = clock if clock is not None else ManualClock(start=start)
    app = create_app(config, seed=seed, clock=clock, async_mode="threading", **app_options)
    return LiveSandbox(app, clock)


def start(args, cwd, timeout: float = 30) -> tuple[subprocess.Popen, str, list[str]]:
    """Run `python -m mock_server --port 0 ARGS` in `cwd` and wait (`timeout` seconds at most)
    for its listening line: (process, its URL, the lines it printed so far)."""
    proc = subprocess.Popen([sys.executable, "-m", "mock_server", "--port", "0", *args],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        match = re.search(r"listening on (\S+)", line)
        if match:
            return proc, match.group(1), lines
    proc.kill()
    raise AssertionError("server did not start:\n" + "".join(lines))


def stop(proc: subprocess.Popen, timeout: float = 10) -> str:
    """Terminate a server `start` ran (kill it if it lingers); returns the rest of its output."""
    proc.terminate()
    try:
        return proc.communicate(timeout=timeout)[0] or ""
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()[0] or ""


class StubHandler(BaseHTTPRequestHandler):
    """The request handler of a `stub_server`: quiet, with one way to answer."""

    def answer(self, status: int, body, content_type: str | None = "application/json") -> None:
        """Send `body` (bytes as they are, anything else as JSON) with `status`."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@contextmanager
def stub_server(handler: type[StubHandler], tls: ssl.SSLContext | None = None):
    """`handler` served by http.server on an ephemeral port of 127.0.0.1 from a thread (over TLS
    with `tls`, a server-side context), stopped at the end of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
