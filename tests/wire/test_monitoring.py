"""Monitoring API (service smt) and App Engagement API (service msdkgw), over the wire.

The engagements offered are the account's real ones, available only while someone is Online on
their skill; a consumer already in a chat gets the chat back; errors are the monitoring services'
own `{"time", "message", "internalCode"}`."""
import requests

from tests.support.constants import (ACCOUNT, APP_ID, BOT_ENGAGEMENT_ID, CAMPAIGN_ID, DEMO_AGENT, DEMO_BOT,
                                     HUMAN_ENGAGEMENT_ID, HUMAN_SKILL, HUMAN_SKILL_ID, OTHER_ACCOUNT,
                                     SHOP_APP_ID, UNKNOWN_ACCOUNT)
from tests.support.wire import JSON, accept, agent, consumer_headers, request_chat

BODY = {"clientProperties": {"osName": "MAC_OSX", "osVersion": "1.2", "appVersion": "1.0",
                             "deviceFamily": "MOBILE", "ipAddress": "192.168.5.2"},
        "consumerId": "uniqueIdInBrand",
        "identities": [{"iss": "LivePerson", "acr": "0", "sub": "identifierForNoAuth"}],
        "entryPoints": ["tel://972737004000", "http://www.liveperson.com", "sec://Sport"],
        "engagementAttributes": [{"type": "personal", "personal": {"firstname": "test"}}]}


def engagement(live, body=None, app_id=APP_ID, account=ACCOUNT, **query):
    return requests.post(f"{live.url}/api/account/{account}/app/{app_id}/engagement",
                         params={"v": "1.0", **query}, json=BODY if body is None else body,
                         headers=JSON)


def report(live, body, app_id=APP_ID, override=True, **query):
    headers = {**JSON, "X-HTTP-Method-Override": "PUT"} if override else JSON
    return requests.post(f"{live.url}/api/account/{ACCOUNT}/app/{app_id}/report",
                         params={"v": "1.0", **query}, json=body, headers=headers)


def impression(kind, offered):
    return {"type": kind, "campaign": offered["campaignId"], "engId": offered["engagementId"],
            "revision": offered["engagementRevision"],
            "eContext": [{"type": "engagementContext", "id": offered["contextId"]}]}


def assert_error(r, status, code):
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"time", "message", "internalCode"} and body["internalCode"] == code
    assert isinstance(body["time"], int) and body["message"]


def test_nobody_online_new_session_without_engagement(live):
    r = engagement(live)
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"sessionId", "visitorId", "pageId"}  # no engagementDetails at all
    assert len(body["sessionId"]) == 22 and len(body["visitorId"]) == 22 and body["pageId"].isdigit()


