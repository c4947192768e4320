"""The installable package: the wheel that `pip install .` builds carries both packages, their
data (pages, demo config, intents, scripts, transcripts) and the npm files (mock_server/vendor.py),
and, installed into a fresh venv, runs from outside the repository: cc-sandbox serves the pages
and their libraries, cc-simulator demo + check pass, the version is mock_server.__version__.

No network: the wheel is built with the project venv's hatchling (--no-build-isolation) from the
node_modules/ that ./dev installed, and the fresh venv takes the dependencies from the project
venv through a .pth file (pip install --no-deps --no-index of the wheel alone).
"""
import json
import os
import queue
import re
import signal
import subprocess
import sys
import sysconfig
import threading
import time
import venv
import zipfile
from pathlib import Path

import pytest
import requests

import mock_server
from mock_server import vendor

ROOT = Path(__file__).resolve().parents[1]
DIST = "conversational-cloud-sandbox"
START_DEADLINE = 60.0  # seconds for a sandbox to print its listening line

pytestmark = pytest.mark.skipif(
    not all((vendor.NODE_MODULES / rel).is_file() for rel in vendor.VENDOR.values()),
    reason="node_modules/ is not installed (npm ci; ./dev does it): the wheel is built from it")


def _requirements(name: str) -> list[str]:
    lines = (line.split(" #")[0].strip() for line in (ROOT / name).read_text().splitlines())
    return [line for line in lines if line and not line.startswith(("#", "-r "))]


def _normalized(requirement: str) -> str:
    name, pin = requirement.split("==")
    return f"{re.sub(r'[-_.]+', '-', name).lower()}=={pin}"


class Installed:
    """The wheel, and a fresh venv (outside the repository) with it installed."""

    def __init__(self, base: Path):
        self.base = base
        self.wheel = self._build(base / "dist")
        self.venv = base / "venv"
        self.bin = self.venv / "bin"
        self.python = self.bin / "python"
        self.work = base / "work"  # every command's cwd: not the repository
        self.work.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")}
        self.env.update(PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONNOUSERSITE="1")
        self._install()

    @staticmethod
    def _build(out: Path) -> Path:
        result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                                 "--no-index", "--disable-pip-version-check", "-w", str(out), str(ROOT)],
                                capture_output=True, text=True, timeout=240)
        assert result.returncode == 0, result.stdout + result.stderr
        wheels = list(out.glob("*.whl"))
        assert len(wheels) == 1, wheels
        return wheels[0]

    def _install(self) -> None:
        venv.create(self.venv, with_pip=False)
        result = subprocess.run([sys.executable, "-m", "pip", "--python", str(self.python), "install",
                                 "--no-deps", "--no-index", "--disable-pip-version-check", str(self.wheel)],
                                capture_output=True, text=True, timeout=240)
        assert result.returncode == 0, result.stdout + result.stderr
        # Only then the dependencies: the project venv's site-packages, appended to sys.path after
        # the fresh venv's own (its .pth files, the editable install's among them, are not read).
        site = self.run("-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
        deps = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
        Path(site, "_project_venv_deps.pth").write_text("".join(f"{d}\n" for d in deps))

    def run(self, *args, program: str = "python", timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / program), *args], cwd=self.work, env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def start(self, program: str, *args) -> "Running":
        return Running([str(self.bin / program), *args], self.work, self.env)


