"""Serve the sandbox or the bare app on one of several WSGI stacks, for the benchmarks.

    python -m bench.serve --stack STACK --app sandbox|bare [--config FILE] [--port 0]

Run from the project root. Prints `listening on http://127.0.0.1:PORT` once it accepts
connections. Every stack runs ONE process (one worker): the sandbox keeps its state in memory.

Stacks:
  gevent            the CLI's own server: mock_server/server.py's make_server (gevent
                    pywsgi.WSGIServer, no monkey patching, log=None, its SandboxHandler: no
                    access-log line, fast header parsing, one send per small answer;
                    TCP_NODELAY on the listening socket). The benchmarks run the real CLI for
                    the sandbox on this stack and serve the bare app here with the same
                    make_server, so both targets get exactly the same HTTP layer
  gevent-nagle      the CLI's settings before commit 65d5ddd: no TCP_NODELAY and pywsgi's default
                    handler (it formats an access-log line per request even with log=None).
                    pywsgi sends headers and body in two send() calls; without TCP_NODELAY Nagle
                    holds the body until the client's delayed ACK, ~40 ms per request. Kept to
                    show that effect
  werkzeug          werkzeug.serving.make_server(threaded=True) (the dev server; access log off;
                    it answers every request with `Connection: close`, so no keep-alive)
  gunicorn-gevent   gunicorn, 1 worker, -k gevent (monkey-patched), 1000 worker connections
  gunicorn-gthread  gunicorn, 1 worker, -k gthread, --threads 8
  waitress          waitress, 8 threads, connection_limit 1000
The sandbox is built as the CLI builds it on every stack: its 1 s ticker started and the persona
generator built before the first request.
Keep-alive is on everywhere but werkzeug (gunicorn's keepalive raised from 2 s to 75 s so 1 s
pollers reuse their connections).
"""
import argparse
import functools
import logging
import socket
import sys

STACKS = ("gevent", "gevent-nagle", "werkzeug", "gunicorn-gevent", "gunicorn-gthread",
          "waitress")
THREADS = 8


def _async_mode(stack: str) -> str:
    return "gevent" if stack.startswith(("gevent", "gunicorn-gevent")) else "threading"


def build_app(app: str, stack: str, config_path: str | None):
    """The WSGI app to serve (with the sandbox's 1 s ticker started, as the CLI does)."""
    if app == "bare":
        from bench.bare_app import create_bare_app
        return create_bare_app()
    from mock_server.app import create_app, start_ticker
    from mock_server.model.seed import load_config
    application = create_app(load_config(config_path), async_mode=_async_mode(stack))
    try:
        from mock_server.model.personas import make_persona
        make_persona(0)  # as the CLI does: not inside the first chat request
    except ImportError:
        pass
    start_ticker(application)
    return application


def _banner(port: int) -> None:
    print(f"listening on http://127.0.0.1:{port}", flush=True)


def serve_gevent(app, host: str, port: int, nodelay: bool = True, quiet: bool = True) -> None:
    if nodelay and quiet:  # the CLI's stack, the very same code
        from mock_server.server import make_server
        server = make_server(app, host, port)
        _banner(server.socket.getsockname()[1])
        server.serve_forever()
        return
    from gevent import pywsgi  # pywsgi as the CLI served before commit 65d5ddd

    class QuietHandler(pywsgi.WSGIHandler):
        def log_request(self):  # log=None still formats every access-log line; skip it
            pass

    extra = {"handler_class": QuietHandler} if quiet else {}
    server = pywsgi.WSGIServer((host, port), app, log=None, error_log=logging.getLogger("gevent"),
                               **extra)
    server.init_socket()
    if nodelay:
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    _banner(server.socket.getsockname()[1])
    server.serve_forever()


def serve_werkzeug(app, host: str, port: int) -> None:
    from werkzeug.serving import make_server
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log, like the CLI
    server = make_server(host, port, app, threaded=True)
    _banner(server.server_port)
    server.serve_forever()


def serve_waitress(app, host: str, port: int) -> None:
    from waitress.server import create_server
    server = create_server(app, host=host, port=port, threads=THREADS, connection_limit=1000,
                           channel_timeout=120)
    _banner(server.effective_port)
    server.run()


def serve_gunicorn(app_name: str, stack: str, config_path: str | None, host: str,
                   port: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Bench(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"{host}:{port}",
                "workers": 1,
                "worker_class": "gevent" if stack == "gunicorn-gevent" else "gthread",
                "threads": THREADS,
                "worker_connections": 1000,
                "keepalive": 75,
                "timeout": 120,
                "graceful_timeout": 5,
                "accesslog": None,
                "loglevel": "warning",
                "post_worker_init": lambda worker: _banner(worker.sockets[0].getsockname()[1]),
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):  # runs in the worker, after gevent's monkey patching
            return build_app(app_name, stack, config_path)

    Bench().run()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.serve")
    p.add_argument("--stack", choices=STACKS, default="gevent")
    p.add_argument("--app", choices=("sandbox", "bare"), default="bare")
    p.add_argument("--config", help="sandbox seed config (default mock_server/config/sandbox.yaml)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.stack.startswith("gunicorn"):
        serve_gunicorn(args.app, args.stack, args.config, args.host, args.port)
        return 0
    app = build_app(args.app, args.stack, args.config)
    serve = {"gevent": serve_gevent, "werkzeug": serve_werkzeug,
             "gevent-nagle": functools.partial(serve_gevent, nodelay=False, quiet=False),
             "waitress": serve_waitress}[args.stack]
    try:
        serve(app, args.host, args.port)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