def test_the_available_engagement_follows_who_is_online(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    r = engagement(live)
    assert r.status_code == 201
    first = r.json()
    [offered] = first["engagementDetails"]  # support-bot only: nobody is on support-human
    assert offered == {"campaignId": int(CAMPAIGN_ID), "engagementId": int(BOT_ENGAGEMENT_ID),
                       "engagementRevision": offered["engagementRevision"], "contextId": "1",
                       "windowId": offered["windowId"], "language": "en-US", "status": "expose"}
    assert isinstance(offered["engagementRevision"], int)
    agent(live.url, ACCOUNT, *DEMO_AGENT)
    # the same vid/sid pair is a valid session: 200, the same ids, both engagements now
    r = engagement(live, vid=first["visitorId"], sid=first["sessionId"])
    assert r.status_code == 200
    again = r.json()
    assert (again["visitorId"], again["sessionId"]) == (first["visitorId"], first["sessionId"])
    assert [d["engagementId"] for d in again["engagementDetails"]] == [int(BOT_ENGAGEMENT_ID), int(HUMAN_ENGAGEMENT_ID)]
    assert again["engagementDetails"][0]["contextId"] == "1"  # an engagement keeps its context
    assert again["pageId"] != first["pageId"]
    requests.post(f"{session_url}/availability", json={"availability": {"chat": "Away"}},
                  headers={**JSON, "Authorization": f"Bearer {bearer}",
                           "X-HTTP-Method-Override": "PUT"}).raise_for_status()
    r = engagement(live, vid=first["visitorId"], sid=first["sessionId"])
    assert [d["engagementId"] for d in r.json()["engagementDetails"]] == [int(HUMAN_ENGAGEMENT_ID)]


def test_unpublished_campaign_offers_nothing(live):
    agent(live.url, ACCOUNT, *DEMO_BOT)
    live.sb.accounts[ACCOUNT].campaigns[CAMPAIGN_ID].status = 0
    assert "engagementDetails" not in engagement(live).json()


def test_unknown_pair_makes_a_new_session_keeping_a_known_visitor(live):
    first = engagement(live).json()
    r = engagement(live, vid=first["visitorId"], sid="not-a-session")
    assert r.status_code == 201
    assert r.json()["visitorId"] == first["visitorId"] and r.json()["sessionId"] != first["sessionId"]
    r = engagement(live, vid="made-up", sid=first["sessionId"])
    assert r.status_code == 201 and r.json()["visitorId"] != "made-up"


def test_a_consumer_in_a_chat_gets_the_conversation(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    first = engagement(live).json()
    offered = first["engagementDetails"][0]
    uri = request_chat(live.url, ACCOUNT, engagementId=str(offered["engagementId"]),
                       LETagVisitorId=first["visitorId"], LETagSessionId=first["sessionId"],
                       LETagContextId=offered["contextId"])
    chat_id = uri.rsplit("/", 1)[1]
    accept(session_url, bearer)
    r = engagement(live, vid=first["visitorId"], sid=first["sessionId"])
    assert r.status_code == 200
    [resumed] = r.json()["engagementDetails"]
    assert resumed["status"] == "conversation" and resumed["conversationId"] == chat_id
    assert resumed["engagementId"] == int(BOT_ENGAGEMENT_ID)
    requests.post(f"{uri}/events", json={"event": {"@type": "state", "state": "ended"}},
                  headers=consumer_headers()).raise_for_status()
    r = engagement(live, vid=first["visitorId"], sid=first["sessionId"])
    assert r.json()["engagementDetails"][0]["status"] == "expose"


def test_report_impressions_of_the_offered_engagement(live):
    agent(live.url, ACCOUNT, *DEMO_BOT)
    first = engagement(live).json()
    offered = first["engagementDetails"][0]
    ids = {"vid": first["visitorId"], "sid": first["sessionId"]}
    r = report(live, {"pageId": first["pageId"], "engagementAttributes": [
        impression("impDisplay", offered), impression("impAccept", offered),
        {"type": "purchase", "total": 11.7, "orderId": "DRV1534XC"}]}, **ids)
    assert r.status_code == 200, r.text
    assert r.json() == {"sessionId": first["sessionId"], "visitorId": first["visitorId"],
                        "pageId": first["pageId"]}
    session = live.sb.monitoring.find(live.sb.accounts[ACCOUNT], *ids.values())
    assert [i["type"] for i in session.impressions] == ["impDisplay", "impAccept"]
    assert {"type": "purchase", "total": 11.7, "orderId": "DRV1534XC"} in session.attributes
    # a real PUT works as well; no pageId: a new one
    r = requests.put(f"{live.url}/api/account/{ACCOUNT}/app/{APP_ID}/report",
                     params={"v": "1.0", **ids}, headers=JSON,
                     json={"engagementAttributes": [{"type": "lead", "lead": {"topic": "x"}}]})
    assert r.status_code == 200 and r.json()["pageId"] != first["pageId"]


def test_report_errors(live):
    agent(live.url, ACCOUNT, *DEMO_BOT)
    first = engagement(live).json()
    offered = first["engagementDetails"][0]
    ids = {"vid": first["visitorId"], "sid": first["sessionId"]}
    # an impression for an engagement this session was not offered
    assert_error(report(live, {"engagementAttributes": [impression("impDisplay", {
        **offered, "engagementId": int(HUMAN_ENGAGEMENT_ID)})]}, **ids), 400, 5)
    # impressions need the session the engagement was offered in
    assert_error(report(live, {"engagementAttributes": [impression("impDisplay", offered)]},
                        vid=first["visitorId"]), 400, 5)
    # no identification at all: the docs' own example, message "consumerId"
    r = report(live, {"engagementAttributes": [{"type": "lead", "lead": {}}]})
    assert_error(r, 400, 5)
    assert r.json()["message"] == "consumerId"
    # with a consumerId and no session: a new session, 201
    r = report(live, {"consumerId": "c1", "engagementAttributes": [{"type": "lead", "lead": {}}]})
    assert r.status_code == 201
    assert_error(report(live, {"consumerId": "c1"}, **ids), 400, 5)  # engagementAttributes required
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/app/{APP_ID}/report",
                      params={"v": "1.0", **ids}, json={"engagementAttributes": []}, headers=JSON)
    assert r.status_code == 405  # the report call is a PUT (or POST + override)


def test_bad_input_answers_the_documented_errors(live):
    assert_error(engagement(live, app_id="no-such-app"), 404, 18)
    assert_error(engagement(live, app_id=APP_ID, account=OTHER_ACCOUNT), 404, 18)  # not installed there
    assert_error(engagement(live, account=UNKNOWN_ACCOUNT), 404, 20)
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/app/{APP_ID}/engagement", json={},
                      headers=JSON)
    assert_error(r, 400, 33)  # v is required
    assert_error(engagement(live, v="2.0"), 400, 33)
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/app/{APP_ID}/engagement?v=1.0",
                      data=b"{", headers=JSON)
    assert_error(r, 400, 5)
    for bad in ({"identities": [{"iss": "x"}]}, {"identities": "sub"},
                {"clientProperties": {"deviceFamily": "WATCH"}},
                {"clientProperties": {"ipAddress": "999.1.1.1"}},
                {"clientProperties": {"ipAddress": "::1"}},  # IPv4 only on this API
                {"entryPoints": [1]}, {"engagementAttributes": [{"no": "type"}]},
                {"engagementAttributes": [{"type": "impDisplay", "engId": 1}]}, [1, 2]):
        assert_error(engagement(live, body=bad), 400, 5)
    assert engagement(live, body={}).status_code == 201  # every field is optional
    assert not live.sb.monitoring.sessions or all(  # refused calls made no session
        s.account_id == ACCOUNT for s in live.sb.monitoring.sessions.values())


