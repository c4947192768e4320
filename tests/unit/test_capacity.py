"""Capacity reads (mock_server/model/queries.py): availableSlots, estimatedWaitTime, chat
availability and availableAgents, on the demo config and the team config."""
import pytest

from mock_server.model.errors import BadRequest
from tests.support.constants import (ACCOUNT, ADMIN_ID, AGENT_ID, BOT_B_ID, BOT_ID, BOT_SKILL, BOT_SKILL_ID, DEMO_ADMIN,
                                     DEMO_AGENT, DEMO_BOT, HUMAN_SKILL)
from tests.unit.conftest import (BLAKE, ELASTIC, OVERFLOW_SKILL, agent, ask, chatting, wait)


def slots(sb, skill=None, max_wait_time=None, agent=None) -> int:
    return sb.query.available_slots(sb.account(ACCOUNT), skill, max_wait_time, agent)


def ewt(sb, skill=None) -> int:
    return sb.query.estimated_wait_time(sb.account(ACCOUNT), skill)


def available(sb, skill=None, max_wait_time=None, agent=None) -> bool:
    return sb.query.chat_available(sb.account(ACCOUNT), skill, max_wait_time, agent)


# --- availableSlots ---------------------------------------------------------------------------------

def test_no_agent_online_means_no_slots(sandbox):
    assert [slots(sandbox), slots(sandbox, BOT_SKILL), slots(sandbox, agent=DEMO_BOT.login)] == [0, 0, 0]
    agent(sandbox, DEMO_BOT, availability=None)  # a session, but Away
    assert [slots(sandbox), slots(sandbox, BOT_SKILL), slots(sandbox, agent=DEMO_BOT.login)] == [0, 0, 0]


def test_slots_per_skill_per_agent_and_in_all(sandbox):
    agent(sandbox, DEMO_BOT)  # maxChats 5, support-bot
    assert slots(sandbox, BOT_SKILL) == slots(sandbox, BOT_SKILL_ID) == 5  # by name or by id
    assert slots(sandbox, HUMAN_SKILL) == 0
    assert slots(sandbox, agent=DEMO_BOT.login) == 5
    assert slots(sandbox, agent=DEMO_AGENT.login) == 0  # not logged in
    agent(sandbox, DEMO_AGENT)  # maxChats 3, support-human
    assert slots(sandbox, HUMAN_SKILL) == 3
    assert slots(sandbox, agent=DEMO_AGENT.login) == 3
    assert slots(sandbox) == 8  # no skill: every Online agent of the account


def test_unknown_skill_or_agent_has_no_slots(sandbox):
    agent(sandbox, DEMO_BOT)
    assert slots(sandbox, "no-such-skill") == 0
    assert slots(sandbox, "no-such-skill", max_wait_time=60) == 0  # was a 500 (found by the fuzzer)
    assert slots(sandbox, agent="nobody") == 0
    assert slots(sandbox, agent="nobody", max_wait_time=60) == 0


