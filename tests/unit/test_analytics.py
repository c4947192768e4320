"""Step 5 metrics in the model (mock_server/model/analytics): the recorder's chat records built
from the bus, MCS, CSAT and resolution, transfers and their reasons, scorecards, A/B splits."""
import pytest

from mock_server.model.analytics import mcs
from mock_server.model.analytics.abtest import MIN_CHATS
from mock_server.model.analytics.records import (END_REP_DISCONNECTED, END_REP_STOPPED,
                                                 END_TRANSFER_TO_SKILL, END_VISITOR_CLOSED,
                                                 START_SKILL_REASSIGN, START_VISITOR_REQUEST)
from mock_server.model.errors import BadRequest
from tests.support.constants import (ACCOUNT, AGENT_ID, BOT_ID, BOT_SKILL, BOT_SKILL_ID, DEMO_AGENT,
                                     DEMO_BOT, HUMAN_SKILL_ID)
from tests.unit.conftest import advance, agent, ask, chatting

ENGAGEMENT = "5001001"  # the demo engagement "Chat with the bot" (skill support-bot)


def survey_answers(sb, chat, kind="exit", **by_label):
    """Submit answers to the chat's survey, naming questions by a word of their label."""
    survey = sb.account(ACCOUNT).surveys[kind]
    items = []
    for word, answer in by_label.items():
        question = next(q for q in survey.questions if word in q.label.lower())
        items.append({"id": question.id, "answer": answer})
    return sb.submit_survey(chat, kind, {"id": survey.id, "question": items})


# --- MCS ------------------------------------------------------------------------------------------

def test_line_scores_follow_vader_mapped_to_plus_minus_100():
    assert mcs.line_score("I love your service, thank you so much!") > 60
    assert mcs.line_score("This is useless and terrible, I hate it") < -60
    assert mcs.line_score("Where is my order?") == 0


def test_a_drop_weighs_twice_a_lift_and_neutral_lines_leave_the_score():
    assert mcs.next_score(None, 0) is None
    assert mcs.next_score(None, 60) == 60
    assert mcs.next_score(60, 0) == 60  # neutral: no sentiment, no move
    assert mcs.next_score(0, -60) == -40  # a drop moves 2/3 of the way
    assert mcs.next_score(0, 60) == 20  # a lift 1/3
    # one angry line then a polite one: some of the negative stays
    assert mcs.next_score(mcs.next_score(None, -80), 60) < 0


def test_buckets_and_aggregate_are_the_documented_ones():
    assert [mcs.bucket(s) for s in (-34, -33, 0, 33, 34, None)] == [-1, 0, 0, 0, 1, None]
    assert mcs.aggregate([-60, -20, -5, 0, 50]) == -40  # the docs' own example
    assert mcs.aggregate([]) is None


# --- the record of a chat -----------------------------------------------------------------------------

def test_a_bot_chat_that_the_bot_answers_is_resolved(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    chat = chatting(sandbox, bot, BOT_SKILL)
    advance(sandbox, 2)
    sandbox.add_visitor_line(chat, "Hi, where is my order?")
    advance(sandbox, 3)
    sandbox.add_agent_line(bot, chat, "It ships tomorrow.")
    sandbox.add_visitor_line(chat, "Great, thank you so much!")
    sandbox.add_agent_line(bot, chat, "You are welcome!")
    sandbox.end_agent_chat(bot, chat)
    record = sandbox.analytics.records[chat.id]
    assert (record.visitor_lines, record.agent_lines) == (2, 2)
    assert record.first_response_seconds == 5
    assert record.chat_mcs > 0 and [s.line_seq for s in record.line_scores] == [
        e.id for e in chat.events if e.source == "visitor"]
    (leg,) = record.legs
    assert (leg.agent_id, leg.skill_id, leg.start_reason, leg.end_reason) == (
        BOT_ID, BOT_SKILL_ID, START_VISITOR_REQUEST, END_REP_STOPPED)
    assert record.ended_by == "agent" and record.resolved is True
    assert not record.transferred


def test_a_transfer_closes_the_leg_with_its_reason_and_opens_the_next(sandbox):
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)
    chat = chatting(sandbox, bot, BOT_SKILL)
    sandbox.add_visitor_line(chat, "This is useless, I want a human now")
    sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID, text="Customer asked for a human")
    advance(sandbox, 4)
    sandbox.accept_chat(human)
    sandbox.add_agent_line(human, chat, "Hi, Alex here")
    sandbox.end_visitor_chat(chat)
    record = sandbox.analytics.records[chat.id]
    first, second = record.legs
    assert (first.agent_id, first.end_reason, second.start_reason) == (
        BOT_ID, END_TRANSFER_TO_SKILL, START_SKILL_REASSIGN)
    assert (second.agent_id, second.skill_id, second.end_reason) == (AGENT_ID, HUMAN_SKILL_ID,
                                                                      END_VISITOR_CLOSED)
    assert second.connected - second.queued == 4
    assert first.last_event + 1 == second.first_event
    (transfer,) = record.transfers
    assert (transfer.from_agent_type, transfer.to_skill_id, transfer.reason) == (
        "bot", HUMAN_SKILL_ID, "Customer asked for a human")
    assert record.transferred_to_human and record.resolved is False
    assert record.chat_mcs < -33 and mcs.bucket(record.chat_mcs) == -1