def test_other_account_is_separate(live):
    first = engagement(live).json()
    r = requests.post(f"{live.url}/api/account/{OTHER_ACCOUNT}/app/{SHOP_APP_ID}/engagement",
                      params={"v": "1.0", "vid": first["visitorId"], "sid": first["sessionId"]},
                      json={}, headers=JSON)
    assert r.status_code == 201 and r.json()["sessionId"] != first["sessionId"]


# --- App Engagement API ---------------------------------------------------------------------------

APP_BODY = {"appType": "MSDK", "appDetails": {"os": "MAC_OSX", "osVersion": "1.2",
                                              "appVersion": "1.0", "deviceFamily": "MOBILE",
                                              "ipAddress": "192.168.5.2"},
            "consumerSections": ["Support", "English"],
            "engagementAttributes": [{"type": "personal", "personal": {"firstname": "Sarah"}}]}


def visitors(live, visitor_id=None, **query):
    url = f"{live.url}/api/account/{ACCOUNT}/app/engagement/visitors"
    return url if visitor_id is None else f"{url}/{visitor_id}", {"v": "1.0", **query}


def test_app_engagement_available_and_not(live):
    url, query = visitors(live)
    r = requests.post(url, params=query, json=APP_BODY, headers=JSON)
    assert r.status_code == 200
    assert r.json()["status"] == "NotAvailable" and "engagementDetails" not in r.json()
    agent(live.url, ACCOUNT, *DEMO_AGENT)
    first = r.json()
    url, query = visitors(live, first["visitorId"], sid=first["sessionId"])
    r = requests.post(url, params=query, json=APP_BODY, headers=JSON)
    body = r.json()
    assert r.status_code == 200 and body["status"] == "Available"
    assert (body["visitorId"], body["sessionId"]) == (first["visitorId"], first["sessionId"])
    details = body["engagementDetails"]
    assert details == {"campaignId": CAMPAIGN_ID, "engagementId": HUMAN_ENGAGEMENT_ID, "contextId": "1",
                       "windowId": details["windowId"], "language": "en-US",
                       "engagementRevision": details["engagementRevision"],
                       "validForSeconds": 900, "skillId": int(HUMAN_SKILL_ID), "skillName": HUMAN_SKILL}
    # update the session: impressions of the offered engagement, 200 with an empty body
    url, query = visitors(live, first["visitorId"], sid=first["sessionId"])
    update = {"pageId": body["pageId"], "impAttributes": [
        {"type": "impAccept", "campaign": int(CAMPAIGN_ID), "engId": int(HUMAN_ENGAGEMENT_ID), "revision": 1,
         "eContext": [{"type": "engagementContext", "id": "1"}]}],
        "engagementAttributes": [{"type": "ctmrinfo", "info": {"ctype": "vip"}}]}
    r = requests.put(url, params=query, json=update, headers=JSON)
    assert r.status_code == 200 and r.content == b""
    r = requests.post(url, params=query, json=update,
                      headers={**JSON, "X-HTTP-Method-Override": "PUT"})
    assert r.status_code == 200


