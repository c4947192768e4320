"""CLI: python -m mock_server [--host --port --tls --config FILE --seed N]."""
import argparse
import errno
import gc
import logging
import sys
from pathlib import Path

from . import __version__


def missing_module(exc: ModuleNotFoundError) -> str:
    """What to do when this Python lacks a package the program needs."""
    return (f"error: {sys.executable} has no module '{exc.name}'. Run with the project's Python: "
            f"./dev run once (it makes .venv and installs what is needed), then "
            f".venv/bin/python -m mock_server ...; or pip install . into your own environment")


try:
    from .model.seed import ConfigError, load_config
except ModuleNotFoundError as missing:  # a Python without the project's packages
    sys.exit(missing_module(missing))


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m mock_server",
                                description="Run the LivePerson Conversational Cloud sandbox.")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    p.add_argument("--tls", action="store_true",
                   help="serve HTTPS with a self-signed certificate made at start")
    p.add_argument("--tls-dir", default=".sandbox/tls",
                   help="where --tls writes ca.pem, server.pem and server.key")
    p.add_argument("--config", help="seed config (YAML or JSON); default mock_server/config/sandbox.yaml")
    p.add_argument("--seed", type=int, help="seed the id generator so a run repeats exactly")
    p.add_argument("--data-dir", metavar="DIR",
                   help="keep the sandbox's state in DIR (SQLite) and restore it at the next start "
                        "(default: the config's store.dir; none: in memory only)")
    p.add_argument("--movable-clock", action="store_true",
                   help="let POST /_sandbox/clock/advance skip time ahead (for tests)")

    def origin(value: str) -> str:
        """--allowed-origin: an http(s) origin (or *), normalised as browsers send it."""
        from .model.seed import normalize_origin
        try:
            return normalize_origin(value)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    p.add_argument("--allowed-origin", action="append", default=[], type=origin, metavar="URL",
                   help="a page origin (scheme://host[:port]) besides the sandbox's own whose "
                        "browsers may open the live view (Socket.IO); repeat for several")
    # Shards (mock_server/shards.py, shard_launcher.py): accounts spread over processes.
    p.add_argument("--shards", type=int, metavar="N",
                   help="run N shard processes (N >= 2; ports --port+i, or free ones with --port "
                        "0), each owning some accounts; a Redis for reset and the clock")
    p.add_argument("--shard", type=int, metavar="I",
                   help="run as shard I alone, of the config's static 'shards:' map (one per "
                        "machine; needs --redis)")
    p.add_argument("--redis", metavar="URL",
                   help="the shards' Redis (redis://host:port/db); --shards starts its own if absent")
    p.add_argument("--shard-map", help=argparse.SUPPRESS)  # the launcher's map, as JSON
    p.add_argument("--log-level", default="INFO")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p.parse_args(argv)


def main(argv=None) -> int:
    """Start the sandbox and serve until interrupted."""
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    if args.shards is not None:  # the launcher: N shard processes, each this CLI again
        from .shard_launcher import launch
        return launch(args, config, sys.argv[1:] if argv is None else list(argv))
    shard_map = None
    if args.shard is not None:
        from .shards import for_process
        try:
            shard_map, config = for_process(args, config)
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        args.port = shard_map.shard.port

    from .app import create_app, start_ticker  # imported here so `--help` stays fast
    from .model.clock import OffsetClock
    from .model.personas import make_persona
    from .server import make_server

    try:
        app = create_app(config, seed=args.seed, async_mode="gevent",
                         clock=OffsetClock() if args.movable_clock else None,
                         allowed_origins=args.allowed_origin, data_dir=args.data_dir)
    except ConfigError as exc:  # a section checked as the app is built (faults)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if shard_map is not None:
        from .fanout import RedisUnavailable
        from .shard_app import init_shards
        try:
            init_shards(app, shard_map, args.redis)
        except RedisUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    ssl = {}
    scheme = "http"
    if args.tls:
        from .tls import existing_certificate, make_certificate
        names = sorted({"localhost", "127.0.0.1", "::1", args.host} - {"0.0.0.0", "::"})
        # a shard serves the certificate its launcher made (one CA for every shard)
        made = existing_certificate(Path(args.tls_dir)) if shard_map is not None else None
        ca, cert, key = made or make_certificate(Path(args.tls_dir), names)
        ssl = {"certfile": str(cert), "keyfile": str(key)}
        scheme = "https"
    try:
        server = make_server(app, args.host, args.port, ssl)
    except OSError as exc:  # port taken, or an address this machine does not have
        if exc.errno == errno.EADDRINUSE:
            print(f"error: port {args.port} on {args.host} is in use (another sandbox?); choose "
                  f"another with --port N (--port 0 picks a free one)", file=sys.stderr)
        else:
            print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}; check --host "
                  f"and --port", file=sys.stderr)
        return 2
    port = server.socket.getsockname()[1]
    make_persona(0)  # build the persona generator now, not inside the first chat request
    # Everything built so far (modules, the app, Faker, ua-parser's rules: ~115,000 objects) lives
    # as long as the process: out of the collector's reach, a full collection no longer walks it
    # (~100 ms each, every request waiting) and the young generations collect fewer survivors.
    gc.collect()
    gc.freeze()
    start_ticker(app)
    host = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::", "::1") else args.host
    base = f"{scheme}://{host}:{port}"
    _banner(base, config, ca if args.tls else None)
    if shard_map is not None:
        print(f"  shard {shard_map.me} of {len(shard_map.shards)}: serves "
              f"{', '.join(shard_map.by_shard()[shard_map.me]) or 'no account'}; its Domain API "
              f"names the owning shard of every other account", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _banner(base: str, config: dict, ca) -> None:
    """Print where everything is, so a developer can start at once."""
    lines = [f"Conversational Cloud sandbox listening on {base}",
             f"  home page         {base}/",
             f"  customer page     {base}/consumer",
             f"  agent workspace   {base}/workspace",
             f"  bot dashboard     {base}/dashboard",
             f"  API reference     {base}/docs  (OpenAPI: {base}/openapi.json)",
             f"  CSDS domain       {base.split('://', 1)[1]}  (every service resolves here)"]
    for account in config["accounts"]:
        acct = account["id"]
        lines.append(f"  account {acct}: Domain API {base}/csdr/account/{acct}/service/baseURI.json?version=1.0")
        for user in account.get("users", []):
            lines.append(f"    {user.get('userType', 'human'):5} {user['loginName']} / {user.get('password', '(app key)')}")
    if ca:
        lines.append(f"  TLS: self-signed; trust the CA at {Path(ca).resolve()} (or NODE_TLS_REJECT_UNAUTHORIZED=0)")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ModuleNotFoundError as exc:
        sys.exit(missing_module(exc))
