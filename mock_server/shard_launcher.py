"""`python -m mock_server --shards N`: N shard processes on this machine (each this CLI again,
with `--shard I`), a Redis for their control channel, one banner, and a supervisor that stops
them all together: on Ctrl-C or SIGTERM, or (exiting 1) when one of them dies."""
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .model.seed import ConfigError
from .shards import MAX_SHARDS, ShardMap, local_shards, parse_shards

START_SECONDS = 60  # a shard imports everything and builds its sandbox: a few seconds each
STOP_SECONDS = 10
# Options the launcher sets per shard itself; every other option goes to each shard as given.
OWN_OPTIONS = ("--shards", "--shard", "--shard-map", "--port", "--data-dir", "--redis")


class Stop(Exception):
    """SIGTERM: stop every shard."""


def launch(args, config: dict, argv: list[str]) -> int:
    """Start the shards and supervise them; the exit status."""
    try:
        shard_map = _shard_map(args, config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    procs: list[subprocess.Popen] = []
    redis_proc = None

    def on_term(*_):
        raise Stop()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        ca = _certificate(args, shard_map) if args.tls else None
        redis_url = args.redis
        if not redis_url:
            redis_proc, redis_url = _start_redis({s.port for s in shard_map.shards})
            if redis_proc is None:
                return 2
        base_dir = args.data_dir or (config.get("store") or {}).get("dir")
        common = _passed_on(argv)
        for shard in shard_map.shards:
            cmd = shard_command(common, shard.index, shard_map, redis_url, base_dir)
            # stdout (each shard's own banner) says when it serves, and is dropped: this process
            # prints the one banner; stderr (logs, errors) is the terminal's.
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                          text=True, preexec_fn=_die_with_parent))
        readiness = [_watch_banner(proc) for proc in procs]
        scheme = "https" if args.tls else "http"
        failed = _wait_ready(procs, readiness)
        if failed:
            print(f"error: {failed}", file=sys.stderr)
            return 1
        _banner(shard_map, config, scheme, args.host, redis_url, redis_proc is not None, ca)
        while True:
            for shard, proc in zip(shard_map.shards, procs):
                if proc.poll() is not None:
                    print(f"error: shard {shard.index} (port {shard.port}) exited with status "
                          f"{proc.returncode}; stopping the others", file=sys.stderr)
                    return 1
            if redis_proc is not None and redis_proc.poll() is not None:
                print(f"error: redis-server exited with status {redis_proc.returncode}; stopping "
                      f"the shards", file=sys.stderr)
                return 1
            time.sleep(0.5)  # a supervisor's poll, not a test waiting on a condition
    except (KeyboardInterrupt, Stop):
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the cleanup short
        _stop([*procs, *([redis_proc] if redis_proc else [])])
        signal.signal(signal.SIGTERM, previous)


def _shard_map(args, config: dict) -> ShardMap:
    """The shards to start: the config's static map, or N on this machine (ports --port+i)."""
    n = args.shards
    if args.shard is not None:
        raise ConfigError("--shards starts every shard; --shard I runs one of them: give one")
    if not 2 <= n <= MAX_SHARDS:
        raise ConfigError(f"--shards must be from 2 to {MAX_SHARDS} (one process: leave it out)")
    if "shards" in config:
        shards = parse_shards(config["shards"])
        if len(shards) != n:
            raise ConfigError(f"--shards {n}, but the config's 'shards:' map lists {len(shards)}")
    elif args.port == 0:
        shards = local_shards(_free_ports(args.host, n))
    else:
        if not 0 < args.port <= 65536 - n:
            raise ConfigError(f"--port {args.port}: shards take ports {args.port} to "
                              f"{args.port + n - 1}; choose a lower one")
        shards = local_shards([args.port + i for i in range(n)])
    shard_map = ShardMap(shards, 0)
    shard_map.learn(config)  # every account, for the banner
    return shard_map


def shard_command(common: list[str], index: int, shard_map: ShardMap, redis_url: str,
                  base_dir: str | None) -> list[str]:
    """The command line of shard `index`: this CLI with the launcher's other options, its port,
    the map, the Redis, and its own data dir `DIR/shard-<index>` under the launcher's."""
    cmd = [sys.executable, "-m", "mock_server", *common, "--port", str(shard_map.shards[index].port),
           "--shard", str(index), "--shard-map", shard_map.to_json(), "--redis", redis_url]
    if base_dir:
        cmd += ["--data-dir", str(Path(base_dir) / f"shard-{index}")]
    return cmd


