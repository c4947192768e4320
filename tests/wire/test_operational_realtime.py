"""Operational Realtime API over HTTP: real chats on a moved clock, then queuehealth, engactivity,
agentactivity (GET and POST), queuestate and sla, each body against the docs' example (every key
there, with its JSON type), the Singer tap's and lp_api_wrapper's calls, the 400s and the 401s;
and Messaging Operations' msgqueuehealth on the same service (all 0: no messaging here)."""
import pytest
import requests
from defusedxml.ElementTree import fromstring

from tests.support.constants import (ACCOUNT, AGENT_ID, BOT_B_SKILL_ID, BOT_SKILL_ID, DEMO_AGENT,
                                     HUMAN_SKILL, HUMAN_SKILL_ID, OTHER_ACCOUNT, REPORTING_KEY,
                                     SHOP_AGENT, UNKNOWN_ACCOUNT)
from tests.support.wire import (ApiKeyAuth, accept, agent, assert_envelope, bearer_headers,
                                consumer_headers, end, login, request_chat, say)

OPS = f"/operations/api/account/{ACCOUNT}"
BUCKET = 300

# --- the docs' examples (one skill, agent or interval of each), as the method pages print them ---
QUEUE_METRICS = {
    "avgTimeToAbandon": 0, "totalTimeToAnswer": 5, "averageQueueSize": 0.0103, "maxAvailableSlots": 9,
    "availableSlotsSum": 40540, "abandonedEng": 0, "averageAvailableSlots": 3.76, "maxQueueSize": 1,
    "minQueueSize": 0, "availableSlotsCount": 10779, "totalTimeToAbandon": 0, "enteredQEng": 2,
    "currentAvailableSlots": -1, "currentQueueSize": -1, "minAvailableSlots": 0,
    "queueSizeCount": 10779, "avgTimeToAnswer": 5, "abandonmentRate": 0, "queueSizeSum": 112,
    "connectedEng": 1}
QUEUE_HEALTH_EXAMPLE = {  # skillIds=11,..., interval=360, timeframe=720
    "metricsByIntervals": [{"timestamp": 1465286700000, "metricsData": {
        "skillsMetrics": {"11": QUEUE_METRICS}, "metricsTotals": QUEUE_METRICS}}],
    "skillsMetrics": {"11": QUEUE_METRICS}, "metricsTotals": QUEUE_METRICS}
ACTIVITY = {"totalInteractiveChats": 1, "totalNonInteractiveChats": 1, "totalHandlingTime": 12,
            "nonInteractiveTotalHandlingTime": 5, "connectedEngagements": 2}
PER_AGENT = {"metricsPerAgent": {"3": ACTIVITY}, "metricsTotals": ACTIVITY}
ENG_SKILL_EXAMPLE = {"skillsMetricsPerAgent": {"metricsPerSkill": {"2": PER_AGENT},
                                               "metricsTotals": ACTIVITY}}
ENG_BOTH_EXAMPLE = {**ENG_SKILL_EXAMPLE, "agentsMetrics": PER_AGENT}
ENG_TOTALS_EXAMPLE = {"metricsTotals": ACTIVITY}
ENG_INTERVALS_EXAMPLE = {"metricsByIntervals": [{"timestamp": 1412680800000,
                                                 "metricsData": {"agentsMetrics": PER_AGENT}}],
                         "agentsMetrics": PER_AGENT}
STATE_VALUE = {"total": 4714, "chatting": 0, "notChatting": 4714, "chattingInMaxConcurrency": 0}
AGENT_STATES = [
    {"id": 2, "name": "Online", "value": STATE_VALUE},
    {"id": 3, "name": "Back in 5", "value": STATE_VALUE},
    {"reasons": [{"id": "2642559712", "value": STATE_VALUE}], "id": 4, "name": "Away",
     "value": STATE_VALUE},
    {"id": -1, "name": "Logged in", "value": STATE_VALUE}]
AGENT_ACTIVITY_EXAMPLE = {"agentsMetrics": {"metricsPerAgent": {"2": AGENT_STATES},
                                            "metricsTotals": []}}
