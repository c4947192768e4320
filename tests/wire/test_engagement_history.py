"""Engagement History API over the wire: real chats (requested, answered, transferred, ended,
surveyed) come back as the docs' records, one per leg; the filters, the paging links, the sort,
the documented 400s, auth (bearer or API key) and accounts kept apart; and the messaging
sibling's empty answer."""
import re

import pytest
import requests
from defusedxml.ElementTree import fromstring

from tests.support.constants import (ACCOUNT, AGENT_ID, BOT_ENGAGEMENT_ID, BOT_ID, BOT_NAME,
                                     BOT_SKILL, BOT_SKILL_ID, CAMPAIGN_ID, DEMO_ADMIN, DEMO_AGENT,
                                     DEMO_BOT, HUMAN_SKILL_ID, OTHER_ACCOUNT, REPORTING_KEY,
                                     SHOP_ADMIN, SHOP_REPORTING_KEY, UNKNOWN_ACCOUNT)
from tests.support.wire import (ApiKeyAuth, accept, agent, assert_envelope, bearer_headers,
                                consumer_headers, end, login, request_chat, say)

SEARCH = "/interaction_history/api/account/{}/interactions/search"
MESSAGING = "/messaging_history/api/account/{}/conversations/search"
HOUR = 3_600_000
TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000")
CARD = {"type": "vertical", "elements": [{"type": "text", "text": "Your order ships tomorrow"}]}

# The JSON type of every key of the docs' example record (retrieve-engagement-list-by-criteria,
# the chatMCS example), plus agentName and agentDeleted from the element table and older example.
S, I, B, L, D = str, int, bool, list, dict
INFO_TYPES = {
    "startTime": S, "startTimeL": I, "endTime": S, "endTimeL": I, "duration": I, "visitorId": S,
    "visitorName": S, "engagementId": S, "sharkEngagementId": S, "isInteractive": B,
    "accountId": S, "agentId": S, "agentName": S, "agentNickName": S, "agentLoginName": S,
    "agentFullName": S, "agentDeleted": B, "skillId": I, "skillName": S, "isAgentSurvey": B,
    "isPostChatSurvey": B, "isPreChatSurvey": B, "channel": I, "startReason": S,
    "startReasonDesc": S, "endReason": S, "endReasonDesc": S, "engagementSet": I,
    "engagementSequence": I, "agentGroupId": I, "agentGroupName": S, "mcs": I, "alertedMCS": I,
    "chatMCS": I, "chatRequestedTime": S, "chatRequestedTimeL": I, "chatStartUrl": S,
    "chatStartPage": S, "isPartial": B, "ended": B, "interactive": B, "chatDataEnriched": B}
LINE_TYPES = {"time": S, "timeL": I, "controlType": I, "text": S, "by": S, "source": S,
              "subType": S, "textType": S, "cannedAnswerType": I, "agentId": I, "lineSeq": S}
SCORE_TYPES = {"lineSeq": S, "lineRawScore": I, "mcs": I}
ANSWER_TYPES = {"scope": S, "source": S, "displayName": S, "value": S, "values": L, "name": S,
                "time": S, "timeL": I, "questionID": I, "surveyID": I}
CAMPAIGN_TYPES = {"campaignEngagementId": S, "campaignEngagementName": S, "campaignId": S,
                  "campaignName": S, "goalId": S, "goalName": S, "visitorBehaviorId": S,
                  "visitorBehaviorName": S, "visitorProfileId": S, "visitorProfileName": S,
                  "lobId": I, "lobName": S}
VISITOR_TYPES = {k: S for k in ("country", "countryCode", "state", "city", "isp", "org", "device",
                                "ipAddress", "browser", "operatingSystem")}


def assert_types(item: dict, types: dict, where: str) -> None:
    for key, kind in types.items():
        assert key in item, f"{where}: no {key}"
        assert isinstance(item[key], kind) and not (kind is I and isinstance(item[key], bool)), (
            f"{where}.{key}: {item[key]!r} is not {kind.__name__}")


