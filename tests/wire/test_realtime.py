"""The live view over Socket.IO and the pages' sandbox endpoints, without a browser.

`watch` needs a Login Service bearer of the account; its acknowledgement is a snapshot (agents,
queues per skill, chats with events); after it every bus event of that account, and only of that
account, arrives as `sandbox_event` with a sequence number, the chat's summary and, after changes
of load or queues, the agent list and the queues.

Hostile clients: bad arguments, unknown events and malformed packets get an error
acknowledgement (or are dropped) with at most one log line, never a traceback; the handshake
refuses a foreign `Origin` and accepts the sandbox's own and the configured ones.
"""
import json
import time

import pytest
import requests
import socketio

from mock_server.model.seed import ConfigError, load_config

from tests.support.constants import (ACCOUNT, AGENT_NAME, BOT_B_SKILL, BOT_ENGAGEMENT_ID, BOT_ID, BOT_NAME, BOT_SKILL,
                                     BOT_SKILL_ID, CAMPAIGN_ID, DEMO_ADMIN, DEMO_AGENT, DEMO_BOT, GLOBAL_KEY,
                                     HUMAN_SKILL, HUMAN_SKILL_ID, OTHER_ACCOUNT, SHOP_ADMIN, SHOP_AGENT,
                                     SHOP_BOT, SHOP_BOT_SKILL, UNKNOWN_ACCOUNT)
from tests.support.live_view import WAIT, Watcher
from tests.support.server import serve, start, stop
from tests.support.wire import (accept, agent, bearer_headers, chat_id_of, consumer_headers, login,
                                request_chat)


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


def test_watch_needs_a_bearer_of_that_account(live, watchers):
    watcher = watchers()
    assert watcher.watch(ACCOUNT, None)["ok"] is False
    assert watcher.watch(ACCOUNT, "not-a-bearer")["ok"] is False
    assert watcher.watch(UNKNOWN_ACCOUNT, "x") == {"ok": False, "error": f"unknown account {UNKNOWN_ACCOUNT}"}
    other_bearer = login(live.url, OTHER_ACCOUNT, *SHOP_AGENT)["bearer"]
    assert watcher.watch(ACCOUNT, other_bearer)["ok"] is False  # a bearer is good on its own account only
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    answer = watcher.watch(ACCOUNT, bearer)
    assert answer["ok"] is True
    assert watcher.events == []  # refused watchers were never in the room
    snapshot = answer["snapshot"]
    assert snapshot["accountId"] == ACCOUNT
    agents = {a["loginName"]: a for a in snapshot["agents"]}
    assert agents[DEMO_BOT.login]["userType"] == "bot" and agents[DEMO_AGENT.login]["userType"] == "human"
    assert agents[DEMO_BOT.login]["availability"] == "Offline" and agents[DEMO_BOT.login]["maxChats"] == 5
    assert agents[DEMO_BOT.login]["pictureUrl"] == "/static/img/bot.svg"
    assert set(snapshot["queues"]) == {BOT_SKILL, HUMAN_SKILL, BOT_B_SKILL}
    [waiting] = snapshot["queues"][BOT_SKILL]
    [chat] = snapshot["chats"]
    assert waiting["chatId"] == chat["id"] and chat["state"] == "waiting" and chat["skill"] == BOT_SKILL
    assert [e["@type"] for e in chat["events"]][:2] == ["state", "line"]
    assert chat["transfers"] == [] and chat["visitorName"]