def test_app_engagement_errors(live):
    url, query = visitors(live)
    for bad in ({}, {"appType": "WEB"}, {**APP_BODY, "appDetails": {"os": "BEOS"}},
                {**APP_BODY, "consumerSections": "Support"}):
        assert_error(requests.post(url, params=query, json=bad, headers=JSON), 400, 5)
    assert_error(requests.post(url, json=APP_BODY, headers=JSON), 400, 33)
    assert_error(requests.post(url.replace(ACCOUNT, UNKNOWN_ACCOUNT), params=query, json=APP_BODY,
                               headers=JSON), 404, 20)
    first = requests.post(url, params=query, json=APP_BODY, headers=JSON).json()
    update = {"pageId": first["pageId"]}
    url, query = visitors(live, "unknown-visitor", sid=first["sessionId"])
    assert_error(requests.put(url, params=query, json=update, headers=JSON), 404, 37)
    url, query = visitors(live, first["visitorId"], sid="unknown-session")
    assert_error(requests.put(url, params=query, json=update, headers=JSON), 404, 39)
    url, query = visitors(live, first["visitorId"])
    assert_error(requests.put(url, params=query, json=update, headers=JSON), 400, 5)  # sid required
    url, query = visitors(live, first["visitorId"], sid=first["sessionId"])
    assert_error(requests.put(url, params=query, json={}, headers=JSON), 400, 5)  # pageId required
    assert_error(requests.put(url, params=query, json={**update, "impAttributes": [
        {"type": "impDisplay", "engId": int(BOT_ENGAGEMENT_ID)}]}, headers=JSON), 400, 5)  # never offered
    assert_error(requests.put(url, params=query, json={**update, "impAttributes": [
        {"type": "purchase", "engId": int(BOT_ENGAGEMENT_ID)}]}, headers=JSON), 400, 5)  # not an impression


def test_domain_api_names_the_services(live):
    for service in ("smt", "msdkgw", "sentinel"):
        r = requests.get(f"{live.url}/api/account/{ACCOUNT}/service/{service}/baseURI.json",
                         params={"version": "1.0"})
        assert r.status_code == 200 and r.json()["baseURI"] == live.host