def now_ms(live) -> int:
    return int(live.clock.now() * 1000)


def body(live, **filters) -> dict:
    """A search over the hour either side of the sandbox's now."""
    return {"start": {"from": now_ms(live) - HOUR, "to": now_ms(live) + HOUR}, **filters}


def search(live, bearer, filters=None, query="", account=ACCOUNT, **kwargs) -> requests.Response:
    return requests.post(f"{live.url}{SEARCH.format(account)}{query}",
                         json=body(live) if filters is None else filters,
                         headers=bearer_headers(bearer), timeout=60, **kwargs)


def records(live, bearer, filters=None, query="") -> list[dict]:
    r = search(live, bearer, filters, query)
    assert r.status_code == 200, r.text
    return r.json()["interactionHistoryRecords"]


@pytest.fixture
def served(live):
    """Ended chats `happy` and `handed`, an `open` one, and the admin's bearer that reads them."""
    # happy: engagement, pre-chat survey, custom variables, a rich card, an exit survey, ended by
    # the bot; handed: the bot hands it to Alex with a reason, the visitor ends it.
    bot_bearer, bot_session = agent(live.url, ACCOUNT, *DEMO_BOT)
    human_bearer, human_session = agent(live.url, ACCOUNT, *DEMO_AGENT)
    surveys = live.sb.account(ACCOUNT).surveys
    name_q = next(q for q in surveys["preChat"].questions if "name" in q.label)
    happy = request_chat(live.url, ACCOUNT, engagementId=BOT_ENGAGEMENT_ID,
                         survey={"id": surveys["preChat"].id,
                                 "question": [{"id": name_q.id, "answer": "Irena"}]},
                         customVariables={"customVariable": [{"name": "plan", "value": "gold"}]})
    happy_chat = accept(bot_session, bot_bearer)
    live.advance(2)
    say(happy, consumer_headers(), "I love your service, thank you!")
    say(happy_chat, bearer_headers(bot_bearer), "", textType="rich-content", json=CARD)
    live.advance(20)
    end(happy_chat, bearer_headers(bot_bearer))
    csat = next(q for q in surveys["exit"].questions if q.csat)
    r = requests.put(f"{happy}/exitSurvey", headers=consumer_headers(), json={
        "survey": {"id": surveys["exit"].id, "question": [{"id": csat.id, "answer": "5"}]}})
    assert r.status_code == 200, r.text

    live.advance(30)
    handed = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    handed_chat = accept(bot_session, bot_bearer)
    say(handed, consumer_headers(), "This is useless, I want a human")
    r = requests.post(f"{handed_chat}/transfer", headers=bearer_headers(bot_bearer), json={
        "transfer": {"skill": {"id": HUMAN_SKILL_ID}, "text": "Customer asked for a human"}})
    assert r.status_code == 200, r.text
    live.advance(3)
    human_chat = accept(human_session, human_bearer)
    say(human_chat, bearer_headers(human_bearer), "Hi, Alex here. How can I help with the ipad?")
    live.advance(10)
    end(handed, consumer_headers())
    open_chat = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    accept(bot_session, bot_bearer)
    admin = login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"]
    return {"admin": admin, "happy": happy.rsplit("/", 1)[1], "handed": handed.rsplit("/", 1)[1],
            "open": open_chat.rsplit("/", 1)[1]}