QUEUE_STATE_V2_EXAMPLE = {"skills": {"1": {"currentAvailableSlots": 5, "currentQueueSize": 5,
                                           "currentMaxWaitTimeInQueue": 15253}},
                          "totals": {"currentAvailableSlots": 49, "currentQueueSize": 34,
                                     "currentMaxWaitTimeInQueue": 75388}}
SLA_EXAMPLE = {"slaDataRange": {"0": {"accumulated": 0.4, "percentageFromTotal": 0.4, "chats": 2}}}
MSG_METRICS = {  # messaging-queue-health.md, skill 12 (its missing commas put back)
    "unassignedConversations": 34, "actionableConversations": 10, "notActionableConversations": 14,
    "actionableAndManualSla": 7, "actionableAndDuringTransfer": 6,
    "actionableAndConsumerLastMessage": 3, "notActionableDuringTransfer": 0,
    "notActionableAndManualSla": 0, "unassignedConversationsAndFirstTimeConsumer": 4}
MSG_QUEUE_EXAMPLE = {"skillsMetrics": {"12": MSG_METRICS}, "metricsTotal": MSG_METRICS}
MSG_QUEUE_INTERVALS_EXAMPLE = {  # skillIds=12,13 interval=60, timeframe=180
    "metricsByIntervals": [{"timestamp": 1516254715679, "metricsData": MSG_QUEUE_EXAMPLE}],
    "timeframeSummary": MSG_QUEUE_EXAMPLE}
ZERO_MSG = {name: 0 for name in MSG_METRICS}
TAP_FIELDS = ("abandonedEng", "abandonmentRate", "availableSlotsCount", "availableSlotsSum",
              "averageAvailableSlots", "averageQueueSize", "avgTimeToAbandon", "avgTimeToAnswer",
              "connectedEng", "currentAvailableSlots", "currentQueueSize", "enteredQEng",
              "maxAvailableSlots", "maxQueueSize", "minAvailableSlots", "minQueueSize",
              "queueSizeCount", "queueSizeSum", "totalTimeToAbandon", "totalTimeToAnswer")