class Running:
    """A server process whose output lines are read on a thread, so waits have deadlines."""

    def __init__(self, argv, cwd, env):
        self.stderr_path = Path(cwd) / f"{Path(argv[0]).name}-{time.monotonic_ns()}.stderr"
        self.stderr = self.stderr_path.open("w")
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=self.stderr,
                                     text=True, bufsize=1)
        self.lines: queue.Queue = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def url(self) -> str:
        """The URL of its "listening on" line (waits at most START_DEADLINE)."""
        deadline = time.monotonic() + START_DEADLINE
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.output.append(line)
            if match := re.search(r"listening on (\S+)", line):
                return match.group(1)
        raise AssertionError(f"no 'listening on' line:\n{''.join(self.output)}\n{self.errors()}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        return self.proc.returncode

    def errors(self) -> str:
        if not self.stderr.closed:
            self.stderr.flush()
        return self.stderr_path.read_text()


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    return Installed(tmp_path_factory.mktemp("package"))


def test_the_wheel_carries_both_packages_their_data_and_the_npm_files(installed):
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
        info = f"conversational_cloud_sandbox-{mock_server.__version__}.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode()
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert installed.wheel.name == f"conversational_cloud_sandbox-{mock_server.__version__}-py3-none-any.whl"
    for data in ("mock_server/static/consumer.html", "mock_server/static/workspace.html",
                 "mock_server/static/docs.html", "mock_server/config/sandbox.yaml",
                 "simulator/intents/default.yaml", "simulator/scripts/faq.yaml",
                 "simulator/scripts/escalation.yaml", "simulator/transcripts/default.json",
                 "simulator/intents/eager.yaml", "simulator/mixes/default.yaml"):
        assert data in names, data
    assert {f"mock_server/{p.relative_to(ROOT / 'mock_server').as_posix()}"
            for p in (ROOT / "mock_server" / "static").rglob("*") if p.is_file()} <= names
    # exactly vendor.py's FILES from node_modules, under mock_server/_vendor
    expected = set()
    for pattern in vendor.FILES:
        matches = [p for p in vendor.NODE_MODULES.glob(pattern) if p.is_file()]
        assert matches, pattern
        expected |= {f"mock_server/_vendor/{p.relative_to(vendor.NODE_MODULES).as_posix()}" for p in matches}
    assert {n for n in names if n.startswith("mock_server/_vendor/")} == expected
    assert not [n for n in names if n.startswith(("tests/", "node_modules/", "bench/"))
                or "__pycache__" in n or n.endswith(".pyc")]
    assert "cc-sandbox = mock_server.__main__:main" in entry_points
    assert "cc-simulator = simulator.__main__:main" in entry_points
    assert f"\nVersion: {mock_server.__version__}\n" in metadata
    # the runtime pins are requirements.txt's, the dev extra requirements-dev.txt's own lines
    requires = re.findall(r"^Requires-Dist: (.+)$", metadata, re.M)
    assert sorted(r for r in requires if "extra ==" not in r) == sorted(
        _normalized(r) for r in _requirements("requirements.txt"))
    assert sorted(r.split(";")[0].strip() for r in requires if "extra == 'dev'" in r) == sorted(
        _normalized(r) for r in _requirements("requirements-dev.txt"))


def test_the_installed_package_is_imported_from_the_venv_with_one_version(installed):
    probe = installed.run("-c", "\n".join((
        "import importlib.metadata, json, sys",
        "import mock_server, simulator",
        "from mock_server.model.rich_content import SCHEMA_DIR, RichContentSchema",
        "from mock_server.vendor import vendor_root",
        "print(json.dumps({'mock_server': mock_server.__file__, 'simulator': simulator.__file__,",
        f"    'version': mock_server.__version__, 'dist': importlib.metadata.version({DIST!r}),",
        "    'schema': str(SCHEMA_DIR), 'pollock': RichContentSchema().version,",
        "    'vendor': str(vendor_root()), 'path': sys.path}))")))
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    site = installed.venv.resolve()
    for module in ("mock_server", "simulator"):
        assert Path(found[module]).resolve().is_relative_to(site), found[module]
    assert str(ROOT) not in found["path"]  # (its "" is the cwd, outside the repository)
    assert found["version"] == found["dist"] == mock_server.__version__
    # the server's json-pollock schema is the wheel's copy, of the version package-lock.json pins
    assert Path(found["vendor"]).resolve().is_relative_to(site) and found["vendor"].endswith("mock_server/_vendor")
    assert Path(found["schema"]).resolve().is_relative_to(site)
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert found["pollock"] == lock["packages"]["node_modules/json-pollock"]["version"]
    shown = subprocess.run([sys.executable, "-m", "pip", "--python", str(installed.python), "show", DIST],
                           capture_output=True, text=True, timeout=120)
    assert f"\nVersion: {mock_server.__version__}\n" in shown.stdout, shown.stdout + shown.stderr
    for program in ("cc-sandbox", "cc-simulator"):
        result = installed.run("--version", program=program, timeout=60)
        assert result.returncode == 0 and result.stdout.split()[-1] == mock_server.__version__, result
    result = installed.run("-m", "mock_server", "--help", timeout=60)
    assert result.returncode == 0 and "--port" in result.stdout, result.stderr


def test_the_installed_sandbox_serves_the_pages_and_the_simulator_check_passes(installed):
    sandbox = installed.start("cc-sandbox", "--port", "0")
    demo = installed.start("cc-simulator", "demo", "--port", "0")
    try:
        url = sandbox.url()
        for path in ("/", "/consumer", "/workspace", "/docs", "/static/js/rich.js",
                     *(f"/vendor/{name}" for name in vendor.VENDOR)):
            response = requests.get(url + path, timeout=30)
            assert response.status_code == 200, (path, response.status_code)
        pages = (vendor.NODE_MODULES / vendor.VENDOR["socket.io.min.js"]).read_bytes()
        assert requests.get(f"{url}/vendor/socket.io.min.js", timeout=30).content == pages

        demo_url = demo.url()
        check = installed.run("check", "--url", demo_url, program="cc-simulator", timeout=240)
        assert check.returncode == 0, check.stdout + check.stderr
        assert check.stdout.count("PASS") >= 5 and "FAIL" not in check.stdout, check.stdout
    finally:
        codes = (sandbox.stop(), demo.stop())
    for running in (sandbox, demo):
        assert "schema is not in" not in running.errors()  # json-pollock's schema was found
    assert all(code in (0, -signal.SIGTERM) for code in codes), codes


def test_the_example_bot_projects_suite_passes_against_the_installed_plugin(installed):
    """examples/weather-bot, copied outside the repository, as a bot team runs it: its own
    tests on the installed package's pytest plugin (cc_sandbox), nothing else of this repo."""
    import shutil
    project = installed.work / "weather-bot"
    shutil.copytree(ROOT / "examples" / "weather-bot", project,
                    ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.egg-info"))
    result = subprocess.run([str(installed.python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=project, env=installed.env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed.group(1)) >= 20, result.stdout[-2000:]
    plugin = subprocess.run([str(installed.python), "-c", "import mock_server.testing.plugin as p; print(p.__file__)"],
                            cwd=project, env=installed.env, capture_output=True, text=True, timeout=60)
    assert Path(plugin.stdout.strip()).resolve().is_relative_to(installed.venv.resolve()), plugin
