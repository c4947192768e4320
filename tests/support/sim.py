"""The simulator in tests: a quiet reporter to wait on, the demo rules bot on a thread,
demo-agent (Alex) as a human agent over the client library, and a fast load mix."""
import io
import threading
from pathlib import Path

import yaml

from simulator.bot import BotOptions, BotRunner
from simulator.brains import make_brain
from simulator.brains.escalation import escalating
from simulator.client import AgentChat, AgentClient
from simulator.login import Credentials
from simulator.report import Reporter

from .constants import ACCOUNT, DEMO_AGENT, DEMO_BOT
from .waiting import WAIT, wait_until

# The load generator's default mix (simulator/mixes/default.yaml): its intents, weights and
# lines, with the customers' patience cut to a second, so a load takes seconds, not minutes.
FAST_MIX = {"intents": {"happy": {"weight": 40, "patience": 1}, "escalating": {"weight": 25, "patience": 1},
                        "angry": {"weight": 15, "patience": 1}, "silent": {"weight": 10, "wait": 0.5},
                        "leaving": {"weight": 10}}}


def fast_mix_file(folder: Path, patience: float | None = None) -> Path:
    """FAST_MIX written as a --mix file in `folder` (with another `patience`, when given)."""
    mix = {"intents": {name: {**intent, **({"patience": patience} if patience and "patience" in intent else {})}
                       for name, intent in FAST_MIX["intents"].items()}}
    path = folder / "mix.yaml"
    path.write_text(yaml.safe_dump(mix))
    return path


class WatchedReporter(Reporter):
    """A quiet Reporter whose lines a test can wait for."""

    def __init__(self, role: str):
        super().__init__(role, stream=io.StringIO())
        self.changed = threading.Condition()

    def __call__(self, what, chat=None, **fields):
        super().__call__(what, chat, **fields)
        with self.changed:
            self.changed.notify_all()

    def count(self, what: str) -> int:
        """How many lines reported `what`."""
        return sum(1 for line in self.lines if line.split(" ")[3] == what)

    def wait_until(self, condition, timeout: float = WAIT) -> bool:
        """Wait until `condition()` holds, re-checking after every reported line."""
        with self.changed:
            return self.changed.wait_for(condition, timeout)

    def wait_for(self, what: str, times: int = 1, timeout: float = WAIT) -> bool:
        """Wait until `what` was reported at least `times` times."""
        return self.wait_until(lambda: self.count(what) >= times, timeout)


def run_bot(live, brain, credentials: Credentials | None = None, **options):
    """A bot (demo-bot unless `credentials` say otherwise, 50 ms polls) running `brain` on its
    own thread, Online: (runner, thread, exit codes)."""
    credentials = credentials or Credentials(DEMO_BOT.login, password=DEMO_BOT.password)
    opts = BotOptions(live.url, ACCOUNT, credentials, poll=0.05, **options)
    runner = BotRunner(opts, brain, WatchedReporter("bot"))
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(runner.run()), daemon=True)
    thread.start()
    assert runner.online.wait(WAIT)
    return runner, thread, codes


def rules_bot(live, classifier=None, brain=None, **options):
    """The demo rules bot (demo-bot, with its escalation, 50 ms polls) on its own thread, Online:
    (runner, thread, exit codes)."""
    if brain is None:
        brain = escalating(make_brain("rules"), classifier)
    return run_bot(live, brain, **options)


def stop(runner, thread, codes):
    """Stop a bot `rules_bot` started; it must have ended cleanly (exit code 0)."""
    runner.stop()
    thread.join(WAIT)
    assert not thread.is_alive() and codes == [0]


class HumanAgent:
    """demo-agent (Alex) over the Login and Chat Agent APIs, Online on support-human."""

    def __init__(self, live):
        self.client = AgentClient(live.url, ACCOUNT)
        self.client.login_user(*DEMO_AGENT)
        self.session = self.client.start_agent_session()
        self.session.set_availability("Online")

    def accept_next(self) -> AgentChat:
        """Wait until a chat rings here, then accept it."""
        ring = wait_until(lambda: (lambda r: r if r.ringing_count else None)(self.session.incoming_requests()))
        assert ring, "nothing rang at the human agent"
        return self.session.accept(ring.accept_url)

    def logout(self):
        self.client.logout()