def test_records_have_the_documented_shape_and_types(live, served):
    r = search(live, served["admin"])
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    answer = r.json()
    meta = answer["_metadata"]
    assert meta["count"] == 3 and set(meta) == {"count", "self", "shardsStatusResult"}
    assert meta["shardsStatusResult"] == {"failureShards": 0, "totalShards": 1, "partialResult": False}
    happy = answer["interactionHistoryRecords"][0]
    assert set(happy) == {"info", "transcript", "lineScores", "surveys", "campaign", "visitorInfo",
                          "coBrowseSessions", "sdes"}
    info = happy["info"]
    assert_types(info, INFO_TYPES, "info")
    assert info["engagementId"] == f"{ACCOUNT}{served['happy']}"
    assert (info["accountId"], info["agentId"], info["agentNickName"], info["agentName"]) == (
        ACCOUNT, BOT_ID, BOT_NAME, BOT_NAME)
    assert (info["skillId"], info["skillName"], info["channel"]) == (int(BOT_SKILL_ID), BOT_SKILL, 1)
    assert (info["startReason"], info["startReasonDesc"], info["endReason"],
            info["endReasonDesc"]) == ("0", "Visitor request", "201", "Rep stopped chat")
    assert info["duration"] == 22 and info["endTimeL"] - info["startTimeL"] == 22_000
    assert all(TIME.fullmatch(info[k]) for k in ("startTime", "endTime", "chatRequestedTime"))
    assert info["isPreChatSurvey"] and info["isPostChatSurvey"] and not info["isAgentSurvey"]
    assert info["chatMCS"] > 33 and info["alertedMCS"] == info["mcs"] == 1
    assert info["isInteractive"] and info["interactive"] and info["ended"]
    lines = happy["transcript"]["lines"]
    for line in lines:
        assert_types(line, {k: v for k, v in LINE_TYPES.items()
                            if not (k == "text" and "json" in line)}, "line")
        assert TIME.fullmatch(line["time"])
    assert [(l["source"], l["controlType"]) for l in lines] == [
        ("system", 4), ("system", 3), ("visitor", 0), ("agent", 0), ("system", 5)]
    rich = lines[3]
    assert (rich["textType"], rich["json"], rich["agentId"], rich["by"]) == (
        "rich-content", CARD, int(BOT_ID), BOT_NAME)
    assert lines[2]["agentId"] == 0 and lines[2]["by"] == "You"
    (score,) = happy["lineScores"]
    assert_types(score, SCORE_TYPES, "lineScore")
    assert score["lineSeq"] == lines[2]["lineSeq"] and score["mcs"] == info["chatMCS"]
    surveys = happy["surveys"]
    assert set(surveys) == {"preChat", "postChat", "operator"}
    (pre,), (post,) = surveys["preChat"], surveys["postChat"]
    for item in (pre, post):
        assert_types(item, ANSWER_TYPES, "survey")
    assert (pre["source"], pre["displayName"], pre["value"], pre["values"], pre["scope"]) == (
        "Pre-Chat", "What is your name?", "Irena", ["Irena"], "Session")
    assert (post["source"], post["value"], post["name"]) == ("Exit", "5", "Post-chat Survey")
    assert_types(happy["campaign"], CAMPAIGN_TYPES, "campaign")
    assert (happy["campaign"]["campaignEngagementId"], happy["campaign"]["campaignId"]) == (
        BOT_ENGAGEMENT_ID, CAMPAIGN_ID)
    assert_types(happy["visitorInfo"], VISITOR_TYPES, "visitorInfo")
    assert happy["visitorInfo"]["device"] in ("DESKTOP", "MOBILE", "TABLET")
    assert happy["coBrowseSessions"] == {"coBrowseSessionsList": []}
    (event,) = happy["sdes"]["events"]
    assert event["sdeType"] == "CUSTOM_VARIABLES" and event["customVariables"]["customVariables"] == [
        {"name": "plan", "value": "gold"}]