def test_events_flow_with_summaries_transfers_and_sanitised_html(live, watchers):
    bot_bearer, bot_session = agent(live.url, ACCOUNT, *DEMO_BOT)
    human_bearer, human_session = agent(live.url, ACCOUNT, *DEMO_AGENT)
    watcher = watchers()
    snapshot = watcher.watch(ACCOUNT, human_bearer)["snapshot"]
    location = request_chat(live.url, ACCOUNT, skill=BOT_SKILL,
                            persona={"name": "Rita Realtime", "city": "Porto"})
    chat_id = chat_id_of(location)
    chat_url = accept(bot_session, bot_bearer)
    r = requests.post(f"{chat_url}/events", headers=bearer_headers(bot_bearer), json={"event": {
        "@type": "line", "textType": "html",
        "text": "<p dir='ltr' style='color:red'>Hi <b>there</b><img src=x onerror=alert(1)>"
                "<script>alert(2)</script><a href='javascript:alert(3)'>x</a></p>"}})
    assert r.status_code == 201
    r = requests.post(f"{chat_url}/transfer", headers=bearer_headers(bot_bearer),
                      json={"transfer": {"skill": {"id": HUMAN_SKILL_ID}, "text": "Wants a person"}})
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
    assert requested["data"]["queues"][BOT_SKILL][0]["chatId"] == chat_id
    accepted = next(e for e in events if e["kind"] == "chat.accepted")
    bot = next(a for a in accepted["data"]["agents"] if a["loginName"] == DEMO_BOT.login)
    assert bot["load"] == 1 and bot["availability"] == "Online"
    assert accepted["data"]["chat"]["agentType"] == "bot"
    html_line = next(e["data"]["event"] for e in events if e["kind"] == "chat.event"
                     and e["data"]["event"].get("textType") == "html")
    assert "<b>there</b>" in html_line["html"]
    for bad in ("<img", "onerror", "<script", "javascript:", "style="):
        assert bad not in html_line["html"]
    transferred = next(e for e in events if e["kind"] == "chat.transferred")
    assert transferred["data"]["chat"]["transfers"] == [{
        "from": BOT_NAME, "fromUserId": BOT_ID, "fromSkill": BOT_SKILL, "to": HUMAN_SKILL,
        "toSkill": HUMAN_SKILL, "toAgent": None, "reason": "Wants a person",
        "time": transferred["time"]}]
    ringing = [e for e in events if e["kind"] == "chat.ringing"][-1]
    assert ringing["data"]["chat"]["ringingAgent"] == AGENT_NAME
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
    assert ours.watch(ACCOUNT, login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"])["ok"]
    snapshot = theirs.watch(OTHER_ACCOUNT, login(live.url, OTHER_ACCOUNT, *SHOP_ADMIN)["bearer"])["snapshot"]
    assert {a["loginName"] for a in snapshot["agents"]} <= {SHOP_BOT.login, SHOP_AGENT.login, SHOP_ADMIN.login}
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    request_chat(live.url, OTHER_ACCOUNT, skill=SHOP_BOT_SKILL)
    assert ours.wait_for(lambda w: "chat.requested" in w.kinds())
    assert theirs.wait_for(lambda w: "chat.requested" in w.kinds())
    assert {e["accountId"] for e in ours.events} == {ACCOUNT}
    assert {e["accountId"] for e in theirs.events} == {OTHER_ACCOUNT}
    ours_chats = {e["data"]["chatId"] for e in ours.events if "chatId" in e["data"]}
    theirs_chats = {e["data"]["chatId"] for e in theirs.events if "chatId" in e["data"]}
    assert ours_chats and theirs_chats and not ours_chats & theirs_chats


def test_logout_ends_the_watch(live, watchers):
    http = requests.Session()
    body = login(live.url, ACCOUNT, *DEMO_AGENT, session=http)
    watcher = watchers()
    assert watcher.watch(ACCOUNT, body["bearer"])["ok"]
    r = http.post(f"{live.url}/api/account/{ACCOUNT}/logout", json={"csrf": body["csrf"]},
                  headers=bearer_headers(body["bearer"]))
    assert r.status_code == 200
    assert watcher.wait_for(lambda w: w.ended)
    count = len(watcher.events)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    # nothing more arrives; a second watcher with a live bearer proves the event went out
    other = watchers()
    assert other.watch(ACCOUNT, login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"])["ok"]
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    assert other.wait_for(lambda w: "chat.requested" in w.kinds())
    assert len(watcher.events) == count


def test_sandbox_endpoints_of_the_pages(live):
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/engagements")
    assert r.status_code == 401  # the Server Chat app key is needed
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/engagements", headers=consumer_headers())
    body = r.json()
    first = body["engagements"][0]
    assert first == {**first, "campaignId": CAMPAIGN_ID, "campaignName": "Live chat support",
                     "engagementId": BOT_ENGAGEMENT_ID, "skillId": BOT_SKILL_ID, "skillName": BOT_SKILL,
                     "available": False, "availableNow": False, "agentTypes": ["bot"]}
    assert {"nickname": AGENT_NAME, "userType": "human", "pictureUrl": "/static/img/agent.svg"} in body["agents"]
    agent(live.url, ACCOUNT, *DEMO_BOT)
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/engagements?appKey={GLOBAL_KEY}")
    assert r.json()["engagements"][0]["availableNow"] is True
    assert r.json()["engagements"][1]["available"] is False

    one = requests.get(f"{live.url}/_sandbox/persona?seed=7").json()
    assert one == requests.get(f"{live.url}/_sandbox/persona?seed=7").json()
    assert one["persona"]["name"] and "@" in one["persona"]["email"]
    assert requests.get(f"{live.url}/_sandbox/persona?name=Zoe+Zed").json()["persona"]["name"] == "Zoe Zed"

    assert requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/live").status_code == 401
    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/live", headers=bearer_headers(bearer))
    assert r.status_code == 200 and r.json()["accountId"] == ACCOUNT
    r = requests.get(f"{live.url}/_sandbox/accounts/{OTHER_ACCOUNT}/live", headers=bearer_headers(bearer))
    assert r.status_code == 401


# --- hostile clients ----------------------------------------------------------------------

def _no_traceback(caplog, capfd) -> None:
    """Nothing logged a traceback (or a multi-line message), and nothing printed one."""
    for record in caplog.records:
        assert record.exc_info is None and record.stack_info is None, record.getMessage()
        assert "\n" not in record.getMessage() and "Traceback" not in record.getMessage()
    assert "Traceback" not in capfd.readouterr().err


def _refused(answer) -> str:
    """An error acknowledgement: exactly {"ok": false, "error": <text>}; returns the text."""
    assert isinstance(answer, dict) and set(answer) == {"ok", "error"}, answer
    assert answer["ok"] is False and isinstance(answer["error"], str) and answer["error"]
    return answer["error"]


def test_bad_watch_arguments_get_an_error_ack(live, watchers, caplog, capfd):
    watcher = watchers()
    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    other_bearer = login(live.url, OTHER_ACCOUNT, *SHOP_AGENT)["bearer"]
    call = watcher.client.call
    bad = {
        "no argument": call("watch", timeout=WAIT),
        "null": call("watch", None, timeout=WAIT),
        "two arguments": call("watch", (ACCOUNT, bearer), timeout=WAIT),
        "a list": call("watch", [ACCOUNT, bearer], timeout=WAIT),
        "a string": call("watch", ACCOUNT, timeout=WAIT),
        "a number": call("watch", int(ACCOUNT), timeout=WAIT),
        "empty object": call("watch", {}, timeout=WAIT),
        "no bearer": call("watch", {"accountId": ACCOUNT}, timeout=WAIT),
        "empty bearer": call("watch", {"accountId": ACCOUNT, "bearer": ""}, timeout=WAIT),
        "numeric account": call("watch", {"accountId": int(ACCOUNT), "bearer": bearer}, timeout=WAIT),
        "list account": call("watch", {"accountId": [ACCOUNT], "bearer": bearer}, timeout=WAIT),
        "object bearer": call("watch", {"accountId": ACCOUNT, "bearer": {"b": bearer}}, timeout=WAIT),
        "boolean bearer": call("watch", {"accountId": ACCOUNT, "bearer": True}, timeout=WAIT),
        "huge account": call("watch", {"accountId": "1" * 200_000, "bearer": bearer}, timeout=WAIT),
        "huge bearer": call("watch", {"accountId": ACCOUNT, "bearer": "a" * 200_000}, timeout=WAIT),
        "lone surrogate": call("watch", {"accountId": "\ud800", "bearer": bearer}, timeout=WAIT),
        "control character": call("watch", {"accountId": ACCOUNT, "bearer": bearer + "\n"},
                                  timeout=WAIT),
        "unknown account": call("watch", {"accountId": UNKNOWN_ACCOUNT, "bearer": bearer}, timeout=WAIT),
        "unknown bearer": call("watch", {"accountId": ACCOUNT, "bearer": "f" * 64}, timeout=WAIT),
        "another account's bearer": call("watch", {"accountId": ACCOUNT, "bearer": other_bearer},
                                         timeout=WAIT),
        "bearer on the wrong account": call("watch", {"accountId": OTHER_ACCOUNT, "bearer": bearer},
                                            timeout=WAIT),
    }
    errors = {name: _refused(answer) for name, answer in bad.items()}
    assert "one object" in errors["a list"] and "one object" in errors["no argument"]
    assert errors["numeric account"] == "'accountId' must be a string"
    assert errors["no bearer"] == "'bearer' is required"
    assert errors["huge account"] == "'accountId' is longer than 64 characters"
    assert errors["huge bearer"] == "'bearer' is longer than 1024 characters"
    assert errors["lone surrogate"] == "'accountId' holds characters that are not valid text"
    assert errors["unknown account"] == f"unknown account {UNKNOWN_ACCOUNT}"
    assert all(len(e) < 200 for e in errors.values())  # nothing a client sent is echoed at length
    # the same connection still works, and the refused calls never joined a room
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    assert call("watch", {"accountId": ACCOUNT, "bearer": bearer}, timeout=WAIT)["ok"] is True
    assert watcher.events == []
    assert _refused(call("unwatch", "everything", timeout=WAIT)) == "unwatch takes no arguments"
    assert call("unwatch", timeout=WAIT) == {"ok": True}
    assert "unknown event" in _refused(call("subscribe", {"accountId": ACCOUNT}, timeout=WAIT))
    _no_traceback(caplog, capfd)


class RawPolling:
    """Engine.IO 4 long-polling by hand: sends packets no real client would."""

    def __init__(self, url: str, headers: dict | None = None):
        self.http = requests.Session()
        self.http.headers.update(headers or {})
        r = self.http.get(f"{url}/socket.io/?EIO=4&transport=polling", timeout=WAIT)
        assert r.status_code == 200, r.text
        self.url = f"{url}/socket.io/?EIO=4&transport=polling&sid={json.loads(r.text[1:])['sid']}"
        self.inbox: list[str] = []
        self.send("40")
        assert self.next_packet(lambda p: p.startswith("40")), "no Socket.IO connect"

    def send(self, *packets) -> None:
        """POST packets (str, or bytes sent as they are) in one payload."""
        body = b"\x1e".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in packets)
        r = self.http.post(self.url, data=body, timeout=WAIT)
        assert r.status_code == 200, r.text

    def next_packet(self, match) -> str | None:
        """The first packet that `match`es, long-polling until the deadline."""
        deadline = time.monotonic() + WAIT
        while True:
            for packet in self.inbox:
                if match(packet):
                    self.inbox.remove(packet)
                    return packet
            if time.monotonic() > deadline:
                return None
            r = self.http.get(self.url, timeout=WAIT + 30)  # the server holds a poll up to 25 s
            assert r.status_code == 200, r.text
            self.inbox += r.text.split("\x1e")

    def ack(self, ack_id: int):
        """The acknowledgement `43<id>[...]` of a packet sent with that id."""
        prefix = f"43{ack_id}["
        packet = self.next_packet(lambda p: p.startswith(prefix))
        assert packet is not None, f"no acknowledgement {ack_id}"
        return json.loads(packet[len(prefix) - 1:])


def test_malformed_packets_and_unknown_events_never_leave_a_traceback(live, caplog, capfd):
    raw = RawPolling(live.url)
    answered = {  # packets that carry an ack id get an error acknowledgement
        1: '421[]',
        2: '422[{"event": "watch"}]',
        3: '423[1, 2]',
        4: '424["' + "w" * 1000 + '"]',
        5: '425["nope", {}]',
        6: '426["watch"]',
        7: '427["watch", 1, 2]',
        8: '428["watch", {"accountId": "\\ud800", "bearer": "x"}]',
        9: '429["watch", {"accountId": "' + ACCOUNT + '", "bearer": ' + json.dumps("x" * 50_000) + '}]',
        10: '4210["unwatch", "x"]',
        11: '4211"watch"',
    }
    for ack_id, packet in answered.items():
        raw.send(packet)
        [answer] = raw.ack(ack_id)
        _refused(answer)
    dropped = [  # unreadable packets are dropped: nothing to answer
        '42["watch",', '4x', '42²[]', '421²[]', '42' + '[' * 100_000,
        '451-["watch",{"_placeholder":true,"num":0}]', b"\x04binary", "zz", b"\xff\xfe",
        "4" + "9" * 200,
    ]
    for packet in dropped:
        raw.send(packet)
    # Engine.IO requests the library refuses: logged in one line, even with a newline in them
    for query in ("EIO=4&transport=polling&sid=nope%0A%0DINFO%20forged%20line",
                  "EIO=4&transport=%0Aforged", "EIO=%0A3&transport=polling"):
        r = requests.get(f"{live.url}/socket.io/?{query}", timeout=WAIT)
        assert r.status_code == 400, query
    # the connection survives it all and still answers
    raw.send('4299["unwatch"]')
    assert raw.ack(99) == [{"ok": True}]
    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    raw.send('42100["watch", ' + json.dumps({"accountId": ACCOUNT, "bearer": bearer}) + ']')
    [answer] = raw.ack(100)
    assert answer["ok"] is True and answer["snapshot"]["accountId"] == ACCOUNT
    _no_traceback(caplog, capfd)
    assert any("packet" in r.getMessage() for r in caplog.records)  # told, in one line


def test_a_post_over_max_payload_is_refused_at_once(live, caplog, capfd):
    """python-engineio alone would hang such a POST for good (closing the session, it waits
    for a poll that never comes); it gets 413, and the session is closed."""
    raw = RawPolling(live.url)
    r = raw.http.post(raw.url, data=b"4" + b"x" * 1_500_000, timeout=WAIT)
    assert r.status_code == 413 and r.headers["X-Content-Type-Options"] == "nosniff"
    assert raw.http.get(raw.url, timeout=WAIT).status_code == 400  # that session is gone
    other = RawPolling(live.url)  # the server is fine
    other.send('421["unwatch"]')
    assert other.ack(1) == [{"ok": True}]
    _no_traceback(caplog, capfd)


def test_a_burst_of_events_reaches_python_clients(live, watchers):
    """python-engineio's client drops a polling payload of more than 16 packets; the server
    answers each poll with at most 16, the rest with the next polls, in order."""
    bearer, session = agent(live.url, ACCOUNT, *DEMO_BOT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    accept(session, bearer)
    raw = RawPolling(live.url)
    raw.send('421["watch", ' + json.dumps({"accountId": ACCOUNT, "bearer": bearer}) + ']')
    assert raw.ack(1)[0]["ok"] is True
    watcher = watchers()
    assert watcher.watch(ACCOUNT, bearer)["ok"]
    for i in range(40):  # all queued for the raw client, which is not polling meanwhile
        r = requests.post(f"{uri}/events", json={"event": {"@type": "line", "text": f"line {i}"}},
                          headers=consumer_headers())
        assert r.status_code == 201
    texts, sizes = [], []
    deadline = time.monotonic() + WAIT
    while len(texts) < 40 and time.monotonic() < deadline:
        r = raw.http.get(raw.url, timeout=WAIT + 30)
        packets = r.text.split("\x1e")
        sizes.append(len(packets))
        for packet in packets:
            if packet.startswith('42["sandbox_event"'):
                event = json.loads(packet[2:])[1]
                if event["kind"] == "chat.event" and event["data"]["event"]["@type"] == "line":
                    texts.append(event["data"]["event"]["text"])
    assert texts == [f"line {i}" for i in range(40)]
    assert max(sizes) == 16
    # a real python-socketio client that polled along got them all and is still connected
    assert watcher.wait_for(lambda w: sum(1 for e in w.events if e["kind"] == "chat.event") >= 40)
    assert watcher.client.connected


def _handshake(url: str, origin: str | None, host: str | None = None, **kwargs):
    headers = {"Origin": origin} if origin else {}
    if host:
        headers["Host"] = host
    return requests.get(f"{url}/socket.io/?EIO=4&transport=polling", headers=headers,
                        timeout=WAIT, **kwargs)


def test_the_handshake_refuses_a_foreign_origin(live, caplog, capfd):
    own = f"http://127.0.0.1:{live.port}"
    r = _handshake(live.url, "http://evil.example")
    assert r.status_code == 400 and "Access-Control-Allow-Origin" not in r.headers
    assert r.text == '"Not an accepted origin."'
    for foreign in ("null", f"https://127.0.0.1:{live.port}", f"http://127.0.0.1:{live.port + 1}",
                    f"http://localhost:{live.port}", "http://127.0.0.1", f"{own}.evil.example",
                    f"ws://127.0.0.1:{live.port}", "*", "http://evil.example\u00e9"):
        assert _handshake(live.url, foreign).status_code == 400, foreign
    # the CORS preflight, a later poll with a good sid, and the WebSocket upgrade are checked too
    r = requests.options(f"{live.url}/socket.io/?EIO=4&transport=polling", timeout=WAIT,
                         headers={"Origin": "http://evil.example",
                                  "Access-Control-Request-Method": "POST"})
    assert r.status_code == 400 and "Access-Control-Allow-Origin" not in r.headers
    raw = RawPolling(live.url)
    assert requests.post(raw.url, data=b'421["unwatch"]', headers={"Origin": "http://evil.example"},
                         timeout=WAIT).status_code == 400
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    r = requests.get(f"{live.url}/socket.io/?EIO=4&transport=websocket", timeout=WAIT,
                     headers={**upgrade, "Origin": "http://evil.example"})
    assert r.status_code == 400
    # a real client sending a foreign Origin cannot connect
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live.url, headers={"Origin": "http://evil.example"}, transports=["polling"],
                       wait_timeout=WAIT)
    # the sandbox's own origin is accepted, by the name the Host header gives
    r = _handshake(live.url, own)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == own
    assert _handshake(live.url, f"http://localhost:{live.port}",
                      host=f"localhost:{live.port}").status_code == 200
    assert _handshake(live.url, f"HTTP://LocalHost:{live.port}/",
                      host=f"LOCALHOST:{live.port}").status_code == 200
    with requests.get(f"{live.url}/socket.io/?EIO=4&transport=websocket", timeout=WAIT,
                      headers={**upgrade, "Origin": own}, stream=True) as r:
        assert r.status_code == 101
    # a client that sends no Origin (not a browser) connects; the bearer guards `watch`
    assert _handshake(live.url, None).status_code == 200
    watcher = Watcher(live.url, headers={"Origin": own})
    try:
        bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
        assert watcher.watch(ACCOUNT, bearer)["ok"] is True
    finally:
        watcher.close()
    _no_traceback(caplog, capfd)
    refusals = [r for r in caplog.records if "not an accepted origin" in r.getMessage()]
    assert refusals and all(r.name == "mock_server.socketio" for r in refusals)


@pytest.fixture
def configured():
    """A sandbox whose config allows https://bots.example.com and create_app one more origin."""
    config = load_config()
    config["settings"] = {**config.get("settings", {}),
                          "allowed_origins": ["https://Bots.Example.com:443/"]}
    with serve(config, allowed_origins=["http://localhost:3000"]) as server:
        yield server


def test_a_configured_origin_is_accepted(configured, caplog, capfd):
    live = configured
    for origin in ("https://bots.example.com", "https://bots.example.com:443",
                   "http://localhost:3000", f"http://127.0.0.1:{live.port}"):
        r = _handshake(live.url, origin)
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == origin, origin
    for origin in ("http://bots.example.com", "https://bots.example.com:8443",
                   "https://evil.bots.example.com", "http://localhost:3001", "http://evil.example"):
        assert _handshake(live.url, origin).status_code == 400, origin
    watcher = Watcher(live.url, headers={"Origin": "https://bots.example.com"})
    try:
        bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
        assert watcher.watch(ACCOUNT, bearer)["ok"] is True
    finally:
        watcher.close()
    _no_traceback(caplog, capfd)


def test_allowed_origins_are_checked_when_the_config_loads(tmp_path):
    bad = tmp_path / "bad.yaml"
    for value in ('["ftp://files.example"]', '["https://a.example/path"]', '"not an origin"',
                  '[42]', '{"a": 1}', '["https://user@a.example"]'):
        bad.write_text(bad_config(value))
        with pytest.raises(ConfigError, match="origin"):
            load_config(bad)
    good = tmp_path / "good.yaml"
    good.write_text(bad_config('["*", "HTTPS://A.example:443"]'))
    assert load_config(good)["settings"]["allowed_origins"] == ["*", "HTTPS://A.example:443"]
    from mock_server.__main__ import parse_args
    args = parse_args(["--allowed-origin", "https://a.example", "--allowed-origin", "http://b:80"])
    assert args.allowed_origin == ["https://a.example", "http://b"]
    assert parse_args([]).allowed_origin == []
    with pytest.raises(SystemExit):
        parse_args(["--allowed-origin", "javascript:alert(1)"])


def bad_config(origins: str) -> str:
    return ("settings:\n  allowed_origins: " + origins + "\n"
            "accounts:\n  - id: '1'\n    name: One\n")


def test_the_real_server_over_tls_checks_origin_by_host(tmp_path):
    """`python -m mock_server --tls --allowed-origin ...`: https pages of the sandbox itself
    connect (localhost or 127.0.0.1, as the Host says), configured ones too, others do not."""
    proc, url, _ = start(["--tls", "--tls-dir", str(tmp_path), "--allowed-origin", "https://bots.example.com"],
                         tmp_path)
    try:
        port = int(url.rsplit(":", 1)[1])
        ca = str(tmp_path / "ca.pem")
        for host in ("localhost", "127.0.0.1"):
            base = f"https://{host}:{port}"
            r = _handshake(base, base, verify=ca)
            assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == base
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert _handshake(base, "https://bots.example.com", verify=ca).status_code == 200
            other = "127.0.0.1" if host == "localhost" else "localhost"
            for origin in (f"http://{host}:{port}", f"https://{other}:{port}", "https://evil.example"):
                assert _handshake(base, origin, verify=ca).status_code == 400, origin
        http = requests.Session()
        http.verify = ca
        http.trust_env = False  # else REQUESTS_CA_BUNDLE in the environment wins over verify
        watcher = Watcher(f"https://localhost:{port}", headers={"Origin": f"https://localhost:{port}"},
                          http=http)
        try:
            bearer = requests.post(f"https://localhost:{port}/api/account/{ACCOUNT}/login?v=1.3",
                                   json=DEMO_AGENT.credentials,
                                   verify=ca, timeout=WAIT).json()["bearer"]
            assert watcher.watch(ACCOUNT, bearer)["ok"] is True
        finally:
            watcher.close()
    finally:
        out = stop(proc, timeout=WAIT)
    assert "Traceback" not in out