def test_slots_follow_rings_holds_and_ends(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    chat = ask(sandbox, BOT_SKILL)
    assert slots(sandbox, BOT_SKILL) == 4  # ringing counts as taken
    sandbox.accept_chat(bot)
    assert slots(sandbox, BOT_SKILL) == 4
    assert sandbox.query.free_slots(bot) == 4
    sandbox.end_agent_chat(bot, chat)
    assert slots(sandbox, BOT_SKILL) == 5


def test_only_online_sessions_offer_slots(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    for state, expected in (("Occupied", 0), ("Away", 0), ("Online", 5)):
        sandbox.set_agent_availability(bot, state)
        seen = (state, slots(sandbox, BOT_SKILL), slots(sandbox, agent=DEMO_BOT.login))
        assert seen == (state, expected, expected)


def test_an_agent_with_two_sessions_counts_once(sandbox):
    agent(sandbox, DEMO_AGENT), agent(sandbox, DEMO_AGENT)
    assert slots(sandbox, HUMAN_SKILL) == 3
    assert slots(sandbox) == 3


def test_full_agent_has_zero_slots(sandbox):
    human = agent(sandbox, DEMO_AGENT)
    for _ in range(3):
        chatting(sandbox, human, HUMAN_SKILL)
    ask(sandbox, HUMAN_SKILL)  # queued
    assert slots(sandbox, HUMAN_SKILL) == 0
    assert slots(sandbox, HUMAN_SKILL, max_wait_time=60) == 0  # never negative


def test_unlimited_max_chats_is_minus_one(team):
    elastic = agent(team, ELASTIC)  # maxChats -1
    assert team.query.free_slots(elastic) is None
    assert slots(team, OVERFLOW_SKILL) == -1
    assert slots(team, agent=ELASTIC.login) == -1
    assert slots(team) == -1  # one unlimited agent makes the account unlimited
    for _ in range(10):
        chatting(team, elastic, OVERFLOW_SKILL)
    assert slots(team, OVERFLOW_SKILL) == -1
    assert slots(team, OVERFLOW_SKILL, max_wait_time=60) == -1
    assert slots(team, HUMAN_SKILL) == 0  # other skills keep their own count


def test_max_wait_time_zero_is_the_plain_count(sandbox):
    agent(sandbox, DEMO_BOT)
    ask(sandbox, BOT_SKILL)
    assert slots(sandbox, BOT_SKILL, max_wait_time=0) == slots(sandbox, BOT_SKILL) == 4


def test_max_wait_time_does_not_count_a_ringing_chat_twice(sandbox):
    agent(sandbox, DEMO_AGENT)  # maxChats 3
    chat = ask(sandbox, HUMAN_SKILL)
    assert chat.ringing_session_id is not None
    assert slots(sandbox, HUMAN_SKILL) == 2
    assert slots(sandbox, HUMAN_SKILL, max_wait_time=60) == 2


def test_max_wait_time_takes_off_only_the_skills_own_queue(sandbox):
    agent(sandbox, DEMO_BOT)  # 5 slots on support-bot
    ask(sandbox, HUMAN_SKILL), ask(sandbox, HUMAN_SKILL)  # nobody on support-human: they wait
    assert slots(sandbox, BOT_SKILL) == 5
    assert slots(sandbox, BOT_SKILL, max_wait_time=60) == 5


# --- estimatedWaitTime ------------------------------------------------------------------------------

def test_wait_time_is_minus_one_with_nobody_online(sandbox):
    assert ewt(sandbox, HUMAN_SKILL) == -1
    assert ewt(sandbox) == -1
    agent(sandbox, DEMO_BOT)  # on another skill
    assert ewt(sandbox, HUMAN_SKILL) == -1
    human = agent(sandbox, DEMO_AGENT, availability="Occupied")  # on duty, but not Online
    assert ewt(sandbox, HUMAN_SKILL) == -1
    sandbox.set_agent_availability(human, "Away")
    assert ewt(sandbox, HUMAN_SKILL) == -1
    assert ewt(sandbox, "no-such-skill") == -1


def test_wait_time_is_zero_with_a_free_slot(sandbox):
    agent(sandbox, DEMO_AGENT)
    assert ewt(sandbox, HUMAN_SKILL) == 0
    ask(sandbox, HUMAN_SKILL), ask(sandbox, HUMAN_SKILL)  # two ringing, one slot left
    assert ewt(sandbox, HUMAN_SKILL) == 0


def test_wait_time_is_minus_two_without_history_of_the_skill(sandbox):
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)
    handled = chatting(sandbox, bot, BOT_SKILL)
    sandbox.clock.advance(20)
    sandbox.end_agent_chat(bot, handled)  # history, but of support-bot
    for _ in range(3):
        chatting(sandbox, human, HUMAN_SKILL)
    assert ewt(sandbox, HUMAN_SKILL) == -2


def test_wait_time_from_history_queue_and_agents_on_duty(team):
    human = agent(team, DEMO_AGENT)  # maxChats 3
    chats = [chatting(team, human, HUMAN_SKILL) for _ in range(3)]
    wait(team, 30, *chats, human)
    team.end_agent_chat(human, chats[0])  # one chat handled in 30 s
    assert ewt(team, HUMAN_SKILL) == 0  # its slot is free
    ringing = ask(team, HUMAN_SKILL)  # takes the slot; it still waits until accepted
    assert ringing.ringing_session_id == human.id
    assert ewt(team, HUMAN_SKILL) == 60  # 30 s x (1 waiting + 1) / 1 agent
    team.accept_chat(human)
    assert ewt(team, HUMAN_SKILL) == 30  # 30 s x (0 + 1) / 1
    ask(team, HUMAN_SKILL), ask(team, HUMAN_SKILL)  # full: they queue
    assert ewt(team, HUMAN_SKILL) == 90  # 30 x (2 + 1) / 1
    agent(team, BLAKE, availability="Occupied")  # a second agent on duty (not taking new chats)
    assert ewt(team, HUMAN_SKILL) == 45  # 30 x 3 / 2
    assert ewt(team) == 45  # the account: the same history and queue here


def test_wait_time_averages_the_handled_chats(sandbox):
    human = agent(sandbox, DEMO_AGENT)
    short, long_ = chatting(sandbox, human, HUMAN_SKILL), chatting(sandbox, human, HUMAN_SKILL)
    third = chatting(sandbox, human, HUMAN_SKILL)
    wait(sandbox, 10, short, long_, third, human)
    sandbox.end_visitor_chat(short)  # 10 s
    wait(sandbox, 20, long_, third, human)
    sandbox.end_agent_chat(human, long_)  # 30 s
    chatting(sandbox, human, HUMAN_SKILL), chatting(sandbox, human, HUMAN_SKILL)
    assert ewt(sandbox, HUMAN_SKILL) == 20  # (10 + 30) / 2 x (0 + 1) / 1


# --- chat availability ------------------------------------------------------------------------------

def test_availability_follows_online_agents(sandbox):
    assert available(sandbox, BOT_SKILL) is False
    assert available(sandbox) is False
    bot = agent(sandbox, DEMO_BOT)
    assert available(sandbox, BOT_SKILL) is True
    assert available(sandbox, BOT_SKILL_ID, max_wait_time=0) is True
    assert available(sandbox, HUMAN_SKILL) is False
    assert available(sandbox) is True
    assert available(sandbox, agent=DEMO_BOT.login) is True
    assert available(sandbox, agent=DEMO_AGENT.login) is False
    sandbox.set_agent_availability(bot, "Occupied")
    assert available(sandbox, BOT_SKILL) is False


def test_availability_with_max_wait_zero_needs_a_free_slot(sandbox):
    human = agent(sandbox, DEMO_AGENT)  # maxChats 3
    for _ in range(3):
        ask(sandbox, HUMAN_SKILL)  # ringing counts as taken
    assert available(sandbox, HUMAN_SKILL, max_wait_time=0) is False
    assert available(sandbox, HUMAN_SKILL, max_wait_time="0") is False
    assert available(sandbox, HUMAN_SKILL) is True  # someone Online is enough without it
    assert available(sandbox, HUMAN_SKILL, max_wait_time=60) is True
    assert available(sandbox, agent=DEMO_AGENT.login) is False  # an agent needs a free slot
    sandbox.accept_chat(human)
    chat = sandbox.query.held_chats(human)[0]
    sandbox.end_agent_chat(human, chat)
    assert available(sandbox, HUMAN_SKILL, max_wait_time=0) is True
    assert available(sandbox, agent=DEMO_AGENT.login) is True


def test_availability_of_an_unknown_skill_is_the_callers_error(sandbox):
    with pytest.raises(BadRequest) as refused:
        available(sandbox, "no-such-skill")
    assert refused.value.internal_code == 20


# --- availableAgents --------------------------------------------------------------------------------

def agent_rows(sb) -> dict:
    """availableAgents of the demo account: user id -> (chat state, chats held, since)."""
    return {user.id: (state, load, since)
            for user, state, load, since in sb.query.available_agents(sb.account(ACCOUNT))}


def test_available_agents_lists_every_enabled_user(sandbox):
    rows = agent_rows(sandbox)
    assert rows == {BOT_ID: ("Offline", 0, sandbox.started), AGENT_ID: ("Offline", 0, sandbox.started),
                    ADMIN_ID: ("Offline", 0, sandbox.started), BOT_B_ID: ("Offline", 0, sandbox.started)}
    human = agent(sandbox, DEMO_AGENT)
    sandbox.clock.advance(7)
    chatting(sandbox, human, HUMAN_SKILL)
    rows = agent_rows(sandbox)
    assert rows[AGENT_ID] == ("Online", 1, human.state_since)
    assert human.state_since == sandbox.clock.now() - 7


def test_available_agents_filters(sandbox):
    account = sandbox.account(ACCOUNT)

    def ids(**filters):
        return sorted(u.id for u, *_ in sandbox.query.available_agents(account, **filters))

    agent(sandbox, DEMO_BOT)
    agent(sandbox, DEMO_AGENT, availability="Occupied")
    assert ids(chat_state="Online") == ids(chat_state="2") == [BOT_ID]
    assert ids(chat_state="Occupied") == ids(chat_state=3) == [AGENT_ID]
    assert ids(chat_state="1") == [ADMIN_ID, BOT_B_ID]
    assert ids(skill=HUMAN_SKILL) == [AGENT_ID]
    assert ids(voice_state="Online") == []
    assert ids(voice_state="1") == sorted([BOT_ID, AGENT_ID, ADMIN_ID, BOT_B_ID])
    with pytest.raises(BadRequest) as refused:
        ids(chat_state="Sleepy")
    assert refused.value.internal_code == 70


def test_available_agents_shows_the_newest_session_and_skips_disabled_users(sandbox):
    account = sandbox.account(ACCOUNT)
    agent(sandbox, DEMO_AGENT)
    agent(sandbox, DEMO_AGENT, availability="Away")
    states = {u.id: s for u, s, *_ in sandbox.query.available_agents(account)}
    assert states[AGENT_ID] == "Away"
    admin = account.user_by_login(DEMO_ADMIN.login)
    sandbox.save_user(account, {"isEnabled": False}, admin)
    assert ADMIN_ID not in {u.id for u, *_ in sandbox.query.available_agents(account)}
