"""Engagement History's search in the model (mock_server/model/analytics/history.py): the body's
filters and the URL's paging checked as documented, one row per leg of an ended chat, each
filter narrowing, the sort, and the records of another account never in sight."""
import pytest

from mock_server.model.analytics import history
from mock_server.model.errors import BadRequest
from tests.support.constants import (ACCOUNT, AGENT_ID, BOT_ID, BOT_SKILL, BOT_SKILL_ID,
                                     DEMO_AGENT, DEMO_BOT, HUMAN_SKILL, HUMAN_SKILL_ID,
                                     OTHER_ACCOUNT, SHOP_BOT, SHOP_BOT_SKILL)
from tests.unit.conftest import START, advance, agent, ask, chatting, log_in, wait

NOW_MS = int(START * 1000)
HOUR = 3_600_000
CARD = {"type": "vertical", "elements": [{"type": "text", "text": "Track your order"}]}


def window(**filters) -> dict:
    """A search body over the hour around the sandbox's start, with `filters`."""
    return {"start": {"from": NOW_MS - HOUR, "to": NOW_MS + HOUR}, **filters}


def find(sb, body=None, offset=None, limit=None, sort=None, account=ACCOUNT) -> history.Page:
    criteria = history.parse_criteria(window() if body is None else body)
    paging = history.parse_paging(offset, limit, sort)
    return history.search(sb, sb.account(account), criteria, paging)


def legs(page: history.Page) -> list[tuple]:
    """(chat id, leg sequence) of each row, in order."""
    return [(row.chat.id, row.leg.sequence) for row in page.rows]


@pytest.fixture
def served(sandbox):
    """Chats `happy`, `handed` (bot to Alex), `abandoned`, `open`; and `shop` of the other account."""
    # happy: the bot, a rich card, pre-chat, exit and agent surveys, ended by the bot; handed:
    # the bot hands it over with a reason; abandoned: nobody took it; open: still chatting.
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT, availability="Away")
    prechat = sandbox.account(ACCOUNT).surveys["preChat"]
    name_q = next(q for q in prechat.questions if "name" in q.label)
    happy = chatting(sandbox, bot, BOT_SKILL,
                     survey={"id": prechat.id, "question": [{"id": name_q.id, "answer": "Irena"}]})
    advance(sandbox, 2)
    sandbox.add_visitor_line(happy, "I love your service, thank you so much!")
    sandbox.add_agent_line(bot, happy, "", text_type="rich-content", json=CARD)
    advance(sandbox, 30)
    sandbox.end_agent_chat(bot, happy)
    exit_survey = sandbox.account(ACCOUNT).surveys["exit"]
    csat = next(q for q in exit_survey.questions if q.csat)
    sandbox.submit_survey(happy, "exit", {"id": exit_survey.id,
                                          "question": [{"id": csat.id, "answer": "5"}]})
    agent_survey = sandbox.account(ACCOUNT).surveys["agent"]
    fcr = next(q for q in agent_survey.questions if q.fcr)
    sandbox.submit_survey(happy, "agent", {"id": agent_survey.id,
                                           "question": [{"id": fcr.id, "answer": "Yes"}]})

    wait(sandbox, 60, bot, human)
    sandbox.set_agent_availability(human, "Online")
    handed = chatting(sandbox, bot, BOT_SKILL)
    sandbox.add_visitor_line(handed, "This is useless and terrible, I want a human")
    sandbox.transfer_chat(bot, handed, skill_ref=HUMAN_SKILL_ID, text="Customer asked for a human")
    advance(sandbox, 4)
    sandbox.accept_chat(human)
    sandbox.add_agent_line(human, handed, "Hi, Alex here. Where is the ipad order from?")
    wait(sandbox, 100, bot, human, handed)
    sandbox.end_agent_chat(human, handed)

    sandbox.set_agent_availability(human, "Away")
    abandoned = ask(sandbox, HUMAN_SKILL)
    advance(sandbox, 5)
    sandbox.end_visitor_chat(abandoned)
    open_chat = chatting(sandbox, bot, BOT_SKILL)
    shop_bot = agent(sandbox, SHOP_BOT, login=log_in(sandbox, SHOP_BOT, OTHER_ACCOUNT))
    shop = chatting(sandbox, shop_bot, SHOP_BOT_SKILL)
    sandbox.end_visitor_chat(shop)
    return {"sb": sandbox, "happy": happy, "handed": handed, "abandoned": abandoned,
            "open": open_chat, "shop": shop}


# --- the request ----------------------------------------------------------------------------------

