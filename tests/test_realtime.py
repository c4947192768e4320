"""The live view over Socket.IO and the pages' sandbox endpoints, without a browser.

`watch` needs a Login Service bearer of the account; its acknowledgement is a snapshot (agents,
queues per skill, chats with events); after it every bus event of that account, and only of that
account, arrives as `sandbox_event` with a sequence number, the chat's summary and, after changes
of load or queues, the agent list and the queues.
"""
import threading

import pytest
import requests
import socketio

from .lp import (GLOBAL_KEY, accept, agent, bearer_headers, consumer_headers, login, request_chat)

ACCOUNT, OTHER = "12345678", "87654321"
WAIT = 10.0


class Watcher:
    """A Socket.IO client of the live view that records what it is sent."""

    def __init__(self, url: str):
        self.client = socketio.Client(reconnection=False)
        self.events: list[dict] = []
        self.ended: list[dict] = []
        self.changed = threading.Condition()
        self.client.on("sandbox_event", self._on_event)
        self.client.on("watch_ended", self._on_ended)
        self.client.connect(url, transports=["polling"], wait_timeout=WAIT)

    def _on_event(self, message):
        with self.changed:
            self.events.append(message)
            self.changed.notify_all()

    def _on_ended(self, message):
        with self.changed:
            self.ended.append(message)
            self.changed.notify_all()

    def watch(self, account: str, bearer: str | None) -> dict:
        return self.client.call("watch", {"accountId": account, "bearer": bearer}, timeout=WAIT)

    def wait_for(self, condition) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: condition(self), WAIT)

    def kinds(self) -> list[str]:
        with self.changed:
            return [e["kind"] for e in self.events]

    def close(self):
        self.client.disconnect()


@pytest.fixture
def watchers(live):
    opened = []

    def make():
        watcher = Watcher(live.url)
        opened.append(watcher)
        return watcher

    yield make
    for watcher in opened:
        watcher.close()


def _chat_id(location: str) -> str:
    return location.rsplit("/", 1)[1]


def test_watch_needs_a_bearer_of_that_account(live, watchers):
    watcher = watchers()
    assert watcher.watch(ACCOUNT, None)["ok"] is False
    assert watcher.watch(ACCOUNT, "not-a-bearer")["ok"] is False
    assert watcher.watch("99999999", "x") == {"ok": False, "error": "unknown account 99999999"}
    other_bearer = login(live.url, OTHER, "shop-agent", "shop-agent-pass")["bearer"]
    assert watcher.watch(ACCOUNT, other_bearer)["ok"] is False  # a bearer is good on its own account only
    request_chat(live.url, ACCOUNT, skill="support-bot")
    bearer = login(live.url, ACCOUNT, "demo-agent", "demo-agent-pass")["bearer"]
    answer = watcher.watch(ACCOUNT, bearer)
    assert answer["ok"] is True
    assert watcher.events == []  # refused watchers were never in the room
    snapshot = answer["snapshot"]
    assert snapshot["accountId"] == ACCOUNT
    agents = {a["loginName"]: a for a in snapshot["agents"]}
    assert agents["demo-bot"]["userType"] == "bot" and agents["demo-agent"]["userType"] == "human"
    assert agents["demo-bot"]["availability"] == "Offline" and agents["demo-bot"]["maxChats"] == 5
    assert agents["demo-bot"]["pictureUrl"] == "/static/img/bot.svg"
    assert set(snapshot["queues"]) == {"support-bot", "support-human"}
    [waiting] = snapshot["queues"]["support-bot"]
    [chat] = snapshot["chats"]
    assert waiting["chatId"] == chat["id"] and chat["state"] == "waiting" and chat["skill"] == "support-bot"
    assert [e["@type"] for e in chat["events"]][:2] == ["state", "line"]
    assert chat["transfers"] == [] and chat["visitorName"]


def test_events_flow_with_summaries_transfers_and_sanitised_html(live, watchers):
    bot_bearer, bot_session = agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass")
    human_bearer, human_session = agent(live.url, ACCOUNT, "demo-agent", "demo-agent-pass")
    watcher = watchers()
    snapshot = watcher.watch(ACCOUNT, human_bearer)["snapshot"]
    location = request_chat(live.url, ACCOUNT, skill="support-bot",
                            persona={"name": "Rita Realtime", "city": "Porto"})
    chat_id = _chat_id(location)
    chat_url = accept(bot_session, bot_bearer)
    r = requests.post(f"{chat_url}/events", headers=bearer_headers(bot_bearer), json={"event": {
        "@type": "line", "textType": "html",
        "text": "<p dir='ltr' style='color:red'>Hi <b>there</b><img src=x onerror=alert(1)>"
                "<script>alert(2)</script><a href='javascript:alert(3)'>x</a></p>"}})
    assert r.status_code == 201
    r = requests.post(f"{chat_url}/transfer", headers=bearer_headers(bot_bearer),
                      json={"transfer": {"skill": {"id": "2001002"}, "text": "Wants a person"}})
    assert r.status_code == 200, r.text
    assert watcher.wait_for(lambda w: "chat.ringing" in w.kinds()[w.kinds().index("chat.transferred"):]
                            if "chat.transferred" in w.kinds() else False)
    events = list(watcher.events)
    assert all(e["accountId"] == ACCOUNT for e in events)
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and seqs[0] > snapshot["seq"]
    requested = next(e for e in events if e["kind"] == "chat.requested")
    assert requested["data"]["chat"]["visitorName"] == "Rita Realtime"
    assert requested["data"]["chat"]["visitor"]["city"] == "Porto"
    assert requested["data"]["queues"]["support-bot"][0]["chatId"] == chat_id
    accepted = next(e for e in events if e["kind"] == "chat.accepted")
    bot = next(a for a in accepted["data"]["agents"] if a["loginName"] == "demo-bot")
    assert bot["load"] == 1 and bot["availability"] == "Online"
    assert accepted["data"]["chat"]["agentType"] == "bot"
    html_line = next(e["data"]["event"] for e in events if e["kind"] == "chat.event"
                     and e["data"]["event"].get("textType") == "html")
    assert "<b>there</b>" in html_line["html"]
    for bad in ("<img", "onerror", "<script", "javascript:", "style="):
        assert bad not in html_line["html"]
    transferred = next(e for e in events if e["kind"] == "chat.transferred")
    assert transferred["data"]["chat"]["transfers"] == [{
        "from": "Demo Bot", "fromUserId": "3001001", "fromSkill": "support-bot", "to": "support-human",
        "toSkill": "support-human", "toAgent": None, "reason": "Wants a person",
        "time": transferred["time"]}]
    ringing = [e for e in events if e["kind"] == "chat.ringing"][-1]
    assert ringing["data"]["chat"]["ringingAgent"] == "Alex"
    assert ringing["data"]["chat"]["ringingSessionId"] == human_session.rsplit("/", 1)[1]
    note = next(e["data"]["event"] for e in events if e["kind"] == "chat.event"
                and e["data"]["event"].get("subType") == "ONLY_TO_REP")
    assert note["text"] == "Wants a person"
    # visitor typing reaches the live view
    requests.put(f"{location}/info/visitorTyping", json={"visitorTyping": "typing"}, headers=consumer_headers())
    assert watcher.wait_for(lambda w: any(e["kind"] == "chat.typing" and e["data"]["typing"] == "typing"
                                          for e in w.events))