def kind(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def assert_shape(actual, example, where="$"):
    """Every key of the example is there with its JSON type; maps keyed by ids (skills, agents,
    buckets) hold values shaped as the example's; a list's items as the example's items."""
    assert kind(actual) == kind(example), f"{where}: {kind(actual)} instead of {kind(example)}"
    if isinstance(example, dict):
        if example and all(key.lstrip("-").isdigit() for key in example):
            sample = next(iter(example.values()))
            for key, value in actual.items():
                assert key.lstrip("-").isdigit(), f"{where}: key {key!r}"
                assert_shape(value, sample, f"{where}[{key}]")
            return
        missing = set(example) - set(actual)
        assert not missing, f"{where}: missing {sorted(missing)}"
        for key, value in example.items():
            assert_shape(actual[key], value, f"{where}.{key}")
    elif isinstance(example, list) and example:
        pairs = zip(actual, example) if len(actual) == len(example) else ((a, example[0]) for a in actual)
        for i, (item, sample) in enumerate(pairs):
            assert_shape(item, sample, f"{where}[{i}]")


# --- helpers -------------------------------------------------------------------------------------

@pytest.fixture
def manager(live):
    """demo-admin's bearer: any user of the account may read the data APIs."""
    return login(live.url, ACCOUNT, "demo-admin", "demo-admin-pass")["bearer"]


def get(live, bearer, path, **params):
    r = requests.get(f"{live.url}{OPS}/{path}", params=params, headers=bearer_headers(bearer))
    assert r.status_code == 200, r.text
    return r.json()


def tick(live, seconds, *visitors):
    """Move the clock in steps of 10 s, the visitors polling after each (chatTimeout is 40 s)."""
    while seconds > 0:
        live.advance(min(10, seconds))
        seconds -= 10
        for uri in visitors:
            requests.get(f"{uri}/events?from=0", headers=consumer_headers()).raise_for_status()


@pytest.fixture
def day(live):
    """demo-agent Online at START; a chat waits 15 s, is accepted, the visitor talks, the agent
    ends it 25 s later; 5 s after that, now."""
    bearer, session = agent(live.url, ACCOUNT, *DEMO_AGENT)
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    tick(live, 15, uri)
    chat = accept(session, bearer)
    say(uri, consumer_headers(), "Where is my order?")
    tick(live, 25, uri)
    end(chat, bearer_headers(bearer))
    tick(live, 5)
    return live


# --- the numbers, in the documented shapes ---------------------------------------------------------

def test_queue_health_v1(day, manager):
    body = get(day, manager, "queuehealth", v=1, timeframe=60, interval=30, skillIds=HUMAN_SKILL_ID)
    assert_shape(body, QUEUE_HEALTH_EXAMPLE)
    skill = body["skillsMetrics"][HUMAN_SKILL_ID]
    assert (skill["enteredQEng"], skill["connectedEng"], skill["abandonedEng"]) == (1, 1, 0)
    assert (skill["totalTimeToAnswer"], skill["avgTimeToAnswer"]) == (15, 15)
    assert (skill["maxQueueSize"], skill["currentQueueSize"], skill["currentAvailableSlots"]) == (1, 0, 3)
    assert skill["queueSizeSum"] == 15 // 2 + 1  # samples every 2 s over the 15 s wait
    timestamps = [row["timestamp"] for row in body["metricsByIntervals"]]
    assert timestamps == sorted(timestamps) and all(t % (BUCKET * 1000) == 0 for t in timestamps)
    assert timestamps[-1] == (int(day.clock.now()) // BUCKET + 1) * BUCKET * 1000
    account = get(day, manager, "queuehealth", v=1, timeframe=60)
    assert set(account) == {"metricsTotals"} and account["metricsTotals"]["enteredQEng"] == 1


def test_queue_health_as_the_singer_tap_reads_it(day, manager):
    """tap-liveperson: timeframe=1440, interval=5, skillIds=all, no v; reads meta.responseCode
    and body.metricsByIntervals[i].metricsData.skillsMetrics[skill], numbers only."""
    result = get(day, manager, "queuehealth", timeframe=1440, interval=5, skillIds="all")
    assert result["meta"]["responseCode"] == 200
    rows = result["body"]["metricsByIntervals"]
    now = day.clock.now()
    start = (int(now - 1440 * 60) // BUCKET) * BUCKET
    assert len(rows) == ((int(now) // BUCKET + 1) * BUCKET - start) // BUCKET
    seen = [(row["timestamp"], skill, data) for row in rows
            for skill, data in row["metricsData"]["skillsMetrics"].items()]
    assert [skill for _, skill, _ in seen] == [HUMAN_SKILL_ID]
    _, _, data = seen[0]
    assert all(kind(data[name]) == "number" for name in TAP_FIELDS)
    assert isinstance(seen[0][0], int) and data["enteredQEng"] == 1


def test_engagement_activity_in_each_documented_grouping(day, manager):
    both = get(day, manager, "engactivity", v=1, timeframe=60, skillIds="all", agentIds=AGENT_ID)
    assert_shape(both, ENG_BOTH_EXAMPLE)
    mine = both["agentsMetrics"]["metricsPerAgent"][AGENT_ID]
    assert mine == {"totalInteractiveChats": 1, "totalNonInteractiveChats": 0,
                    "totalHandlingTime": 25, "nonInteractiveTotalHandlingTime": 0,
                    "connectedEngagements": 1}
    skill = get(day, manager, "engactivity", v=1, timeframe=60, skillIds=HUMAN_SKILL_ID)
    assert_shape(skill, ENG_SKILL_EXAMPLE) and set(skill) == {"skillsMetricsPerAgent"}
    assert skill["skillsMetricsPerAgent"]["metricsPerSkill"][HUMAN_SKILL_ID][
        "metricsPerAgent"][AGENT_ID] == mine
    totals = get(day, manager, "engactivity", v=1, timeframe=60)
    assert_shape(totals, ENG_TOTALS_EXAMPLE) and totals["metricsTotals"] == mine
    none = get(day, manager, "engactivity", v=1, timeframe=60, skillIds="999", agentIds="999")
    assert none["skillsMetricsPerAgent"]["metricsPerSkill"] == {}
    assert none["agentsMetrics"] == {"metricsPerAgent": {}, "metricsTotals": {
        key: 0 for key in ACTIVITY}}
    rows = get(day, manager, "engactivity", v=1, timeframe=20, interval=10, agentIds=AGENT_ID)
    assert_shape(rows, ENG_INTERVALS_EXAMPLE)
    timestamps = [row["timestamp"] for row in rows["metricsByIntervals"]]
    assert timestamps == sorted(timestamps, reverse=True)  # newest first, as the docs' example


def test_agent_activity_get_and_post(day, manager):
    body = get(day, manager, "agentactivity", v=1, timeframe=60, agentIds="all")
    assert_shape(body, AGENT_ACTIVITY_EXAMPLE)
    states = {e["name"]: e["value"] for e in body["agentsMetrics"]["metricsPerAgent"][AGENT_ID]}
    assert states["Online"] == {"total": 45, "chatting": 25, "notChatting": 20,
                                "chattingInMaxConcurrency": 0}
    assert states["Logged in"]["total"] == 45
    # lp_api_wrapper's OperationalRealtime.agent_activity: a POST with a JSON body
    r = requests.post(f"{day.url}{OPS}/agentactivity", headers=bearer_headers(manager),
                      json={"timeframe": 60, "agentIds": "all", "v": 1, "interval": None})
    assert r.status_code == 200 and r.json() == body
    r = requests.post(f"{day.url}{OPS}/agentactivity", headers=bearer_headers(manager),
                      json={"timeframe": "1440", "v": "1", "agentIds": f"{AGENT_ID},{AGENT_ID}",
                            "interval": "1440"})  # the docs' own example body
    assert r.status_code == 200
    # one 1440-minute interval up to the end of this bucket, and the remainder before it
    newest, remainder = r.json()["metricsByIntervals"]
    assert list(newest["metricsData"]["agentsMetrics"]["metricsPerAgent"]) == [AGENT_ID]
    assert remainder["metricsData"]["agentsMetrics"]["metricsPerAgent"] == {}
    assert newest["timestamp"] - remainder["timestamp"] == 1440 * 60 * 1000


def test_agent_activity_as_the_singer_tap_reads_it(day, manager):
    result = get(day, manager, "agentactivity", timeframe=1440, interval=5, agentIds="all", v=2)
    rows = result["body"]["metricsByIntervals"]
    assert result["meta"]["responseCode"] == 200 and len(rows) >= 288
    assert all(isinstance(row["timestamp"], int) and isinstance(row["metricsData"], dict)
               for row in rows)


def test_queue_state_and_sla(day, manager):
    v1 = get(day, manager, "queuestate", v=1)
    assert v1 == {"skills": {HUMAN_SKILL_ID: {"currentAvailableSlots": 3, "currentQueueSize": 0}},
                  "totals": {"currentAvailableSlots": 3, "currentQueueSize": 0}}
    v2 = get(day, manager, "queuestate", v=2, skillIds=f"{HUMAN_SKILL_ID},999")
    assert_shape(v2, QUEUE_STATE_V2_EXAMPLE)
    assert v2["skills"]["999"] == {"currentAvailableSlots": -1, "currentQueueSize": -1,
                                   "currentMaxWaitTimeInQueue": -1}
    assert v2["totals"] == {"currentAvailableSlots": 3, "currentQueueSize": 0,
                            "currentMaxWaitTimeInQueue": -1}
    sla = get(day, manager, "sla", v=1, timeframe=60)
    assert_shape(sla, SLA_EXAMPLE)
    assert list(sla["slaDataRange"]) == ["0", "15", "30", "45", "60", "90", "120"]
    assert sla["slaDataRange"]["15"] == {"accumulated": 1, "percentageFromTotal": 1, "chats": 1}
    assert get(day, manager, "sla", timeframe=60, histogram="20")["body"]["slaDataRange"][
        "0"]["chats"] == 1


def test_xml_and_an_api_key(day):
    auth = ApiKeyAuth(REPORTING_KEY, clock=day.clock)
    r = requests.get(f"{day.url}{OPS}/queuehealth", auth=auth,
                     params={"v": 1, "timeframe": 60, "skillIds": "all"})
    assert r.status_code == 200, r.text
    assert r.json()["skillsMetrics"][HUMAN_SKILL_ID]["connectedEng"] == 1
    r = requests.get(f"{day.url}{OPS}/sla", auth=auth, params={"v": 1, "timeframe": 60},
                     headers={"Accept": "application/xml"})
    assert r.status_code == 200 and fromstring(r.content).tag == "slaDataRange"


def test_one_accounts_chats_never_show_in_anothers(day, manager):
    shop_bearer, shop_session = agent(day.url, OTHER_ACCOUNT, *SHOP_AGENT)
    uri = request_chat(day.url, OTHER_ACCOUNT, skill="sales-human")
    tick(day, 10, uri)
    accept(shop_session, shop_bearer)
    theirs = requests.get(f"{day.url}/operations/api/account/{OTHER_ACCOUNT}/queuehealth",
                          params={"v": 1, "timeframe": 60}, headers=bearer_headers(shop_bearer))
    assert theirs.json()["metricsTotals"]["totalTimeToAnswer"] == 10  # only the shop's chat
    mine = get(day, manager, "queuehealth", v=1, timeframe=60)["metricsTotals"]
    assert (mine["enteredQEng"], mine["totalTimeToAnswer"]) == (1, 15)
    agents = get(day, manager, "agentactivity", v=1, timeframe=60, agentIds="all")
    assert list(agents["agentsMetrics"]["metricsPerAgent"]) == [AGENT_ID]


def test_messaging_queue_health_in_the_documented_shapes(day, manager):
    """Bare as the page's examples (whatever v); every average 0 (live chat only), as a double;
    requested skills of the account only; intervals exact, newest first, at their start."""
    body = get(day, manager, "msgqueuehealth", v=1, timeframe=180,
               skillIds=f"{HUMAN_SKILL_ID},{BOT_SKILL_ID},999")
    assert_shape(body, MSG_QUEUE_EXAMPLE) and set(body) == {"skillsMetrics", "metricsTotal"}
    assert list(body["skillsMetrics"]) == [HUMAN_SKILL_ID, BOT_SKILL_ID]  # 999: no such skill
    assert all(cell == ZERO_MSG and set(cell) == set(MSG_METRICS)
               for cell in [*body["skillsMetrics"].values(), body["metricsTotal"]])
    assert all(isinstance(value, float) for value in body["metricsTotal"].values())
    rows = get(day, manager, "msgqueuehealth", v=2, timeframe=180, interval=60,
               skillIds=HUMAN_SKILL_ID)
    assert_shape(rows, MSG_QUEUE_INTERVALS_EXAMPLE)
    assert set(rows) == {"metricsByIntervals", "timeframeSummary"}
    now_ms = int(round(day.clock.now() * 1000))
    assert [row["timestamp"] for row in rows["metricsByIntervals"]] == [
        now_ms - hours * 3600_000 for hours in (1, 2, 3)]
    assert rows["timeframeSummary"]["skillsMetrics"] == {HUMAN_SKILL_ID: ZERO_MSG}
    none = get(day, manager, "msgqueuehealth", v=2, timeframe=60, skillIds="999")
    assert none == {"skillsMetrics": {}, "metricsTotal": ZERO_MSG}


def test_messaging_queue_health_as_the_singer_tap_reads_it(day, manager):
    """tap-liveperson: timeframe=1440, interval=5, skillIds=all, v=2; reads the bare
    metricsByIntervals[i].timestamp and .metricsData.skillsMetrics[skill]."""
    result = get(day, manager, "msgqueuehealth", timeframe=1440, interval=5, skillIds="all", v=2)
    rows = result["metricsByIntervals"]
    assert "meta" not in result and len(rows) == 1440 // 5
    skills = {BOT_SKILL_ID, HUMAN_SKILL_ID, BOT_B_SKILL_ID}  # every skill of the demo account
    assert all(isinstance(row["timestamp"], int) and set(row["metricsData"]["skillsMetrics"]) == skills
               for row in rows)
    assert get(day, manager, "msgqueuehealth", timeframe=1440, interval=5) == result  # all: default
    auth = ApiKeyAuth(REPORTING_KEY, clock=day.clock)
    r = requests.get(f"{day.url}{OPS}/msgqueuehealth", auth=auth,
                     params={"timeframe": 1440, "interval": 5, "skillIds": "all", "v": 2})
    assert r.status_code == 200 and r.json() == result


# --- errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, params", [
    ("queuehealth", {"v": 1}),
    ("queuehealth", {"v": 1, "timeframe": 1441}),
    ("queuehealth", {"v": 1, "timeframe": "abc"}),
    ("queuehealth", {"v": 1, "timeframe": 60, "interval": 61}),
    ("queuehealth", {"v": 1, "timeframe": 60, "interval": 31}),
    ("queuehealth", {"v": 1, "timeframe": 60, "interval": 4}),
    ("queuehealth", {"v": 1, "timeframe": 60, "skillIds": "billing"}),
    ("queuehealth", {"v": "one", "timeframe": 60}),
    ("queuehealth", {"v": 1, "timeframe": 60, "chatCenterId": "x"}),
    ("engactivity", {"v": 1, "timeframe": 60, "agentIds": "3001002;1"}),
    ("agentactivity", {"v": 1, "timeframe": 60}),
    ("agentactivity", {"v": 1, "agentIds": "all"}),
    ("queuestate", {"v": 1, "skillIds": "1,,2"}),
    ("sla", {"v": 1, "timeframe": 60, "histogram": "0,7"}),
    ("sla", {"v": 1, "timeframe": 60, "groupIds": "main"}),
    ("msgqueuehealth", {"v": 2}),
    ("msgqueuehealth", {"v": 2, "timeframe": 1441}),
    ("msgqueuehealth", {"v": 2, "timeframe": "1.5"}),
    ("msgqueuehealth", {"v": 2, "timeframe": 60, "interval": 61}),
    ("msgqueuehealth", {"v": 2, "timeframe": 60, "interval": 31}),
    ("msgqueuehealth", {"v": 2, "timeframe": 60, "interval": 4}),
    ("msgqueuehealth", {"v": 2, "timeframe": 60, "skillIds": "12;13"}),
    ("msgqueuehealth", {"v": "two", "timeframe": 60}),
])
def test_bad_parameters_are_400_in_the_envelope(live, manager, path, params):
    r = requests.get(f"{live.url}{OPS}/{path}", params=params, headers=bearer_headers(manager))
    assert_envelope(r, 400)


@pytest.mark.parametrize("body", [{"timeframe": 60}, {"timeframe": True, "agentIds": "all"},
                                  {"timeframe": 60.5, "agentIds": "all"},
                                  {"timeframe": {"x": 1}, "agentIds": "all"}])
def test_a_bad_agent_activity_body_is_400(live, manager, body):
    r = requests.post(f"{live.url}{OPS}/agentactivity", json=body, headers=bearer_headers(manager))
    assert_envelope(r, 400)


@pytest.mark.parametrize("path", ["queuehealth", "engactivity", "agentactivity", "queuestate", "sla",
                                  "msgqueuehealth"])
def test_no_or_a_foreign_credential_is_401(live, path):
    params = {"v": 1, "timeframe": 60, "agentIds": "all"}
    assert_envelope(requests.get(f"{live.url}{OPS}/{path}", params=params), 401)
    shop = login(live.url, OTHER_ACCOUNT, *SHOP_AGENT)["bearer"]
    assert_envelope(requests.get(f"{live.url}{OPS}/{path}", params=params,
                                 headers=bearer_headers(shop)), 401)
    r = requests.get(f"{live.url}/operations/api/account/{UNKNOWN_ACCOUNT}/{path}", params=params)
    assert_envelope(r, 404)