def test_a_transfer_is_a_chain_of_two_records_with_the_reason_in_the_first(live, served):
    first, second = [r for r in records(live, served["admin"])
                     if r["info"]["engagementId"] == f"{ACCOUNT}{served['handed']}"]
    one, two = first["info"], second["info"]
    assert (one["agentId"], one["engagementSequence"], one["endReason"]) == (BOT_ID, 0, "106")
    assert (two["agentId"], two["engagementSequence"], two["startReason"]) == (AGENT_ID, 1, "6")
    assert two["startReasonDesc"] == "Skill reassign" and two["endReason"] == "210"
    assert one["visitorId"] == two["visitorId"] and two["skillId"] == int(HUMAN_SKILL_ID)
    assert one["sharkEngagementId"] != two["sharkEngagementId"]
    assert two["chatRequestedTimeL"] == one["endTimeL"]  # the second leg waited from the hand-over
    notes = [l for l in first["transcript"]["lines"] if l["subType"] == "ONLY_TO_REP"]
    assert [(n["text"], n["source"], n["agentId"]) for n in notes] == [
        ("Customer asked for a human", "agent", int(BOT_ID))]
    assert 15 in [l["controlType"] for l in first["transcript"]["lines"]]
    assert [l["controlType"] for l in second["transcript"]["lines"]] == [3, 0]
    assert not first["surveys"]["postChat"] and not second["surveys"]["preChat"]


def test_only_ended_chats_and_filters_narrow(live, served):
    admin = served["admin"]
    ids = {r["info"]["engagementId"] for r in records(live, admin)}
    assert f"{ACCOUNT}{served['open']}" not in ids

    def sequences(**filters):
        return [(r["info"]["engagementId"].removeprefix(ACCOUNT), r["info"]["engagementSequence"])
                for r in records(live, admin, body(live, **filters))]

    happy, handed = served["happy"], served["handed"]
    assert sequences(skillIds=[HUMAN_SKILL_ID]) == [(handed, 1)]
    assert sequences(agentIds=[BOT_ID]) == [(happy, 0), (handed, 0)]
    assert sequences(keyword="ipad", keyword_search_area={"types": ["chatLine"]}) == [(handed, 1)]
    assert sequences(interactive=True, ended=True) == [(happy, 0), (handed, 0)]
    assert sequences(alertedMcsValues=["1"]) == [(happy, 0)]
    assert sequences(lineContentTypes=["RICH_CONTENT"]) == [(happy, 0)]
    assert sequences(hasCoBrowse=True) == []
    long_ago = {"from": now_ms(live) - 20 * 86_400_000, "to": now_ms(live) - 19 * 86_400_000}
    assert sequences(start=long_ago) == []
    assert sequences(start=long_ago, engagementId=f"{ACCOUNT}{happy}") == [(happy, 0)]


def test_paging_links_and_sort(live, served):
    admin = served["admin"]
    r = search(live, admin, query="?limit=1&offset=0&sort=start:desc")
    assert r.status_code == 200
    meta = r.json()["_metadata"]
    base = f"{live.url}{SEARCH.format(ACCOUNT)}"
    assert meta["count"] == 3
    assert meta["self"] == {"rel": "self", "href": f"{base}?limit=1&offset=0&sort=start:desc"}
    assert meta["next"] == {"rel": "next", "href": f"{base}?limit=1&offset=1&sort=start:desc"}
    assert meta["last"] == {"rel": "last", "href": f"{base}?limit=1&offset=2&sort=start:desc"}
    newest = r.json()["interactionHistoryRecords"][0]["info"]
    assert (newest["engagementId"], newest["engagementSequence"]) == (f"{ACCOUNT}{served['handed']}", 1)
    following = requests.post(meta["next"]["href"], json=body(live), headers=bearer_headers(admin))
    assert following.json()["interactionHistoryRecords"][0]["info"]["engagementSequence"] == 0
    last = requests.post(meta["last"]["href"], json=body(live), headers=bearer_headers(admin)).json()
    assert "next" not in last["_metadata"] and len(last["interactionHistoryRecords"]) == 1
    ascending = records(live, admin, query="?sort=start:asc")
    assert [r["info"]["startTimeL"] for r in ascending] == sorted(
        r["info"]["startTimeL"] for r in ascending)
    by_duration = records(live, admin, query="?sort=duration:desc")
    assert [r["info"]["duration"] for r in by_duration] == sorted(
        (r["info"]["duration"] for r in by_duration), reverse=True)


