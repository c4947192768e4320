"""The Operational Realtime API's numbers in the model (mock_server/model/analytics/realtime.py):
parameters, the documented time frame rounding, queue health (counts, waits, sampled queue sizes
and slots), engagement activity, agent state distribution, current queue state, the SLA
histogram, each from real chats on a clock moved by known amounts."""
import pytest

from mock_server.model.analytics import realtime
from mock_server.model.errors import BadRequest
from mock_server.wire import operations_reports as wire
from tests.support.constants import (ACCOUNT, AGENT_ID, BOT_ID, BOT_SKILL, BOT_SKILL_ID, DEMO_AGENT,
                                     DEMO_BOT, HUMAN_SKILL, HUMAN_SKILL_ID, OTHER_ACCOUNT,
                                     SHOP_AGENT)
from tests.unit.conftest import (CASEY, CASEY_ID, ELASTIC, OVERFLOW_SKILL, OVERFLOW_SKILL_ID, START,
                                 agent, ask, wait)

BUCKET = realtime.BUCKET


def health(sb, minutes=60, every=None, skills=None, account=ACCOUNT):
    f = realtime.frame(sb.clock.now(), minutes, every)
    return realtime.queue_health(sb.analytics, sb.query, sb.account(account), f, skills)


def activity(sb, skills=None, agents=None, minutes=60):
    f = realtime.frame(sb.clock.now(), minutes)
    return realtime.engagement_activity(sb.analytics, sb.account(ACCOUNT), f, skills, agents).top


def states(sb, agents=realtime.ALL, minutes=60, every=None):
    f = realtime.frame(sb.clock.now(), minutes, every, bucketed=False)
    return realtime.agent_activity(sb.analytics, sb.account(ACCOUNT), f, agents)


# --- parameters ------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [None, "", "0", "1441", "-5", "abc", "1.5", "²", "60 "])
def test_a_bad_or_missing_timeframe_is_refused(raw):
    with pytest.raises(BadRequest):
        realtime.timeframe(raw)


@pytest.mark.parametrize("raw, minutes", [("4", 60), ("61", 60), ("31", 60), ("x", 60), ("7", 10)])
def test_an_interval_must_be_5_or_more_at_most_the_timeframe_and_divide_it(raw, minutes):
    with pytest.raises(BadRequest):
        realtime.interval(raw, minutes)


def test_good_parameters_parse():
    assert realtime.timeframe("1440") == 1440 and realtime.interval("30", 60) == 30
    assert realtime.interval(None, 60) is None and realtime.interval("60", 60) == 60
    assert realtime.ids("all", "skillIds") == realtime.ALL and realtime.ids(None, "x") is None
    assert realtime.ids(" 4, 153,4", "skillIds") == ("4", "153")
    assert realtime.ids("-1,6001002", "groupIds", signed=True) == ("-1", "6001002")
    assert realtime.version("1") == 1 and realtime.version("2.0") == 2 and realtime.version(None) is None
    assert realtime.histogram(None) == (0, 15, 30, 45, 60, 90, 120)
    assert realtime.histogram("100,50,5") == (0, 5, 50, 100)


@pytest.mark.parametrize("call", [
    lambda: realtime.ids("4,x", "skillIds"), lambda: realtime.ids("-1", "skillIds"),
    lambda: realtime.ids("4,,5", "skillIds"), lambda: realtime.version("v1"),
    lambda: realtime.version("0"), lambda: realtime.histogram("0,7"),
    lambda: realtime.histogram("-5")])
def test_bad_lists_and_versions_are_refused(call):
    with pytest.raises(BadRequest):
        call()


def test_the_time_frame_rounds_as_the_docs_say():
    eight = 1_790_000_100  # a 5-minute boundary: "8:00"
    now = eight + 7 * 60  # "8:07", timeframe=20&interval=10
    f = realtime.frame(now, 20, 10)
    minute = 60
    assert (f.start, f.end) == (eight - 15 * minute, eight + 10 * minute)  # 7:45 - 8:10
    assert f.intervals == ((eight - 15 * minute, eight - 10 * minute),  # 7:45 - 7:50
                           (eight - 10 * minute, eight), (eight, eight + 10 * minute))
    # agent activity: exactly now - timeframe, the earliest interval only 3 minutes
    f = realtime.frame(now, 20, 10, bucketed=False)
    assert f.intervals[0] == (eight - 13 * minute, eight - 10 * minute)
    # "13:29, timeframe 7: the buckets 13:25 and 13:30, the data 13:20-13:29"
    f = realtime.frame(eight + 29 * minute, 7)
    assert (f.start, f.end) == (eight + 20 * minute, eight + 30 * minute)


