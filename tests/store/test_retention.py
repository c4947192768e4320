"""Ended chats leave memory (oldest first, past a count or an age): without a data dir they are
gone; with one, history, transcripts and Engagement History still read them from the dir."""
import requests

from mock_server.model.seed import load_config
from tests.support.constants import ACCOUNT, DEMO_ADMIN, DEMO_BOT
from tests.support.server import serve
from tests.wire.test_engagement_history import SEARCH
from tests.support.wire import (accept, agent, login, bearer_headers, consumer_headers, end, events,
                                request_chat, say)


def config(**settings) -> dict:
    data = load_config()
    data["settings"] = {**(data.get("settings") or {}), **settings}
    return data


def four_chats(live) -> list[tuple[str, str, str]]:
    """Four ended chats of the demo bot: (agent chat URL, visitor URI, bearer)."""
    bearer, session = agent(live.url, ACCOUNT, *DEMO_BOT)
    out = []
    for n in range(4):
        uri = request_chat(live.url, ACCOUNT, skill="support-bot")
        chat = accept(session, bearer)
        say(uri, consumer_headers(), f"question {n}")
        say(chat, bearer_headers(bearer), f"answer {n}")
        end(uri, consumer_headers())
        live.advance(1)
        out.append((chat, uri, bearer))
    return out


def total_chats(live) -> int:
    r = requests.get(f"{live.url}/_sandbox/analytics/scorecards", params={"account": ACCOUNT, "from": 0})
    return r.json()["total"]["chats"]


def test_without_a_data_dir_the_oldest_ended_chats_are_dropped():
    with serve(config(ended_chat_memory_count=2)) as live:
        chats = four_chats(live)
        live.advance(1)  # the tick retires
        assert len(live.sb.chats) == 2 and total_chats(live) == 2
        old, kept = chats[0], chats[-1]
        r = requests.get(f"{old[0]}/events", headers=bearer_headers(old[2]))
        assert r.status_code == 404  # gone, as the docs say
        assert [e["text"] for e in events(kept[0], bearer_headers(kept[2])) if e.get("@type") == "line"][-1] \
            == "answer 3"


def test_an_age_limit_retires_chats_that_ended_long_enough_ago():
    with serve(config(ended_chat_memory_seconds=3)) as live:
        four_chats(live)  # they end at +0.., +1.., +2.., +3..
        live.advance(1)
        assert 0 < len(live.sb.chats) < 4
        live.advance(10)
        assert len(live.sb.chats) == 0


def test_with_a_data_dir_retired_chats_are_read_back(tmp_path):
    with serve(config(ended_chat_memory_count=1), data_dir=str(tmp_path)) as live:
        chats = four_chats(live)
        live.advance(1)
        assert len(live.sb.chats) == 1
        old = chats[0]
        lines = [e["text"] for e in events(old[0], bearer_headers(old[2])) if e.get("@type") == "line"]
        assert lines[-2:] == ["question 0", "answer 0"]
        visitor = [e["text"] for e in events(old[1], consumer_headers()) if e.get("@type") == "line"]
        assert visitor[-2:] == ["question 0", "answer 0"]
        assert total_chats(live) == 4  # the Step 5 records come from the dir too
        assert len(live.sb.chats) == 1  # reading did not bring them back into memory
        # Engagement History searches them too
        bearer = login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"]
        ms = int(live.clock.now() * 1000)
        r = requests.post(f"{live.url}{SEARCH.format(ACCOUNT)}", params={"offset": 0, "limit": 50},
                          json={"start": {"from": ms - 86_400_000, "to": ms + 60_000}},
                          headers=bearer_headers(bearer))
        assert r.status_code == 200, r.text
        assert r.json()["_metadata"]["count"] == 4