def test_one_account_never_sees_another(live, watchers):
    ours = watchers()
    theirs = watchers()
    assert ours.watch(ACCOUNT, login(live.url, ACCOUNT, "demo-admin", "demo-admin-pass")["bearer"])["ok"]
    snapshot = theirs.watch(OTHER, login(live.url, OTHER, "shop-admin", "shop-admin-pass")["bearer"])["snapshot"]
    assert {a["loginName"] for a in snapshot["agents"]} <= {"shop-bot", "shop-agent", "shop-admin"}
    request_chat(live.url, ACCOUNT, skill="support-bot")
    request_chat(live.url, OTHER, skill="sales-bot")
    assert ours.wait_for(lambda w: "chat.requested" in w.kinds())
    assert theirs.wait_for(lambda w: "chat.requested" in w.kinds())
    assert {e["accountId"] for e in ours.events} == {ACCOUNT}
    assert {e["accountId"] for e in theirs.events} == {OTHER}
    ours_chats = {e["data"]["chatId"] for e in ours.events if "chatId" in e["data"]}
    theirs_chats = {e["data"]["chatId"] for e in theirs.events if "chatId" in e["data"]}
    assert ours_chats and theirs_chats and not ours_chats & theirs_chats


def test_logout_ends_the_watch(live, watchers):
    http = requests.Session()
    body = login(live.url, ACCOUNT, "demo-agent", "demo-agent-pass", session=http)
    watcher = watchers()
    assert watcher.watch(ACCOUNT, body["bearer"])["ok"]
    r = http.post(f"{live.url}/api/account/{ACCOUNT}/logout", json={"csrf": body["csrf"]},
                  headers=bearer_headers(body["bearer"]))
    assert r.status_code == 200
    assert watcher.wait_for(lambda w: w.ended)
    count = len(watcher.events)
    request_chat(live.url, ACCOUNT, skill="support-bot")
    # nothing more arrives; a second watcher with a live bearer proves the event went out
    other = watchers()
    assert other.watch(ACCOUNT, login(live.url, ACCOUNT, "demo-admin", "demo-admin-pass")["bearer"])["ok"]
    request_chat(live.url, ACCOUNT, skill="support-human")
    assert other.wait_for(lambda w: "chat.requested" in w.kinds())
    assert len(watcher.events) == count


def test_sandbox_endpoints_of_the_pages(live):
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/engagements")
    assert r.status_code == 401  # the Server Chat app key is needed
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/engagements", headers=consumer_headers())
    body = r.json()
    first = body["engagements"][0]
    assert first == {**first, "campaignId": "4001001", "campaignName": "Live chat support",
                     "engagementId": "5001001", "skillId": "2001001", "skillName": "support-bot",
                     "available": False, "availableNow": False, "agentTypes": ["bot"]}
    assert {"nickname": "Alex", "userType": "human", "pictureUrl": "/static/img/agent.svg"} in body["agents"]
    agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass")
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/engagements?appKey={GLOBAL_KEY}")
    assert r.json()["engagements"][0]["availableNow"] is True
    assert r.json()["engagements"][1]["available"] is False

    one = requests.get(f"{live.url}/_sandbox/persona?seed=7").json()
    assert one == requests.get(f"{live.url}/_sandbox/persona?seed=7").json()
    assert one["persona"]["name"] and "@" in one["persona"]["email"]
    assert requests.get(f"{live.url}/_sandbox/persona?name=Zoe+Zed").json()["persona"]["name"] == "Zoe Zed"

    assert requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/live").status_code == 401
    bearer = login(live.url, ACCOUNT, "demo-agent", "demo-agent-pass")["bearer"]
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/live", headers=bearer_headers(bearer))
    assert r.status_code == 200 and r.json()["accountId"] == ACCOUNT
    r = requests.get(f"{live.url}/_sandbox/accounts/{OTHER}/live", headers=bearer_headers(bearer))
    assert r.status_code == 401
