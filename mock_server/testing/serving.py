"""A sandbox app served over real HTTP(S) from threads of the test process, on an ephemeral port."""
import shutil
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

START = 1_790_000_000.0  # where the fixture's clock starts: timestamps repeat from run to run
TICK_EVERY = 0.5  # seconds between timeout checks while the clock runs (unfrozen)
HOSTNAMES = ["127.0.0.1", "localhost"]  # what the https certificate is valid for


class QuietHandler(WSGIRequestHandler):
    """No access log lines in the test output."""

    def log_request(self, *args, **kwargs):
        pass


class ServedApp:
    """`create_app(config)` on a frozen manual clock, served by werkzeug's threaded server."""

    def __init__(self, config: dict, seed: int | None, tls: bool = False, start: float = START):
        # Imported here: the plugin module must stay cheap for test runs that never serve.
        from ..app import create_app
        from ..model.clock import ManualClock

        self.clock = ManualClock(start=start)
        self.app = create_app(config, seed=seed, clock=self.clock, async_mode="threading")
        self.ca: Path | None = None
        self._tls_dir: str | None = None
        ssl_context = None
        if tls:
            from ..tls import make_certificate
            self._tls_dir = tempfile.mkdtemp(prefix="cc-sandbox-tls-")
            self.ca, cert, key = make_certificate(Path(self._tls_dir), HOSTNAMES)
            ssl_context = (str(cert), str(key))
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True,
                                   request_handler=QuietHandler, ssl_context=ssl_context)
        self.port = self._server.server_port
        self.scheme = "https" if tls else "http"
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                             name=f"cc-sandbox-{self.port}", daemon=True),
            threading.Thread(target=self._tick, name=f"cc-sandbox-tick-{self.port}", daemon=True)]
        for thread in self._threads:
            thread.start()

    def _tick(self) -> None:
        # A frozen clock moves only through /clock/advance, which applies the timeouts itself;
        # after /clock/unfreeze time runs, so apply them as the CLI's ticker does.
        while not self._stop.wait(TICK_EVERY):
            if not self.clock.frozen:
                self.app.extensions["sandbox"].tick()  # looked up each time: a reset replaces it

    def stop(self) -> None:
        """Stop serving, close the socket, remove the certificate files."""
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        for thread in self._threads:
            thread.join(5)
        if self._tls_dir:
            shutil.rmtree(self._tls_dir, ignore_errors=True)
