"""What both benchmarks share: start a server as a subprocess, read its URL, CPU time, stats."""
import os
import platform
import runpy
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"  # git-ignored
PYTHON = sys.executable
BANNER = re.compile(r"listening on (https?)://[^\s:/]+:(\d+)")
CLK_TCK = os.sysconf("SC_CLK_TCK")
_LIVE: set = set()  # servers started and not yet stopped, for the signal handler


class Server:
    """A server subprocess: its URL, its pid, its log file; stop() ends it (and only it)."""

    def __init__(self, name: str, cmd: list[str], log_path: Path, timeout: float = 30.0):
        self.name, self.cmd, self.log_path = name, cmd, log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.proc.pid
        _LIVE.add(self)
        self.url = self._wait_for_banner(timeout)

    def _wait_for_banner(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            m = BANNER.search(text)
            if m:
                return f"{m.group(1)}://127.0.0.1:{m.group(2)}"
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not start; see {self.log_path}:\n"
                           + self.log_path.read_text(errors="replace")[-3000:])

    def cpu_seconds(self) -> float:
        """CPU time (user+system) of the server and all its descendants so far."""
        return tree_cpu_seconds(self.pid)

    def cpu_split(self) -> tuple[float, float]:
        """(user, system) CPU seconds of the server and all its descendants so far."""
        return tree_cpu_seconds(self.pid, split=True)

    def reset_profile(self) -> None:
        """Under bench/profiled.py or bench/diagnosed.py: drop what was recorded so far (SIGUSR1)."""
        if "bench.profiled" in self.cmd or "bench.diagnosed" in self.cmd:
            os.kill(self.pid, signal.SIGUSR1)
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM the process group we started, then SIGKILL it after 10 s."""
        _LIVE.discard(self)
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()


def stop_servers_on_signals() -> None:
    """On SIGINT/SIGTERM stop the servers this process started, then exit (status 130)."""
    def handler(signum, frame):  # no blocking calls: under gevent this runs in the event loop
        for server in list(_LIVE):
            try:
                os.killpg(server.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        os._exit(130)
    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def cli_matches_gevent_stack() -> list[str]:
    """What the CLI's server (mock_server/server.py, which bench/serve.py's `gevent` stack also
    uses for the bare app) no longer does of what the benchmarks assume; empty when it agrees."""
    try:
        source = (ROOT / "mock_server" / "server.py").read_text()
    except OSError:
        return ["mock_server/server.py is unreadable"]
    checks = {"TCP_NODELAY on the listening socket": "TCP_NODELAY" in source,
              "a handler without access-log formatting": "log_request" in source,
              "gevent pywsgi.WSGIServer": "pywsgi.WSGIServer" in source}
    return [what for what, present in checks.items() if not present]


def pinned(cmd: list[str], cpu: int | None) -> list[str]:
    """Prefix `taskset -c CPU` when asked to pin and taskset exists."""
    if cpu is None or not shutil.which("taskset"):
        return cmd
    return ["taskset", "-c", str(cpu), *cmd]


def start_server(app: str, stack: str, config: str | None = None, cpu: int | None = None,
                 tag: str = "", cprofile: str | None = None,
                 cprofile_timer: str = "cpu", diagnose: str | None = None,
                 extra_args: tuple[str, ...] = ()) -> Server:
    """Start the sandbox (app="sandbox") or the bare app on `stack`, on a free port
    (`extra_args`: more options of the server, e.g. `--shards 2`).

    The sandbox on the gevent stack is the real CLI, `python -m mock_server --port 0`.
    With `cprofile` (a file name) the server runs under bench/profiled.py, which writes its
    cProfile stats to that file when the server is stopped (`cprofile_timer`: cpu or wall).
    """
    if app == "sandbox" and stack == "gevent":
        cmd = ["-m", "mock_server", "--port", "0"]
    else:
        cmd = ["-m", "bench.serve", "--stack", stack, "--app", app, "--port", "0"]
    if cprofile:
        Path(cprofile).parent.mkdir(parents=True, exist_ok=True)
        cmd = [PYTHON, "-m", "bench.profiled", "--timer", cprofile_timer,
               str(Path(cprofile).resolve()), *cmd]
    elif diagnose:
        Path(diagnose).parent.mkdir(parents=True, exist_ok=True)
        cmd = [PYTHON, "-m", "bench.diagnosed", str(Path(diagnose).resolve()), *cmd]
    else:
        cmd = [PYTHON, *cmd]
    if config:
        cmd += ["--config", str(config)]
    cmd += list(extra_args)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log = RESULTS / "logs" / f"{tag or 'server'}-{app}-{stack}-{stamp}-{os.getpid()}.log"
    return Server(f"{app} on {stack}", pinned(cmd, cpu), log)


def tree_cpu_seconds(root_pid: int, split: bool = False):
    """utime+stime of a process and its live descendants, from /proc ((utime, stime) with
    `split`)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    user: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        pid = int(entry)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
        user[pid] = int(fields[11]) / CLK_TCK
    total, total_user, todo = 0.0, 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        total_user += user.get(pid, 0.0)
        todo.extend(p for p, pp in parents.items() if pp == pid)
    return (total_user, total - total_user) if split else total


def process_cpu_seconds(pid: int) -> float:
    """utime+stime of one process (cheap: one /proc read), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return 0.0
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def system_busy_seconds() -> float:
    """CPU seconds all CPUs of the machine spent busy since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / CLK_TCK


def wait_for_quiet(limit_pct: float = 25.0, max_wait: float = 60.0) -> float:
    """Wait (up to max_wait s) until other processes use < limit_pct of one CPU over 2 s;
    return the last measured busy percentage (so a noisy run can be told apart)."""
    deadline = time.monotonic() + max_wait
    while True:
        b0, t0 = system_busy_seconds(), time.monotonic()
        time.sleep(2.0)
        busy = 100 * (system_busy_seconds() - b0) / (time.monotonic() - t0)
        if busy < limit_pct or time.monotonic() > deadline:
            if busy >= limit_pct:
                print(f"  warning: the machine is busy ({busy:.0f}% of a CPU) before the run",
                      file=sys.stderr)
            return busy


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list (0 when empty)."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def machine() -> dict:
    """What the numbers were measured on."""
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "kernel": platform.release(), "code": code_version()}


def code_version() -> str:
    """HEAD of the repository, and how many files of mock_server/ differ from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "mock_server"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}+{len(dirty)} changed files in mock_server/" if dirty else head


def run_module_until_signalled(module: str, argv: list[str], dump, reset) -> None:
    """Run `python -m module argv` in this process (a measured server): SIGTERM and SIGINT call
    `dump` (which writes what was measured), SIGUSR1 `reset` (after a warm-up); `dump` also
    runs when the module returns."""
    signal.signal(signal.SIGTERM, dump)
    signal.signal(signal.SIGINT, dump)
    signal.signal(signal.SIGUSR1, reset)
    sys.argv = [module, *argv]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit:
        pass
    finally:
        dump()