@pytest.mark.parametrize("filters, query", [
    ({}, ""),  # no start
    ({"start": {"from": 0, "to": 32 * 86_400_000}}, ""),  # more than a month
    (None, "?limit=101"), (None, "?limit=0"), (None, "?offset=-1"),
    (None, "?sort=size:asc"), (None, "?sort=start:sideways"),
    ({"start": {"from": 1, "to": 2}, "duration": {"from": 0}}, ""),
    ({"start": {"from": 1, "to": 2}, "keyword": 'a "b" "c"'}, ""),
])
def test_bad_requests_are_400_in_the_envelope(live, filters, query):
    admin = login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"]
    assert_envelope(search(live, admin, filters, query), 400, 1)


def test_a_body_that_is_not_json_is_400(live):
    admin = login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"]
    r = requests.post(f"{live.url}{SEARCH.format(ACCOUNT)}", data=b"{not json",
                      headers=bearer_headers(admin))
    assert_envelope(r, 400)


def test_auth_and_accounts_are_kept_apart(live, served):
    url = f"{live.url}{SEARCH.format(ACCOUNT)}"
    assert_envelope(requests.post(url, json=body(live)), 401)
    shop = login(live.url, OTHER_ACCOUNT, *SHOP_ADMIN)["bearer"]
    assert_envelope(search(live, shop), 401)  # a bearer of another account
    mine = search(live, shop, account=OTHER_ACCOUNT)
    assert mine.status_code == 200 and mine.json()["_metadata"]["count"] == 0
    assert mine.json()["interactionHistoryRecords"] == []
    assert_envelope(search(live, served["admin"], account=UNKNOWN_ACCOUNT), 404)
    # an API key's OAuth1 signature, as ETL clients sign
    signed = requests.post(url, json=body(live), auth=ApiKeyAuth(REPORTING_KEY, live.clock))
    assert signed.status_code == 200 and signed.json()["_metadata"]["count"] == 3
    foreign = requests.post(url, json=body(live), auth=ApiKeyAuth(SHOP_REPORTING_KEY, live.clock))
    assert_envelope(foreign, 401)


def test_xml_carries_the_same_records(live, served):
    r = requests.post(f"{live.url}{SEARCH.format(ACCOUNT)}.xml", json=body(live),
                      headers=bearer_headers(served["admin"]))
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/xml")
    root = fromstring(r.content)
    assert root.tag == "response" and root.findtext("_metadata/count") == "3"
    first = root.findall("interactionHistoryRecords")[0]
    assert first.findtext("info/engagementId") == f"{ACCOUNT}{served['happy']}"
    assert '"vertical"' in "".join(e.text or "" for e in first.iter("json"))  # the card, as JSON text


def test_messaging_history_is_empty_but_checks_start(live):
    admin = login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"]
    url = f"{live.url}{MESSAGING.format(ACCOUNT)}"
    r = requests.post(f"{url}?offset=0&limit=50", headers=bearer_headers(admin),
                      json={"start": {"from": now_ms(live) - 80 * 86_400_000, "to": -1}})
    assert r.status_code == 200
    assert r.json() == {"_metadata": {"count": 0, "self": {"rel": "self",
                                                            "href": f"{url}?limit=50&offset=0"},
                                      "shardsStatusResult": {"partialResult": False}},
                        "conversationHistoryRecords": []}
    for bad in ({}, {"start": {"from": 0, "to": 93 * 86_400_000}}):
        assert_envelope(requests.post(url, json=bad, headers=bearer_headers(admin)), 400, 1)
    assert_envelope(requests.post(f"{url}?sort=duration:asc", headers=bearer_headers(admin),
                                  json={"start": {"from": 0, "to": 1}}), 400, 1)
    assert_envelope(requests.post(url, json={"start": {"from": 0, "to": 1}}), 401)
