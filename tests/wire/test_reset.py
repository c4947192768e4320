"""POST /_sandbox/reset: a fresh Sandbox from the same config and seed, behind the same server."""
import requests

from tests.support.constants import ACCOUNT, DEMO_ADMIN, DEMO_AGENT, HUMAN_SKILL
from tests.support.wire import agent, bearer_headers, consumer_headers, login, request_chat


def test_reset_forgets_sessions_and_chats_and_replays_the_seed(live):
    first_chat = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    admin = login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"]
    created = requests.post(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/skills",
                            json={"name": "made-before-reset"}, headers=bearer_headers(admin))
    assert created.ok and created.json()["name"] == "made-before-reset"
    old = live.sb

    r = requests.post(f"{live.url}/_sandbox/reset")
    assert r.status_code == 200 and r.json()["status"] == "reset"
    assert live.sb is not old and live.sb.chats == {}
    # The old bearer, agent session and chat are gone; the config's own state is back.
    assert requests.get(session_url, headers=bearer_headers(bearer)).status_code == 401
    assert requests.get(first_chat, headers=consumer_headers()).status_code == 404
    assert all(s.name != "made-before-reset" for s in live.sb.accounts[ACCOUNT].skills.values())
    # Same seed: the first chat after a reset has the id the first chat had.
    assert request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL) == first_chat


def test_reset_keeps_the_clock_and_the_ticker_follows(live):
    before = requests.get(f"{live.url}/_sandbox/clock").json()["now"]
    live.advance(100)
    requests.post(f"{live.url}/_sandbox/reset").raise_for_status()
    assert requests.get(f"{live.url}/_sandbox/clock").json()["now"] == before + 100_000
    chat = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    live.advance(3600)  # the visitor stopped polling: the new sandbox's timeouts apply
    ended = live.sb.chats[chat.rsplit("/", 1)[1]]
    assert ended.state == "ended" and ended.end_reason == "visitor-timeout"


def test_reset_ends_every_live_view_watch(live):
    from tests.support.live_view import Watcher

    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    watcher = Watcher(live.url)
    try:
        assert watcher.watch(ACCOUNT, bearer)["ok"] is True
        requests.post(f"{live.url}/_sandbox/reset").raise_for_status()
        assert watcher.wait_for(lambda w: w.ended)
        assert watcher.ended == [{"accountId": ACCOUNT, "reason": "sandbox reset"}]
        # The new sandbox's events reach a new watch, not the old one.
        fresh = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
        assert watcher.watch(ACCOUNT, fresh)["ok"] is True
        request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
        assert watcher.wait_for(lambda w: "chat.requested" in w.kinds())
    finally:
        watcher.close()
