"""The demo runner and the bot over TLS, as real processes: `python -m simulator demo|bot`."""
import os
import re
import signal
import ssl
import subprocess
import sys
import threading

import pytest
import trustme

from simulator.__main__ import main as simulator_main
from simulator.client import AgentClient
from simulator.customer import ScriptedCustomer
from simulator.scripts import Check, load_script
from simulator.visitor import VisitorClient

from tests.support.constants import (ACCOUNT, BOT_B_NAME, BOT_B_SKILL, BOT_NAME, BOT_SKILL, DEMO_AGENT,
                                     DEMO_BOT, DEMO_BOT_B)
from tests.support.paths import ROOT
from tests.support.server import StubHandler, stub_server
from tests.support.sim import WatchedReporter

FAQ = ROOT / "simulator" / "scripts" / "faq.yaml"
DEADLINE = 60.0


class Process:
    """A child process whose output lines a test can wait for."""

    def __init__(self, args, cwd):
        self.proc = subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append("")  # end of output
            self.changed.notify_all()

    def wait_line(self, pattern: str) -> re.Match:
        """The first output line matching `pattern` (waiting for it, with a deadline)."""
        found = []

        def seen():
            found[:] = [m for m in (re.search(pattern, line) for line in self.lines) if m][:1]
            return bool(found) or "" in self.lines
        with self.changed:
            self.changed.wait_for(seen, DEADLINE)
        assert found, f"no line matching {pattern!r} in:\n{''.join(self.lines)}"
        return found[0]

    def output(self) -> str:
        with self.changed:
            return "".join(self.lines)

    def stop(self, sig=signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise


@pytest.fixture
def processes():
    started = []
    yield lambda *args, cwd: started.append(Process(args, cwd)) or started[-1]
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


def test_demo_starts_the_sandbox_with_both_rules_bots_and_check_passes(tmp_path, processes, capsys):
    demo = processes("simulator", "demo", "--port", "0", "--seed", "5", "--bot-poll", "0.1", cwd=tmp_path)
    url = demo.wait_line(r"listening on (\S+)").group(1)
    demo.wait_line(rf" bot chat=- availability state=Online .*agent=\"{BOT_NAME}\"")
    demo.wait_line(rf" bot-b chat=- availability state=Online .*agent=\"{BOT_B_NAME}\"")
    assert simulator_main(["check", "--url", url, "--poll", "0.1"]) == 0
    assert "check: PASS (5/5 passed)" in capsys.readouterr().out
    # Bot B answers its own skill's chats with its own intents (the eager file's welcome).
    customer = ScriptedCustomer(VisitorClient(url, ACCOUNT), poll=0.1, report=WatchedReporter("customer"))
    customer.request(BOT_B_SKILL)
    assert customer.expect(Check("reply", "orders and billing", 20, agent=BOT_B_NAME))[0]
    customer.close()

    assert demo.stop(signal.SIGTERM) == 0
    out = demo.output()
    assert re.search(rf" bot chat=- logout user={DEMO_BOT.login}(\s|$)", out)  # each bot logged out
    assert re.search(rf" bot-b chat=- logout user={DEMO_BOT_B.login}(\s|$)", out)
    assert out.index("chat.transferred") < out.index(f"logout user={DEMO_BOT.login}")


def test_mock_server_alone_starts_no_bot(tmp_path, processes):
    server = processes("mock_server", "--port", "0", cwd=tmp_path)
    url = server.wait_line(r"listening on (\S+)").group(1)
    visitor = VisitorClient(url, ACCOUNT)
    assert visitor.availability(skill=BOT_SKILL) is False
    assert visitor.estimated_wait_time(skill=BOT_SKILL) == -1
    agent = AgentClient(url, ACCOUNT)
    agent.login_user(*DEMO_AGENT)
    assert agent.start_agent_session().available_agents().by_login(DEMO_BOT.login).chat_state == "Offline"
    agent.logout()
    assert server.stop() in (0, -signal.SIGTERM)


def test_demo_over_tls_trusts_the_sandbox_ca_and_stops_on_ctrl_c(tmp_path, processes):
    tls = tmp_path / "tls"
    demo = processes("simulator", "demo", "--tls", "--port", "0", "--tls-dir", str(tls),
                     "--bot-typing-delay", "0", "--bot-poll", "0.1", cwd=tmp_path)
    url = demo.wait_line(r"listening on (\S+)").group(1)
    assert url.startswith("https://localhost:")
    demo.wait_line(r" bot chat=- availability state=Online")
    client = VisitorClient(url, ACCOUNT, verify=str(tls / "ca.pem"))
    result = ScriptedCustomer(client, load_script(FAQ), poll=0.1, report=WatchedReporter("customer")).run()
    assert result.ok, result.report()
    assert demo.stop(signal.SIGINT) == 0  # Ctrl-C: the bot logs out, then the sandbox stops
    assert f" bot chat=- logout user={DEMO_BOT.login}" in demo.output()


class _Csds(StubHandler):
    """A Domain API of its own (not the sandbox): every service is the sandbox's host."""

    sandbox_host = ""
    paths: list = []

    def do_GET(self):
        self.paths.append(self.path)
        match = re.match(r"^/csdr/account/(\w+)/service/(\w+)/baseURI\.json", self.path)
        status, body = (200, {"service": match.group(2), "account": match.group(1),
                              "baseURI": self.sandbox_host}) if match else (404, {"error": {}})
        self.answer(status, body)


def test_bot_cli_reaches_a_tls_sandbox_only_through_its_domain_lookup(tmp_path, processes):
    tls = tmp_path / "tls"
    sandbox = processes("mock_server", "--tls", "--port", "0", "--tls-dir", str(tls), cwd=tmp_path)
    sandbox_url = sandbox.wait_line(r"listening on (\S+)").group(1)
    sandbox.wait_line(r"TLS: self-signed")

    # The Domain API lives elsewhere (its own port and certificate), like api.liveperson.net.
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("localhost").configure_cert(context)
    _Csds.sandbox_host, _Csds.paths = sandbox_url.split("://", 1)[1], []
    bundle = tmp_path / "trust.pem"
    bundle.write_bytes((tls / "ca.pem").read_bytes() + ca.cert_pem.bytes())

    with stub_server(_Csds, tls=context) as csds:
        csds_url = f"https://localhost:{csds.server_port}"
        bot = processes("simulator", "bot", "--url", csds_url, "--account", ACCOUNT,
                        "--user", DEMO_BOT.login, "--password", DEMO_BOT.password, "--brain", "rules",
                        "--ca", str(bundle), "--poll", "0.1", cwd=tmp_path)
        bot.wait_line(r" availability state=Online")
        client = VisitorClient(csds_url, ACCOUNT, verify=str(bundle))
        result = ScriptedCustomer(client, load_script(FAQ), poll=0.1,
                                  report=WatchedReporter("customer")).run()
        assert result.ok, result.report()
        assert bot.stop(signal.SIGINT) == 0
        assert f" logout user={DEMO_BOT.login}" in bot.output()
    # Only lookups went to the Domain API host; every API call went to what it named.
    assert _Csds.paths and all(p.startswith(f"/csdr/account/{ACCOUNT}/service/") for p in _Csds.paths)
    assert {re.search(r"service/(\w+)/", p).group(1) for p in _Csds.paths} == {"agentVep", "conversationVep"}