def test_start_is_required_rounded_out_to_ten_minutes_and_at_most_a_month():
    with pytest.raises(BadRequest):
        history.parse_start({})
    with pytest.raises(BadRequest):
        history.parse_start({"start": {"from": NOW_MS}})
    assert history.parse_start({"start": {"from": 1433140200001, "to": "1435645800001"}}) == (
        1433140200000, 1435646400000)
    month = 31 * 86_400_000
    assert history.parse_start({"start": {"from": 0, "to": month}}) == (0, month)
    for bad in ({"from": 0, "to": month + 1}, {"from": 10, "to": 5}, {"from": -5, "to": 5},
                {"from": "soon", "to": 5}, {"from": True, "to": 5}, {"from": [1], "to": 5}):
        with pytest.raises(BadRequest):
            history.parse_start({"start": bad})
    # the messaging sibling: three months, and `to` -1 for now
    assert history.parse_start({"start": {"from": 0, "to": -1}}, 92, now_ms=1_200_000) == (0, 1_200_000)


def test_paging_defaults_limits_and_sort():
    assert history.parse_paging(None, None, None) == history.Paging(0, 50, (), None)
    paging = history.parse_paging("100", "100", "start:asc,duration:desc")
    assert (paging.offset, paging.limit) == (100, 100)
    assert paging.sort == (("start", False), ("duration", True))
    assert history.parse_paging(None, None, "start:des").sort == (("start", True),)
    assert history.parse_paging(None, None, "skillId").sort == (("skillId", False),)
    for offset, limit, sort in (("-1", None, None), (None, "101", None), (None, "0", None),
                                ("x", None, None), (None, None, "bogus:asc"),
                                (None, None, "start:up"), (None, None, "start:asc,,end")):
        with pytest.raises(BadRequest):
            history.parse_paging(offset, limit, sort)
    with pytest.raises(BadRequest):  # the messaging API sorts by start and end only
        history.parse_paging(None, None, "duration:asc", history.MESSAGING_SORT_FIELDS)


@pytest.mark.parametrize("filters", [
    {"keyword": 'one "two" "three"'}, {"keyword": 'an "open phrase'},
    {"keyword_search_area": {"types": ["chatLine", "shoeSize"]}},
    {"keyword_search_area": ["chatLine"]}, {"skillIds": "2001001"}, {"agentIds": [{"id": 1}]},
    {"duration": {"from": 0}}, {"duration": {"from": 9, "to": 3}}, {"interactive": "yes"},
    {"ended": 1}, {"channel": 7}, {"channel": True}, {"alertedMcsValues": ["2"]},
    {"alertedMcsValues": "1"}, {"chatMCS": {}}, {"chatMCS": {"from": 101}}, {"mcs": 5},
    {"hasCoBrowse": "maybe"}, {"coBrowseDuration": {"to": 5}}, {"lineContentTypes": ["VIDEO"]},
    {"visitor": {"id": 1}}, {"engagementId": ["x"]},
])
def test_bad_filters_are_refused(filters):
    with pytest.raises(BadRequest):
        history.parse_criteria(window(**filters))


# --- the search -----------------------------------------------------------------------------------

def test_one_row_per_leg_of_each_ended_chat_of_the_account(served):
    sb, happy, handed, abandoned = served["sb"], served["happy"], served["handed"], served["abandoned"]
    page = find(sb)
    assert legs(page) == [(happy.id, 0), (handed.id, 0), (handed.id, 1), (abandoned.id, 0)]
    assert page.count == 4
    bot_leg, human_leg = page.rows[1].leg, page.rows[2].leg
    assert (bot_leg.agent_id, bot_leg.end_reason, human_leg.agent_id, human_leg.start_reason) == (
        BOT_ID, "106", AGENT_ID, "6")
    # the bot's reason is its leg's agent-only line, before the hand-over
    notes = [e for e in history.lines(handed, bot_leg) if e.sub_type == "ONLY_TO_REP"]
    assert [e.text for e in notes] == ["Customer asked for a human"]
    assert not [e for e in history.lines(handed, human_leg) if e.sub_type == "ONLY_TO_REP"]
    assert (page.rows[3].leg.agent_id, history.duration(page.rows[3].leg)) == (None, 0)
    # the other account sees only its own chat
    assert legs(find(sb, account=OTHER_ACCOUNT)) == [(served["shop"].id, 0)]


def test_the_time_range_is_the_engagement_start_and_visitor_and_engagement_id_ignore_it(served):
    sb, happy, handed = served["sb"], served["happy"], served["handed"]
    late = {"start": {"from": NOW_MS + 80_000, "to": NOW_MS + 90_000}}  # rounded out: 14:10 to 14:20 UTC
    assert legs(find(sb, late)) == legs(find(sb))
    before = {"start": {"from": NOW_MS - 2 * HOUR, "to": NOW_MS - HOUR}}
    assert find(sb, before).count == 0
    assert legs(find(sb, {**before, "visitor": handed.visitor.visitor_id})) == [
        (handed.id, 0), (handed.id, 1)]
    assert legs(find(sb, {**before, "engagementId": f"{ACCOUNT}{happy.id}"})) == [(happy.id, 0)]
    assert legs(find(sb, {**before, "engagementId": f"{ACCOUNT}nothing"})) == []


