"""`python -m mock_server --data-dir DIR`, killed and started again on the same dir: the demo
state comes back (chats, history, the bot's login and agent session) and the simulator's bot
keeps polling with the same bearer, answering the customer of a chat from before the kill."""
import types

import requests

from tests.simulator.test_fault_recovery import Customer, start_bot
from tests.store.test_crash import free_port
from tests.support.constants import ACCOUNT
from tests.support.paths import ROOT
from tests.support.server import start, stop
from tests.support.waiting import WAIT
from tests.support.wire import journal


def test_the_bot_keeps_polling_across_a_restart_without_logging_in_again(tmp_path):
    args = ["--port", str(free_port()), "--data-dir", str(tmp_path), "--seed", "3"]
    proc, url, _ = start(args, ROOT)
    live = types.SimpleNamespace(url=url)
    runner = thread = None
    try:
        # Retry every 0.25 s while the server is down (the default pauses are minutes long).
        runner, thread, codes, _ = start_bot(live, recovery_delays=(0.25,), max_failures=200)
        assert runner.online.wait(WAIT)
        customer = Customer(live)
        customer.wait_line("", after=-1)  # the welcome
        customer.say("what are your opening hours?")
        customer.wait_line("")
        before = requests.get(f"{url}/_sandbox/analytics/scorecards",
                              params={"account": ACCOUNT, "from": 0}).json()["total"]["chats"]
        proc.kill()  # SIGKILL
        proc.wait()
        proc = start(args, ROOT)[0]
        # History and the chat are back; the same chat goes on with the same bot session.
        assert requests.get(f"{url}/_sandbox/analytics/scorecards",
                            params={"account": ACCOUNT, "from": 0}).json()["total"]["chats"] == before
        customer.say("and on sundays?")
        assert customer.wait_line("")
        assert journal(url, operation="login") == []  # no new login: the old bearer still works
        assert journal(url, operation="agentGetEvents", status=200)
    finally:
        if runner is not None:
            runner.stop()
            thread.join(WAIT)
            assert codes == [0]
        stop(proc)