# --- queue health ------------------------------------------------------------------------------------

@pytest.fixture
def queue_day(sandbox):
    """demo-agent (maxChats 3) Online at START; chat A waits 20 s and is accepted; chat B waits
    12 s and its visitor leaves; 8 s later (now = START + 40)."""
    human = agent(sandbox, DEMO_AGENT)
    a = ask(sandbox, HUMAN_SKILL)
    wait(sandbox, 20, a, human)
    assert sandbox.accept_chat(human) is a
    b = ask(sandbox, HUMAN_SKILL)
    wait(sandbox, 12, a, b, human)
    sandbox.end_visitor_chat(b)
    wait(sandbox, 8, a, human)
    return sandbox


def test_queue_health_counts_waits_and_abandons(queue_day):
    report = health(queue_day, skills=(HUMAN_SKILL_ID,))
    totals, skill = report.top.totals, report.top.skills[HUMAN_SKILL_ID]
    body = wire.queue_metrics(skill)
    assert body == wire.queue_metrics(totals)  # one skill asked for: its totals are its own
    assert {k: body[k] for k in ("enteredQEng", "connectedEng", "abandonedEng", "totalTimeToAnswer",
                                 "avgTimeToAnswer", "totalTimeToAbandon", "avgTimeToAbandon",
                                 "abandonmentRate")} == {
        "enteredQEng": 2, "connectedEng": 1, "abandonedEng": 1, "totalTimeToAnswer": 20,
        "avgTimeToAnswer": 20, "totalTimeToAbandon": 12, "avgTimeToAbandon": 12,
        "abandonmentRate": 0.5}


def test_queue_sizes_and_slots_are_sampled_every_2_seconds(queue_day):
    body = wire.queue_metrics(health(queue_day, skills=(HUMAN_SKILL_ID,)).top.totals)
    # samples at START+0, +2, ..., +40 (21); A waits [0, 20), B [20, 32)
    assert (body["queueSizeCount"], body["queueSizeSum"]) == (21, 10 + 6)
    assert (body["minQueueSize"], body["maxQueueSize"]) == (0, 1)
    assert body["averageQueueSize"] == pytest.approx(16 / 21)
    # 3 free until A is accepted at +20, then 2 (a ringing chat is not in the history)
    assert (body["availableSlotsCount"], body["availableSlotsSum"]) == (21, 10 * 3 + 11 * 2)
    assert (body["minAvailableSlots"], body["maxAvailableSlots"]) == (2, 3)
    assert (body["currentQueueSize"], body["currentAvailableSlots"]) == (0, 2)


def test_the_account_level_and_all_skills_see_the_same_chats(queue_day):
    account = wire.queue_metrics(health(queue_day).top.totals)
    assert health(queue_day).top.skills is None
    assert (account["enteredQEng"], account["queueSizeSum"]) == (2, 16)
    every = health(queue_day, skills=realtime.ALL).top
    assert list(every.skills) == [HUMAN_SKILL_ID]  # nobody measured the bot skills
    assert wire.queue_metrics(every.totals)["enteredQEng"] == 2


