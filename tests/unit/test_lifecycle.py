"""Lifecycle on a moved clock (FollowUps.tick and the operations that end things): the visitor
timeout (6), the agent session timeout and requeue (23), continuity to the agent's other session,
login expiry and logout, deleting a user. Nothing sleeps: the ManualClock is moved."""
import pytest

from mock_server.model.chats import CHATTING, ENDED, WAITING
from mock_server.model.errors import NotFound, SandboxError, Unauthorized
from tests.support.constants import ACCOUNT, BOT_SKILL, DEMO_AGENT, DEMO_BOT, HUMAN_SKILL
from tests.unit.conftest import (BLAKE, advance, agent, ask, chatting, log_in, make_sandbox, record,
                                 ringing_ids, shape, team_config, wait, waiting_ids)

REQUEUED = [("line", None, 23, "REGULAR"), ("state", "waiting", None, None)]


def kinds(events, kind):
    return [e for e in events if e.kind == kind]


# --- the visitor stops polling ------------------------------------------------------------------------

def test_visitor_who_stops_polling_is_disconnected(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    chat = chatting(sandbox, bot, BOT_SKILL, interactionTimeout=40)
    assert chat.chat_timeout == 40
    wait(sandbox, 30, chat, bot)  # the documented keep-alive: the visitor polls
    wait(sandbox, 30, bot)  # 30 s without a visitor call: still open
    assert chat.state == CHATTING
    published = record(sandbox)
    wait(sandbox, 10, bot)  # exactly 40 s: not yet *past* chatTimeout
    assert chat.state == CHATTING
    wait(sandbox, 1, bot)
    assert chat.state == ENDED and chat.end_reason == "visitor-timeout"
    assert shape(chat.events[-2:]) == [("line", None, 6, "REGULAR"), ("state", "ended", None, None)]
    assert chat.events[-2].text == "The chat was disconnected unexpectedly."
    assert chat.ended_time == sandbox.clock.now()
    assert sandbox.query.held_chats(bot) == [] and sandbox.query.load(bot.user) == 0
    ended = kinds(published, "chat.ended")
    assert [(e.data["chat"], e.data["by"]) for e in ended] == [(chat, "visitor-timeout")]


def test_interaction_timeout_sets_the_visitor_timeout(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    chat = chatting(sandbox, bot, BOT_SKILL, interactionTimeout=100)
    wait(sandbox, 100, bot)
    assert chat.state == CHATTING
    wait(sandbox, 1, bot)
    assert chat.end_reason == "visitor-timeout"


def test_a_waiting_chat_whose_visitor_left_leaves_the_queue(sandbox):
    chat = ask(sandbox, HUMAN_SKILL)  # nobody on duty: it waits
    assert waiting_ids(sandbox) == [chat.id]
    advance(sandbox, 41)
    assert chat.state == ENDED and chat.end_reason == "visitor-timeout"
    assert waiting_ids(sandbox) == []
    human = agent(sandbox, DEMO_AGENT)
    assert ringing_ids(sandbox, human) == []  # an ended chat never rings


def test_a_ringing_chat_whose_visitor_left_stops_ringing(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    chat = ask(sandbox, BOT_SKILL)
    wait(sandbox, 41, bot)
    assert chat.state == ENDED
    assert ringing_ids(sandbox, bot) == [] and chat.ringing_session_id is None
    assert sandbox.query.free_slots(bot) == 5


def test_the_freed_slot_of_a_disconnected_chat_rings_the_next(sandbox):
    human = agent(sandbox, DEMO_AGENT)  # maxChats 3
    held = [chatting(sandbox, human, HUMAN_SKILL) for _ in range(3)]
    queued = ask(sandbox, HUMAN_SKILL)
    wait(sandbox, 41, human, queued, *held[1:])  # held[0]'s visitor stops polling
    assert held[0].end_reason == "visitor-timeout"
    assert ringing_ids(sandbox, human) == [queued.id]


# --- the agent session stops polling ------------------------------------------------------------------

def test_agent_session_that_stops_polling_is_dropped_and_its_chats_requeued(sandbox):
    login = log_in(sandbox, DEMO_BOT)
    bot = agent(sandbox, DEMO_BOT, login=login)
    chat = chatting(sandbox, bot, BOT_SKILL)
    published = record(sandbox)
    wait(sandbox, 120, chat, login)  # the visitor (and the login) keep polling, the session does not
    assert not bot.ended  # exactly agent_session_timeout_seconds: not past it
    wait(sandbox, 10, chat, login)
    assert bot.ended
    with pytest.raises(NotFound) as gone:
        sandbox.agent_session(login, bot.id)
    assert gone.value.internal_code == 40
    assert shape(chat.events[-2:]) == REQUEUED
    assert chat.events[-2].text == "The chat has been requeued.  An agent will be with you shortly."
    assert (chat.state, chat.agent, chat.agent_session_id) == (WAITING, None, None)
    assert waiting_ids(sandbox) == [chat.id]
    assert sandbox.query.load(bot.user) == 0
    assert [e.data["reason"] for e in kinds(published, "agent.session_ended")] == ["timeout"]
    # the login is still good: a new session picks the requeued chat up
    other = agent(sandbox, DEMO_BOT, login=login)
    assert ringing_ids(sandbox, other) == [chat.id]


def test_an_idle_session_hands_its_chats_to_the_agents_other_session(sandbox):
    first, second = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_BOT)  # two logins, one agent
    chat = chatting(sandbox, first, BOT_SKILL)
    assert chat.agent_session_id == first.id
    events = len(chat.events)
    wait(sandbox, 130, chat, second, second.login)  # only the second session keeps polling
    assert first.ended and not second.ended
    assert (chat.state, chat.agent_session_id, chat.agent) == (CHATTING, second.id, second.user)
    assert len(chat.events) == events  # no 23, no state change: the visitor notices nothing
    assert sandbox.query.held_chats(second) == [chat]
    assert sandbox.query.load(second.user) == 1


def test_an_idle_session_rings_no_more(team):
    alex, blake = agent(team, DEMO_AGENT), agent(team, BLAKE)
    team.clock.advance(100)
    team.agent_session(blake.login, blake.id)  # Blake keeps polling
    chat = ask(team, HUMAN_SKILL)
    assert chat.ringing_session_id == alex.id
    advance(team, 21)  # Alex silent for 121 s; the chat rang only 21 s
    assert alex.ended
    assert chat.ringing_session_id == blake.id  # moved on at once, without waiting for the ring timeout
    assert [e for e in chat.events if e.system_message_id == 23] == []  # it was never held


def test_agent_session_timeout_follows_the_setting():
    sb = make_sandbox(team_config(agent_session_timeout_seconds=20))
    bot = agent(sb, DEMO_BOT)
    chat = chatting(sb, bot, BOT_SKILL)
    wait(sb, 20, chat)
    assert not bot.ended
    wait(sb, 1, chat)
    assert bot.ended and shape(chat.events[-2:]) == REQUEUED


# --- login sessions end --------------------------------------------------------------------------------

def test_login_idle_ttl_ends_its_agent_sessions_and_requeues(sandbox):
    login = log_in(sandbox, DEMO_AGENT)
    human = agent(sandbox, DEMO_AGENT, login=login)
    chat = chatting(sandbox, human, HUMAN_SKILL)
    published = record(sandbox)
    # the agent session and the visitor keep polling; the login is never used (idle TTL 1800 s)
    wait(sandbox, 1800, human, chat, step=30)
    assert not human.ended and sandbox.query.live_login(bearer=login.bearer) is login
    advance(sandbox, 1)
    assert login.ended and human.ended
    assert not sandbox.query.is_logged_in(login.bearer)
    assert sandbox.query.live_login(bearer=login.bearer) is None
    with pytest.raises(Unauthorized) as refused:
        sandbox.authenticate(ACCOUNT, login.bearer)
    assert refused.value.internal_code == 11
    assert shape(chat.events[-2:]) == REQUEUED and waiting_ids(sandbox) == [chat.id]
    assert [e.data["reason"] for e in kinds(published, "agent.session_ended")] == ["logout"]
    assert len(kinds(published, "logout")) == 1


def test_login_absolute_ttl_ends_it_however_busy(sandbox):
    login = log_in(sandbox, DEMO_BOT)
    bot = agent(sandbox, DEMO_BOT, login=login)
    wait(sandbox, 28_800, login, bot, step=100)  # always in use, for 8 hours
    assert not login.ended and not bot.ended
    advance(sandbox, 1)
    assert login.ended and bot.ended


def test_an_expired_login_named_by_a_call_ends_its_sessions_at_once(sandbox):
    login = log_in(sandbox, DEMO_BOT)
    bot = agent(sandbox, DEMO_BOT, login=login)
    chat = chatting(sandbox, bot, BOT_SKILL)
    sandbox.clock.advance(1801)  # no tick: the next call finds it expired
    with pytest.raises(Unauthorized):
        sandbox.authenticate(ACCOUNT, login.bearer)
    assert bot.ended and shape(chat.events[-2:]) == REQUEUED


def test_logout_ends_agent_sessions_and_requeues_chats(sandbox):
    login = log_in(sandbox, DEMO_AGENT)
    human = agent(sandbox, DEMO_AGENT, login=login)
    chat = chatting(sandbox, human, HUMAN_SKILL)
    sandbox.logout(ACCOUNT, login.session_id, login.csrf)
    assert login.ended and human.ended
    assert shape(chat.events[-2:]) == REQUEUED
    assert chat.state == WAITING and waiting_ids(sandbox) == [chat.id]
    assert not sandbox.query.is_logged_in(login.bearer)
    with pytest.raises(Unauthorized):
        sandbox.authenticate(ACCOUNT, login.bearer)
    other = agent(sandbox, DEMO_AGENT)  # a new login picks the chat up
    assert ringing_ids(sandbox, other) == [chat.id]


def test_logout_with_a_bad_csrf_changes_nothing(sandbox):
    login = log_in(sandbox, DEMO_AGENT)
    human = agent(sandbox, DEMO_AGENT, login=login)
    with pytest.raises(Unauthorized) as refused:
        sandbox.logout(ACCOUNT, login.session_id, "not-the-csrf")
    assert refused.value.internal_code == 10
    assert not login.ended and not human.ended


def test_logout_of_one_login_leaves_the_chats_with_the_other(sandbox):
    first_login = log_in(sandbox, DEMO_BOT)
    first = agent(sandbox, DEMO_BOT, login=first_login)
    chat = chatting(sandbox, first, BOT_SKILL)
    second = agent(sandbox, DEMO_BOT)  # another login of the same agent
    assert sandbox.query.held_chats(second) == [chat]  # continuity: the other device sees it
    sandbox.logout(ACCOUNT, first_login.session_id, first_login.csrf)
    assert first.ended and not second.ended
    assert (chat.state, chat.agent_session_id) == (CHATTING, second.id)
    assert 23 not in [e.system_message_id for e in chat.events]


def test_logout_with_two_sessions_on_one_login_requeues_once(sandbox):
    login = log_in(sandbox, DEMO_BOT)
    first, second = agent(sandbox, DEMO_BOT, login=login), agent(sandbox, DEMO_BOT, login=login)
    chat = chatting(sandbox, first, BOT_SKILL)
    ringing = ask(sandbox, BOT_SKILL)
    sandbox.logout(ACCOUNT, login.session_id, login.csrf)
    assert first.ended and second.ended
    assert [e.system_message_id for e in chat.events].count(23) == 1
    assert shape(chat.events[-2:]) == REQUEUED
    assert chat.ringing_session_id is None and ringing.ringing_session_id is None
    assert set(waiting_ids(sandbox)) == {chat.id, ringing.id}


def test_logout_moves_what_rang_there_to_another_agent_at_once(team):
    login = log_in(team, DEMO_AGENT)
    alex = agent(team, DEMO_AGENT, login=login)
    blake = agent(team, BLAKE)
    chat = ask(team, HUMAN_SKILL)
    assert chat.ringing_session_id == alex.id
    team.logout(ACCOUNT, login.session_id, login.csrf)
    assert chat.ringing_session_id == blake.id
    assert shape(chat.events) == [("state", "waiting", None, None), ("line", None, 4, "REGULAR")]


# --- deleting a user ------------------------------------------------------------------------------------

def test_deleting_a_user_ends_its_sessions_and_requeues_its_chats(sandbox):
    account = sandbox.account(ACCOUNT)
    first, second = agent(sandbox, DEMO_AGENT), agent(sandbox, DEMO_AGENT)
    chat = chatting(sandbox, first, HUMAN_SKILL)
    ringing = ask(sandbox, HUMAN_SKILL)
    assert ringing.ringing_session_id is not None
    published = record(sandbox)
    sandbox.delete_user(account, first.user)
    assert first.ended and second.ended
    assert sandbox.query.sessions_of(first.user) == []
    assert [e.data["reason"] for e in kinds(published, "agent.session_ended")] == ["user deleted"] * 2
    assert shape(chat.events[-2:]) == REQUEUED and chat.agent is None
    assert [e.system_message_id for e in chat.events].count(23) == 1
    assert ringing.ringing_session_id is None
    assert set(waiting_ids(sandbox)) == {chat.id, ringing.id}
    with pytest.raises(Unauthorized):
        log_in(sandbox, DEMO_AGENT)  # and it can no longer log in


def test_an_administrator_cannot_delete_themself(sandbox):
    account = sandbox.account(ACCOUNT)
    human = agent(sandbox, DEMO_AGENT)
    with pytest.raises(SandboxError) as refused:
        sandbox.delete_user(account, human.user, acting=human.user)
    assert refused.value.internal_code == 86
    assert not human.ended and not human.user.deleted


def test_a_deleted_user_gets_no_more_chats_through_its_old_login(sandbox):
    account = sandbox.account(ACCOUNT)
    login = log_in(sandbox, DEMO_AGENT)
    agent(sandbox, DEMO_AGENT, login=login)
    sandbox.delete_user(account, login.user)
    try:
        sandbox.authenticate(ACCOUNT, login.bearer)
        session = sandbox.start_agent_session(login)
        sandbox.set_agent_availability(session, "Online")
    except SandboxError:
        return  # refused: the deleted user is out
    chat = ask(sandbox, HUMAN_SKILL)
    assert chat.ringing_session_id != session.id