def _passed_on(argv: list[str]) -> list[str]:
    """The launcher's own arguments without those it sets per shard (`--opt V`, `--opt=V`)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in OWN_OPTIONS:
            skip = True
        elif not arg.startswith(tuple(f"{o}=" for o in OWN_OPTIONS)):
            out.append(arg)
    return out


def _free_ports(host: str, n: int, avoid=()) -> list[int]:
    """N ports free now, none of `avoid`, all held at once so they differ (--port 0: every
    shard must know every other's port before any of them starts)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sockets, ports = [], []
    try:
        while len(ports) < n:
            s = socket.socket(family, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)  # held, even when avoided: the next bind gets another port
            if s.getsockname()[1] not in avoid:
                ports.append(s.getsockname()[1])
        return ports
    finally:
        for s in sockets:
            s.close()


def _certificate(args, shard_map: ShardMap) -> Path:
    """One certificate for every shard (they reuse what is in --tls-dir); the CA's path."""
    from .tls import make_certificate
    names = {"localhost", "127.0.0.1", "::1", args.host} | {s.host for s in shard_map.shards if s.host}
    ca, _, _ = make_certificate(Path(args.tls_dir), sorted(names - {"0.0.0.0", "::"}))
    return ca


def _start_redis(taken: set[int]):
    """Debian's redis-server on a free port of 127.0.0.1 (none of the shards' `taken` ones), in
    memory only: (process, URL), or (None, None) after saying what is missing."""
    server = shutil.which("redis-server")
    if server is None:
        print("error: --shards needs Redis for the shards' control channel (reset, seed, clock): "
              "install Debian's redis-server (apt-get install redis-server), or give --redis URL",
              file=sys.stderr)
        return None, None
    port = _free_ports("127.0.0.1", 1, avoid=taken)[0]
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning"],
                            stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            preexec_fn=_die_with_parent)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return proc, url
        except OSError:
            pass
        time.sleep(0.05)
    _stop([proc])
    print(f"error: redis-server did not start on port {port}", file=sys.stderr)
    return None, None


def _watch_banner(proc: subprocess.Popen) -> threading.Event:
    """Set once the shard prints its listening line (just before it serves); the rest of its
    stdout is read and dropped, so the shard never blocks on a full pipe."""
    ready = threading.Event()

    def read():
        for line in proc.stdout:
            if "listening on" in line:
                ready.set()
    threading.Thread(target=read, daemon=True).start()
    return ready


def _wait_ready(procs, readiness) -> str | None:
    """Wait until every shard serves; what went wrong, or None."""
    deadline = time.monotonic() + START_SECONDS
    for i, (proc, ready) in enumerate(zip(procs, readiness)):
        while not ready.wait(0.1):
            if proc.poll() is not None:
                return f"shard {i} exited at start with status {proc.returncode} (its error is above)"
            if time.monotonic() > deadline:
                return f"shard {i} did not start within {START_SECONDS} s"
    return None


def _banner(shard_map: ShardMap, config: dict, scheme: str, host: str, redis_url: str,
            own_redis: bool, ca) -> None:
    """One banner for all the shards: where each is, which accounts it owns, the demo users."""
    name = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::", "::1") else host
    url = {s.index: f"{scheme}://{s.host or name}:{s.port}" for s in shard_map.shards}
    owned = shard_map.by_shard()
    first = url[0]
    lines = [f"Conversational Cloud sandbox listening on {first}  ({len(shard_map.shards)} shards; "
             f"any shard's Domain API names the shard of every account)"]
    for shard in shard_map.shards:
        lines.append(f"  shard {shard.index:<11} {url[shard.index]}  accounts: "
                     f"{', '.join(owned[shard.index]) or 'none'}")
    lines += [f"  Redis             {redis_url}  ({'started here, stopped at exit' if own_redis else 'given'}; "
              f"reset, seed and the clock reach every shard)",
              f"  home page         {first}/  (each shard's lists every account)",
              f"  customer page     {first}/consumer?account=ID  (sent on to the owning shard)",
              f"  agent workspace   {first}/workspace?account=ID",
              f"  bot dashboard     {first}/dashboard?account=ID",
              f"  API reference     {first}/docs",
              f"  CSDS domain       {first.split('://', 1)[1]}  (or any shard)"]
    for account in config["accounts"]:
        acct = str(account["id"])
        lines.append(f"  account {acct} (shard {shard_map.owner_index(acct)}): Domain API "
                     f"{first}/csdr/account/{acct}/service/baseURI.json?version=1.0")
        for user in account.get("users", []):
            lines.append(f"    {user.get('userType', 'human'):5} {user['loginName']} / "
                         f"{user.get('password', '(app key)')}")
    if ca:
        # "trust the CA at PATH" as the one-process banner words it: simulator demo reads it
        lines.append(f"  TLS: self-signed, one CA for every shard; trust the CA at {Path(ca).resolve()} "
                     f"(or NODE_TLS_REJECT_UNAUTHORIZED=0)")
    print("\n".join(lines), flush=True)


def _stop(procs) -> None:
    """SIGTERM each process still running, then SIGKILL what lingers."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for proc in procs:
        try:
            proc.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM it when the launcher dies, even by SIGKILL, so no
    shard or Redis outlives it (Linux's PR_SET_PDEATHSIG; elsewhere nothing)."""
    if sys.platform.startswith("linux"):
        import ctypes
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        except OSError:
            pass