def test_queue_health_intervals_end_on_5_minute_boundaries(queue_day):
    report = health(queue_day, minutes=10, every=5, skills=(HUMAN_SKILL_ID,))
    end = (int(START + 40) // BUCKET + 1) * BUCKET
    assert [ts for ts, _ in report.intervals] == [(end - 600) * 1000, (end - 300) * 1000, end * 1000]
    (_, first), (_, second), (_, last) = report.intervals
    assert first.skills == {} and second.skills == {}  # all of it happened in the last interval
    quiet = wire.queue_metrics(first.totals)
    assert (quiet["enteredQEng"], quiet["maxQueueSize"], quiet["currentQueueSize"]) == (0, -1, -1)
    busy = wire.queue_metrics(last.skills[HUMAN_SKILL_ID])
    assert (busy["enteredQEng"], busy["queueSizeSum"], busy["currentQueueSize"]) == (2, 16, -1)


def test_an_unlimited_agent_counts_one_slot(team):
    elastic = agent(team, ELASTIC)
    wait(team, 10, elastic)
    body = wire.queue_metrics(health(team, skills=(OVERFLOW_SKILL_ID,)).top.skills[OVERFLOW_SKILL_ID])
    assert (body["maxAvailableSlots"], body["currentAvailableSlots"]) == (1, 1)
    skills, _ = realtime.queue_state(team.analytics, team.query, team.account(ACCOUNT), None)
    assert skills[OVERFLOW_SKILL_ID].slots == 1


def test_one_accounts_chats_never_show_in_anothers(sandbox):
    shop = agent(sandbox, SHOP_AGENT, login=sandbox.login(sandbox.account(OTHER_ACCOUNT),
                                                          SHOP_AGENT.credentials))
    chat = ask(sandbox, "sales-human", OTHER_ACCOUNT)
    wait(sandbox, 5, chat, shop)
    sandbox.accept_chat(shop)
    wait(sandbox, 5, chat, shop)
    mine = wire.queue_metrics(health(sandbox).top.totals)
    assert (mine["enteredQEng"], mine["queueSizeCount"], mine["currentQueueSize"]) == (0, 0, -1)
    theirs = wire.queue_metrics(health(sandbox, account=OTHER_ACCOUNT).top.totals)
    assert (theirs["enteredQEng"], theirs["connectedEng"], theirs["totalTimeToAnswer"]) == (1, 1, 5)
    assert activity(sandbox).totals == realtime.Activity()
    assert states(sandbox)[0].top == {}


# --- engagement activity -----------------------------------------------------------------------------

@pytest.fixture
def engagements(sandbox):
    """Chat 1: the bot (visitor talks, 30 s) hands it to demo-agent (silent, 15 s). Chat 2: left
    in the queue after 4 s. Chat 3: the bot, silent, 10 s."""
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)
    one = ask(sandbox, BOT_SKILL)
    sandbox.accept_chat(bot)
    sandbox.add_visitor_line(one, "I need a human")
    wait(sandbox, 30, one, bot, human)
    sandbox.transfer_chat(bot, one, skill_ref=HUMAN_SKILL_ID)
    wait(sandbox, 5, one, bot, human)
    sandbox.accept_chat(human)
    wait(sandbox, 15, one, bot, human)
    sandbox.end_agent_chat(human, one)
    two = ask(sandbox, BOT_SKILL)
    wait(sandbox, 4, two, bot, human)
    sandbox.end_visitor_chat(two)
    three = ask(sandbox, BOT_SKILL)
    sandbox.accept_chat(bot)
    wait(sandbox, 10, three, bot, human)
    sandbox.end_agent_chat(bot, three)
    return sandbox


def test_engagement_activity_totals(engagements):
    assert wire.activity_metrics(activity(engagements).totals) == {
        "totalInteractiveChats": 1, "totalNonInteractiveChats": 3, "totalHandlingTime": 30,
        "nonInteractiveTotalHandlingTime": 15 + 10, "connectedEngagements": 3}