@pytest.mark.parametrize("filters, expected", [
    ({"skillIds": [HUMAN_SKILL_ID]}, [("handed", 1), ("abandoned", 0)]),
    ({"skillIds": [int(BOT_SKILL_ID), "-1"]}, [("happy", 0), ("handed", 0)]),
    ({"agentIds": [AGENT_ID]}, [("handed", 1)]),
    ({"agentIds": ["-1"]}, [("abandoned", 0)]),
    ({"agentGroupIds": ["6001001"]}, [("happy", 0), ("handed", 0)]),
    ({"duration": {"from": 90, "to": 200}}, [("handed", 1)]),
    ({"duration": {"from": 0, "to": 0}}, [("handed", 0), ("abandoned", 0)]),
    ({"interactive": True}, [("happy", 0), ("handed", 0)]),
    ({"interactive": False}, [("happy", 0), ("handed", 0), ("handed", 1), ("abandoned", 0)]),
    ({"ended": True, "channel": 1}, [("happy", 0), ("handed", 0), ("handed", 1), ("abandoned", 0)]),
    ({"ended": False}, []), ({"channel": 2}, []), ({"hasCoBrowse": True}, []),
    ({"hasInteractiveCoBrowse": True}, []), ({"coBrowseDuration": {"from": 0, "to": 60}}, []),
    ({"hasCoBrowse": False}, [("happy", 0), ("handed", 0), ("handed", 1), ("abandoned", 0)]),
    ({"alertedMcsValues": ["1"]}, [("happy", 0)]),
    ({"alertedMcsValues": ["-1", 0]}, [("handed", 0), ("handed", 1)]),
    ({"mcs": 1, "keyword_search_area": {"types": ["mcs"]}}, [("happy", 0)]),
    ({"chatMCS": {"from": "30"}}, [("happy", 0)]),
    ({"chatMCS": {"to": -30}}, [("handed", 0), ("handed", 1)]),
    ({"lineContentTypes": ["RICH_CONTENT"]}, [("happy", 0)]),
    ({"keyword": "IPAD"}, [("handed", 1)]),
    ({"keyword": "ipad", "keyword_search_area": {"types": ["surveyAnswer"]}}, []),
    ({"keyword": '"want a human"'}, [("handed", 0)]),
    ({"keyword": '"human want"'}, []),
    ({"keyword": "Irena", "keyword_search_area": {"types": ["surveyAnswer"]}}, [("happy", 0)]),
    ({"keyword": "satisfied", "keyword_search_area": {"types": ["surveyQuestion"]}}, [("happy", 0)]),
    ({"keyword": "Irena", "keyword_search_area": {"types": ["chatLine", "ea.personalInfo"]}}, []),
])
def test_each_filter_narrows(served, filters, expected):
    names = {served[name].id: name for name in ("happy", "handed", "abandoned")}
    assert [(names[c], n) for c, n in legs(find(served["sb"], window(**filters)))] == expected


def test_visitor_info_is_searchable(served):
    happy = served["happy"]
    city = happy.visitor.persona.city
    body = window(keyword=city, keyword_search_area={"types": ["visitorInfo"]})
    assert (happy.id, 0) in legs(find(served["sb"], body))


def test_sort_and_paging(served):
    sb, happy, handed, abandoned = served["sb"], served["happy"], served["handed"], served["abandoned"]
    by_duration = find(sb, sort="duration:desc,start:asc")
    assert legs(by_duration) == [(handed.id, 1), (happy.id, 0), (handed.id, 0), (abandoned.id, 0)]
    assert legs(find(sb, sort="start:des"))[0] == (abandoned.id, 0)
    assert legs(find(sb, sort="agentId:asc"))[0] == (abandoned.id, 0)  # "-1" first
    page = find(sb, offset="1", limit="2")
    assert (page.count, legs(page)) == (4, [(handed.id, 0), (handed.id, 1)])
    assert find(sb, offset="4").rows == []


def test_survey_answers_and_mcs_of_a_leg(served):
    sb, happy, handed = served["sb"], served["happy"], served["handed"]
    account = sb.account(ACCOUNT)
    (row,) = [r for r in find(sb).rows if r.chat is happy]
    answers = history.surveys(account, row)
    assert [(a.section, a.source, a.values) for a in answers] == [
        ("preChat", "Pre-Chat", ["Irena"]), ("postChat", "Exit", ["5"]),
        ("operator", "Operator", ["Yes"])]
    bot_row, human_row = [r for r in find(sb).rows if r.chat is handed]
    assert history.leg_mcs(bot_row.record, bot_row.leg) < -33
    assert history.leg_mcs(human_row.record, human_row.leg) == history.leg_mcs(bot_row.record,
                                                                               bot_row.leg)
    assert history.line_scores(human_row.record, human_row.leg) == []
