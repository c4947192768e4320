"""The model runs without HTTP: a Sandbox, its operations and its tick import no web stack.

(The test process itself has Flask loaded by tests/conftest.py, so this looks in a fresh one.)"""
import subprocess
import sys

from tests.support.paths import ROOT

SCRIPT = """
import sys
from mock_server.model.clock import ManualClock
from mock_server.model.sandbox import Sandbox
sb = Sandbox(clock=ManualClock(0), seed=1)
account = sb.account("12345678")
session = sb.start_agent_session(sb.login(account, {"username": "demo-bot", "password": "demo-bot-pass"}))
sb.set_agent_availability(session, "Online")
sb.tick()
web = sorted(m for m in ("flask", "werkzeug", "requests", "socketio", "flask_socketio", "gevent")
             if m in sys.modules)
print(",".join(web))
"""


def test_the_model_imports_no_web_stack():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