def test_engagement_activity_per_skill_and_agent(engagements):
    window = activity(engagements, realtime.ALL, realtime.ALL)
    bot_agents, bot_skill = window.per_skill[BOT_SKILL_ID]
    assert wire.activity_metrics(bot_agents[BOT_ID]) == {
        "totalInteractiveChats": 1, "totalNonInteractiveChats": 1, "totalHandlingTime": 30,
        "nonInteractiveTotalHandlingTime": 10, "connectedEngagements": 2}
    assert bot_skill.non_interactive == 2  # the abandoned chat: the skill's, nobody's
    human_agents, _ = window.per_skill[HUMAN_SKILL_ID]
    assert wire.activity_metrics(human_agents[AGENT_ID]) == {
        "totalInteractiveChats": 0, "totalNonInteractiveChats": 1, "totalHandlingTime": 0,
        "nonInteractiveTotalHandlingTime": 15, "connectedEngagements": 1}
    assert set(window.per_agent) == {BOT_ID, AGENT_ID}
    assert window.agent_totals.connected == 3 and window.skill_totals.non_interactive == 3
    only = activity(engagements, agents=(AGENT_ID,))
    assert only.per_skill is None and list(only.per_agent) == [AGENT_ID]
    nothing = activity(engagements, skills=("999",), agents=("999",))
    assert nothing.per_skill == {} and nothing.per_agent == {}
    assert nothing.skill_totals == realtime.Activity() == nothing.agent_totals


# --- agent activity ----------------------------------------------------------------------------------

@pytest.fixture
def casey_day(team):
    """Casey (maxChats 1): Online 70 s (a chat from +30), Occupied 30 s (the chat ends at +90),
    then Away 15 s."""
    casey = agent(team, CASEY)
    wait(team, 30, casey)
    chat = ask(team, HUMAN_SKILL)
    assert team.accept_chat(casey) is chat
    wait(team, 40, chat, casey)
    team.set_agent_availability(casey, "Occupied")
    wait(team, 20, chat, casey)
    team.end_agent_chat(casey, chat)
    wait(team, 10, casey)
    team.set_agent_availability(casey, "Away")
    wait(team, 15, casey)
    return team


def test_agent_state_distribution(casey_day):
    report, reasons = states(casey_day)
    entries = {e["name"]: e for e in wire.agent_activity_json(report, reasons)
               ["agentsMetrics"]["metricsPerAgent"][CASEY_ID]}
    value = {name: e["value"] for name, e in entries.items()}
    assert value["Online"] == {"total": 70, "chatting": 40, "notChatting": 30,
                               "chattingInMaxConcurrency": 40}
    assert value["Back in 5"] == {"total": 30, "chatting": 20, "notChatting": 10,
                                  "chattingInMaxConcurrency": 20}
    assert value["Away"] == {"total": 15, "chatting": 0, "notChatting": 15,
                             "chattingInMaxConcurrency": 0}
    assert value["Logged in"] == {"total": 115, "chatting": 60, "notChatting": 55,
                                  "chattingInMaxConcurrency": 60}
    assert [r["id"] for r in entries["Away"]["reasons"]] == ["7001001", "7001002", "7001003"]
    assert [e["id"] for e in entries.values()] == [2, 3, 4, -1]


def test_agent_activity_covers_exactly_the_timeframe(casey_day):
    report, _ = states(casey_day, agents=(CASEY_ID, "999"), minutes=1)  # START+55 .. START+115
    cells = report.top[CASEY_ID]
    assert list(report.top) == [CASEY_ID]
    assert (cells["Online"].total, cells["Occupied"].total, cells["Away"].total) == (15, 30, 15)


