"""Fixtures: a live sandbox on an ephemeral port (real HTTP) with a clock tests can move."""
import threading

import pytest
import requests
from werkzeug.serving import WSGIRequestHandler, make_server

from mock_server.app import create_app
from mock_server.model.clock import ManualClock

ACCOUNT = "12345678"
OTHER_ACCOUNT = "87654321"
GLOBAL_KEY = "721c180b09eb463d9f3191c41762bb68"


class QuietHandler(WSGIRequestHandler):
    """No access log lines in test output."""

    def log_request(self, *args, **kwargs):
        pass


class LiveSandbox:
    """A sandbox served over real HTTP from a thread of the test process."""

    def __init__(self, app, clock):
        self.app = app
        self.sb = app.extensions["sandbox"]
        self.clock = clock
        self._server = make_server("127.0.0.1", 0, app, threaded=True,
                                   request_handler=QuietHandler)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        daemon=True)
        self._thread.start()

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock and apply the timeouts that fall due."""
        self.clock.advance(seconds)
        self.sb.tick()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def live():
    """A fresh sandbox (demo config, seeded ids, manual clock) on an ephemeral port."""
    clock = ManualClock(start=1_790_000_000.0)
    server = LiveSandbox(create_app(seed=1234, clock=clock, async_mode="threading"), clock)
    yield server
    server.stop()


@pytest.fixture
def http():
    """A requests session (its own cookie jar, like a real client)."""
    with requests.Session() as session:
        yield session
