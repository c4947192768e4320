"""XML: `Accept: application/xml` or a `.xml` suffix gives the same data as the JSON mapping."""
from xml.etree.ElementTree import fromstring

import requests

from tests.support.constants import ACCOUNT, BOT_NAME, BOT_SKILL, DEMO_BOT, GLOBAL_KEY
from tests.support.wire import accept, agent, request_chat


def xml_get(url, auth):
    r = requests.get(url, headers={"Authorization": auth, "Accept": "application/xml"})
    assert r.headers["Content-Type"].startswith("application/xml"), r.text
    return r, fromstring(r.content)


def test_agent_side_xml(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    r, root = xml_get(f"{session_url}/incomingRequests?v=1&NC=true", f"Bearer {bearer}")
    assert root.tag == "incomingRequests" and root.findtext("ringingCount") == "1"
    assert root.find("link").get("href") == f"{session_url}/incomingRequests"
    chat_url = accept(session_url, bearer)
    r = requests.get(f"{chat_url}.xml?v=1&NC=true", headers={"Authorization": f"Bearer {bearer}"})
    root = fromstring(r.content)
    assert root.tag == "chat"
    assert {l.get("rel") for l in root.findall("link")} >= {"self", "events", "info", "next"}
    events = root.find("events").findall("event")
    assert [(e.get("id"), e.get("type")) for e in events] == [("0", "state"), ("1", "line"), ("2", "state"), ("3", "line")]
    assert events[1].findtext("systemMessageId") == "4"
    assert root.find("info").findtext("agentName") == BOT_NAME


def test_xml_request_bodies(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT, online=False)
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/xml",
               "X-HTTP-Method-Override": "PUT"}
    r = requests.post(f"{session_url}/availability.xml", data="<availability><chat>Online</chat></availability>",
                      headers=headers)
    assert r.status_code == 200 and fromstring(r.content).findtext("chat") == "Online"
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    chat_url = accept(session_url, bearer)
    r = requests.post(f"{chat_url}/events.xml", data='<event type="line"><text>Hello from XML</text></event>',
                      headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/xml"})
    assert r.status_code == 201
    assert fromstring(r.content).find("link").get("href") == f"{chat_url}/events/4"
    r = requests.get(f"{chat_url}/events/4", headers={"Authorization": f"Bearer {bearer}"})
    assert r.json()["event"]["text"] == "Hello from XML"


def test_consumer_side_xml(live):
    auth = f"LivePerson appKey={GLOBAL_KEY}"
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/chat/request.xml?v=1&NC=true",
                      data=f"<request><skill>{BOT_SKILL}</skill></request>",
                      headers={"Authorization": auth, "Content-Type": "application/xml"})
    assert r.status_code == 200
    uri = r.headers["Location"]
    r, root = xml_get(f"{uri}/events?v=1&NC=true", auth)
    assert root.tag == "events" and root.find("event").get("type") == "state"
    r, root = xml_get(f"{live.url}/api/account/{ACCOUNT}/chat/availability", auth)
    assert root.tag == "availability" and root.text == "false"


def test_xml_errors_and_malformed_xml(live):
    r, root = xml_get(f"{live.url}/api/account/{ACCOUNT}/agentSession/1/availability", "Bearer nope")
    assert r.status_code == 401 and root.tag == "error" and root.findtext("responseStatus") == "UNAUTHORIZED"
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/chat/request", data="<request><skill>",
                      headers={"Authorization": f"LivePerson appKey={GLOBAL_KEY}", "Content-Type": "application/xml"})
    assert r.status_code == 400
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            "<request><skill>&lol2;</skill></request>")
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/chat/request", data=bomb,
                      headers={"Authorization": f"LivePerson appKey={GLOBAL_KEY}", "Content-Type": "application/xml"})
    assert r.status_code == 400


def test_json_stays_the_default(live):
    r = requests.get(f"{live.url}/api/account/{ACCOUNT}/chat/availability",
                     headers={"Authorization": f"LivePerson appKey={GLOBAL_KEY}", "Accept": "*/*"})
    assert r.headers["Content-Type"].startswith("application/json")