def test_agent_activity_per_interval(casey_day):
    report, _ = states(casey_day, minutes=10, every=5)
    end = (int(START + 115) // BUCKET + 1) * BUCKET
    assert [ts for ts, _ in report.intervals][-1] == end * 1000
    logged = sum(c.total for _, agents in report.intervals for c in agents.get(CASEY_ID, {}).values())
    assert logged == pytest.approx(115)


# --- current queue state and SLA -----------------------------------------------------------------

def test_current_queue_state(sandbox):
    early = ask(sandbox, BOT_SKILL)  # nobody on the bot skill: it waits
    wait(sandbox, 5, early)
    human = agent(sandbox, DEMO_AGENT)
    held = ask(sandbox, HUMAN_SKILL)
    sandbox.accept_chat(human)
    ringing = ask(sandbox, HUMAN_SKILL)
    wait(sandbox, 7, early, held, ringing, human)
    account = sandbox.account(ACCOUNT)
    skills, totals = realtime.queue_state(sandbox.analytics, sandbox.query, account, None)
    assert skills == {BOT_SKILL_ID: realtime.QueueNow(0, 1, 12000),
                      HUMAN_SKILL_ID: realtime.QueueNow(1, 1, 7000)}  # 3 - held - ringing
    assert totals == realtime.QueueNow(1, 2, 12000)
    skills, totals = realtime.queue_state(sandbox.analytics, sandbox.query, account,
                                          (HUMAN_SKILL_ID, "999"))
    assert skills["999"] == realtime.QueueNow() and totals == realtime.QueueNow(1, 1, 7000)
    body = wire.queue_state_json(skills, totals, 1)
    assert body["totals"] == {"currentAvailableSlots": 1, "currentQueueSize": 1}


def test_the_sla_histogram_of_the_docs_example(sandbox):
    human = agent(sandbox, DEMO_AGENT)
    for waited in (2, 2, 7, 7, 27):
        chat = ask(sandbox, HUMAN_SKILL)
        wait(sandbox, waited, chat, human)
        sandbox.accept_chat(human)
        sandbox.end_agent_chat(human, chat)
    f = realtime.frame(sandbox.clock.now(), 60)
    account = sandbox.account(ACCOUNT)
    buckets = realtime.sla(sandbox.analytics, account, f, None, None, (0, 5, 10, 20, 30))
    assert wire.sla_json(buckets) == {"slaDataRange": {
        "0": {"accumulated": 0.4, "percentageFromTotal": 0.4, "chats": 2},
        "5": {"accumulated": 0.8, "percentageFromTotal": 0.4, "chats": 2},
        "10": {"accumulated": 0.8, "percentageFromTotal": 0, "chats": 0},
        "20": {"accumulated": 1, "percentageFromTotal": 0.2, "chats": 1},
        "30": {"accumulated": 1, "percentageFromTotal": 0, "chats": 0}}}
    by_group = realtime.sla(sandbox.analytics, account, f, None, ("6001002",), (0,))
    assert by_group[0].chats == 5  # demo-agent is in the Support team group
    for skills, groups in (((BOT_SKILL_ID,), None), (None, ("-1",))):
        assert sum(b.chats for b in realtime.sla(sandbox.analytics, account, f, skills, groups,
                                                 (0,))) == 0


# --- messaging queue health (Messaging Operations) ---------------------------------------------------

def test_messaging_queue_health_is_zero_for_every_live_skill_on_an_exact_frame(sandbox):
    """No messaging here: every average 0; the frame and its intervals are not rounded, each
    interval stamped with its start; a deleted skill or an id of no skill is left out."""
    now = START + 7 * 60 + 13.25  # not on a 5-minute boundary
    f = realtime.frame(now, 20, 10, exact=True)
    assert (f.start, f.end) == (now - 20 * 60, now)
    assert f.intervals == ((now - 20 * 60, now - 10 * 60), (now - 10 * 60, now))
    account = sandbox.account(ACCOUNT)
    sandbox.delete_skill(account, account.skills[BOT_SKILL_ID])
    live = [s for s in sorted(account.skills) if s != BOT_SKILL_ID]
    report = realtime.messaging_queue_health(account, f, realtime.ALL)
    assert list(report.top.skills) == live and report.top.total == realtime.MessagingQueue()
    assert [ts for ts, _ in report.intervals] == [int(round(a * 1000)) for a, _ in f.intervals]
    assert all(list(w.skills) == live for _, w in report.intervals)
    asked = realtime.messaging_queue_health(account, f, (HUMAN_SKILL_ID, BOT_SKILL_ID, "999"))
    assert list(asked.top.skills) == [HUMAN_SKILL_ID]
    body = wire.messaging_queue_health_json(asked)
    assert [row["timestamp"] for row in body["metricsByIntervals"]] == [
        int(round((now - 10 * 60) * 1000)), int(round((now - 20 * 60) * 1000))]  # newest first
    assert body["timeframeSummary"]["metricsTotal"] == {
        name: 0.0 for name, _ in wire.MESSAGING_QUEUE_FIELDS}
    assert all(type(v) is float for v in body["timeframeSummary"]["metricsTotal"].values())
    assert wire.messaging_queue_health_json(realtime.messaging_queue_health(
        account, realtime.frame(now, 60, exact=True), None)).keys() == {"skillsMetrics",
                                                                        "metricsTotal"}