def test_a_requeue_ends_the_leg_as_rep_disconnected(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    chat = chatting(sandbox, bot, BOT_SKILL)
    sandbox.end_agent_session(bot, "logout")
    record = sandbox.analytics.records[chat.id]
    assert [leg.end_reason for leg in record.legs] == [END_REP_DISCONNECTED, None]
    assert record.legs[1].start_reason == "3"


def test_surveys_give_csat_and_the_consumer_resolution_answer_wins(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    chat = chatting(sandbox, bot, BOT_SKILL)
    sandbox.add_visitor_line(chat, "hello")
    sandbox.add_agent_line(bot, chat, "hi")
    sandbox.end_visitor_chat(chat)
    record = sandbox.analytics.records[chat.id]
    assert record.resolved is True  # inferred: the agent spoke last
    survey_answers(sandbox, chat, satisfied=["2"], resolved=["No"])
    assert (record.csat, record.resolved) == (2, False)


def test_a_chat_that_nobody_took_is_an_abandoned_queue_wait(sandbox):
    chat = ask(sandbox, BOT_SKILL)
    advance(sandbox, 7)
    sandbox.end_visitor_chat(chat)
    (episode,) = sandbox.analytics.episodes(ACCOUNT)
    assert (episode.outcome, episode.left - episode.entered) == ("abandoned", 7)
    assert sandbox.analytics.records[chat.id].resolved is False


# --- scorecards and A/B ---------------------------------------------------------------------------------

def test_scorecards_by_bot_rank_transfer_reasons(sandbox):
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)
    for reason in ("Customer asked for a human", "Customer asked for a human", "Billing question"):
        chat = chatting(sandbox, bot, BOT_SKILL)
        sandbox.add_visitor_line(chat, "help")
        sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID, text=reason)
        sandbox.end_visitor_chat(chat)
    cards = {c.key: c for c in sandbox.scorecards(sandbox.account(ACCOUNT), "bot")}
    card = cards[BOT_ID]
    assert (card.chats, card.ended, card.transfers, card.transfer_rate) == (3, 3, 3, 1.0)
    assert card.reasons == [("Customer asked for a human", 2), ("Billing question", 1)]


def ab_config(weights=(50, 50)):
    return {"id": "bots", "engagement": ENGAGEMENT, "variants": [
        {"name": "A", "skill": BOT_SKILL, "weight": weights[0]},
        {"name": "B", "skill": HUMAN_SKILL_ID, "weight": weights[1]}]}


def test_an_ab_test_splits_the_engagement_by_weight_and_repeats_under_a_seed(sandbox):
    account = sandbox.account(ACCOUNT)
    sandbox.save_ab_test(account, ab_config())
    chats = [ask(sandbox, None, engagementId=ENGAGEMENT) for _ in range(40)]
    variants = [c.variant for c in chats]
    assert {v[1] for v in variants} == {"A", "B"}
    assert all(c.skill_id == (BOT_SKILL_ID if c.variant[1] == "A" else HUMAN_SKILL_ID) for c in chats)
    assert ask(sandbox, BOT_SKILL, engagementId=ENGAGEMENT).variant is None  # a named skill wins
    from tests.unit.conftest import make_sandbox
    again = make_sandbox()
    again.save_ab_test(again.account(ACCOUNT), ab_config())
    assert [ask(again, None, engagementId=ENGAGEMENT).variant for _ in range(40)] == variants


def test_a_refused_ab_test_changes_nothing(sandbox):
    account = sandbox.account(ACCOUNT)
    bad = ab_config()
    bad["variants"][1]["skill"] = "no-such-skill"
    before = dict(sandbox.ab_tests[ACCOUNT])
    with pytest.raises(BadRequest):
        sandbox.save_ab_test(account, bad)
    assert sandbox.ab_tests[ACCOUNT] == before and "bots" not in before


def test_ab_results_say_not_enough_data_below_the_minimum_then_significant(sandbox):
    account = sandbox.account(ACCOUNT)
    sandbox.save_ab_test(account, ab_config())
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)

    def run(n):
        for _ in range(n):
            chat = ask(sandbox, None, engagementId=ENGAGEMENT)
            session = bot if chat.skill_id == BOT_SKILL_ID else human
            sandbox.accept_chat(session)
            sandbox.add_visitor_line(chat, "hello")
            if session is bot:  # variant A transfers every chat; B resolves every one
                sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID, text="needs a human")
                sandbox.end_visitor_chat(chat)
            else:
                sandbox.add_agent_line(human, chat, "done")
                sandbox.end_agent_chat(human, chat)

    run(10)
    early = sandbox.ab_results(account, "bots")
    assert early["metrics"]["transfer"]["status"] == "not enough data"
    assert not early["enoughData"] and "not enough data" in early["verdict"]
    run(4 * MIN_CHATS)
    late = sandbox.ab_results(account, "bots")
    transfer = late["metrics"]["transfer"]
    assert transfer["significant"] and transfer["highest"] == "A" and transfer["p"] < 0.001
    assert "A transferred to a human more than B" in transfer["verdict"]
    a, b = late["variants"]
    assert a["transfer"]["ci"][0] > b["transfer"]["ci"][1]
