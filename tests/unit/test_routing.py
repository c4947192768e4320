"""Routing in the model (mock_server/model/routing.py): one FIFO queue per skill, one session rung
at a time, least loaded first, ring timeout, maxChats, Occupied and Away, several sessions."""
import pytest

from mock_server.model.chats import WAITING
from mock_server.model.errors import BadRequest
from tests.support.constants import (ACCOUNT, AGENT_ID, BOT_SKILL, BOT_SKILL_ID, DEMO_ADMIN, DEMO_AGENT,
                                     DEMO_BOT, HUMAN_SKILL, HUMAN_SKILL_ID, OTHER_ACCOUNT, SHOP_AGENT)
from tests.unit.conftest import (BLAKE, CASEY, advance, agent, ask, chatting, log_in, make_sandbox,
                                 ringing_ids, shape, team_config, wait, waiting_ids)


def rung(sb, *sessions) -> list[list[str]]:
    """What each session sees ringing."""
    return [ringing_ids(sb, s) for s in sessions]


# --- FIFO per skill ---------------------------------------------------------------------------------

def test_one_slot_takes_the_queue_oldest_first(team):
    casey = agent(team, CASEY)  # maxChats 1: chats ring one by one
    chats = [ask(team, HUMAN_SKILL) for _ in range(3)]
    assert rung(team, casey) == [[chats[0].id]]
    assert waiting_ids(team) == [c.id for c in chats]  # ringing chats are still waiting
    served = []
    for _ in range(3):
        chat = team.accept_chat(casey)
        served.append(chat.id)
        team.end_agent_chat(casey, chat)
    assert served == [c.id for c in chats]
    assert waiting_ids(team) == []


def test_chats_ringing_together_are_accepted_oldest_first():
    for seed in range(1, 9):  # the chat ids differ by seed; the order must not
        sb = make_sandbox(seed=seed)
        bot = agent(sb, DEMO_BOT)  # maxChats 5: all three ring at once
        chats = [ask(sb, BOT_SKILL) for _ in range(3)]
        assert ringing_ids(sb, bot) == [c.id for c in chats], f"seed {seed}"
        assert [sb.accept_chat(bot).id for _ in range(3)] == [c.id for c in chats], f"seed {seed}"


def test_queues_of_different_skills_do_not_block_each_other(sandbox):
    human_chats = [ask(sandbox, HUMAN_SKILL) for _ in range(2)]  # nobody on support-human
    bot = agent(sandbox, DEMO_BOT)
    bot_chat = ask(sandbox, BOT_SKILL)
    assert ringing_ids(sandbox, bot) == [bot_chat.id]  # the older human chats do not ring the bot
    assert all(c.ringing_session_id is None for c in human_chats)
    assert set(waiting_ids(sandbox)) == {c.id for c in [*human_chats, bot_chat]}


def test_chats_only_ring_agents_with_the_skill(sandbox):
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)
    human_chat = ask(sandbox, HUMAN_SKILL)
    assert rung(sandbox, bot, human) == [[], [human_chat.id]]
    bot_chat = ask(sandbox, None, engagementId="5001001")  # the bot engagement: support-bot
    assert bot_chat.skill_id == BOT_SKILL_ID
    assert rung(sandbox, bot, human) == [[bot_chat.id], [human_chat.id]]


def test_a_chat_without_skill_rings_any_online_agent(sandbox):
    human = agent(sandbox, DEMO_AGENT)
    chat = ask(sandbox, None)
    assert chat.skill_id is None
    assert ringing_ids(sandbox, human) == [chat.id]


# --- who is rung --------------------------------------------------------------------------------------

def test_a_chat_rings_exactly_one_session(team):
    sessions = [agent(team, who) for who in (DEMO_AGENT, BLAKE, CASEY)]
    chat = ask(team, HUMAN_SKILL)
    seen = [s for s in sessions if chat.id in ringing_ids(team, s)]
    assert len(seen) == 1
    assert chat.ringing_session_id == seen[0].id
    assert sum(len(s.ringing) for s in sessions) == 1
    assert team.query.ringing_session(chat) is seen[0]


def test_least_loaded_agent_is_rung_first(team):
    alex = agent(team, DEMO_AGENT)  # maxChats 3, Online first
    held = [chatting(team, alex, HUMAN_SKILL) for _ in range(2)]
    assert team.query.load(alex.user) == 2
    team.clock.advance(5)
    blake = agent(team, BLAKE)  # maxChats 2, Online later but holds nothing
    first, second = ask(team, HUMAN_SKILL), ask(team, HUMAN_SKILL)
    # Blake 0 < Alex 2; then Blake 1 (ringing) < Alex 2
    assert rung(team, alex, blake) == [[], [first.id, second.id]]
    assert first.ringing_session_id == second.ringing_session_id == blake.id
    third = ask(team, HUMAN_SKILL)  # Blake is full now (2 ringing): Alex's last slot
    assert third.ringing_session_id == alex.id
    assert [c.agent for c in held] == [alex.user, alex.user]


def test_equal_load_goes_to_the_agent_online_longest(team):
    alex = agent(team, DEMO_AGENT, availability=None)  # the older session, still Away
    blake = agent(team, BLAKE, availability=None)
    team.clock.advance(1)
    team.set_agent_availability(blake, "Online")
    team.clock.advance(1)
    team.set_agent_availability(alex, "Online")
    chat = ask(team, HUMAN_SKILL)
    assert chat.ringing_session_id == blake.id  # Online since t+1, Alex since t+2
    second = ask(team, HUMAN_SKILL)
    assert second.ringing_session_id == alex.id  # Blake has one ringing now


def test_rings_spread_over_agents_evenly(team):
    alex, blake = agent(team, DEMO_AGENT), agent(team, BLAKE)
    chats = [ask(team, HUMAN_SKILL) for _ in range(4)]
    assert [c.ringing_session_id for c in chats] == [alex.id, blake.id, alex.id, blake.id]


def test_least_loaded_counts_the_rings_at_all_sessions_of_an_agent(team):
    alex_1 = agent(team, DEMO_AGENT)
    alex_2 = agent(team, DEMO_AGENT)
    team.clock.advance(1)
    blake = agent(team, BLAKE)  # Online later than both of Alex's sessions
    first = ask(team, HUMAN_SKILL)
    assert first.ringing_session_id == alex_1.id
    second = ask(team, HUMAN_SKILL)
    # Alex has one chat ringing, Blake none: Blake is the least loaded agent
    assert second.ringing_session_id == blake.id
    assert alex_2.ringing == []


# --- the ring timeout ---------------------------------------------------------------------------------

def test_ring_timeout_moves_the_chat_to_the_next_agent(team):
    alex = agent(team, DEMO_AGENT)
    chat = ask(team, HUMAN_SKILL)
    blake = agent(team, BLAKE)  # comes Online while it rings at Alex: it stays at Alex
    assert rung(team, alex, blake) == [[chat.id], []]
    advance(team, 29)
    assert rung(team, alex, blake) == [[chat.id], []]
    advance(team, 2)  # 31 s unanswered (ring_timeout_seconds: 30)
    assert rung(team, alex, blake) == [[], [chat.id]]
    assert chat.ring_started == team.clock.now()  # a new ring, with its own 30 s
    assert alex.id in chat.rang_out
    assert chat.state == WAITING and chat.agent is None
    assert shape(chat.events) == [("state", "waiting", None, None), ("line", None, 4, "REGULAR")]


def test_ring_timeout_follows_the_setting():
    sb = make_sandbox(team_config(ring_timeout_seconds=5))
    alex, blake = agent(sb, DEMO_AGENT), agent(sb, BLAKE)
    chat = ask(sb, HUMAN_SKILL)
    assert chat.ringing_session_id == alex.id
    advance(sb, 4)
    assert chat.ringing_session_id == alex.id
    advance(sb, 2)
    assert chat.ringing_session_id == blake.id


def test_who_let_it_ring_out_is_passed_over_even_when_less_loaded(team):
    blake = agent(team, BLAKE)
    chatting(team, blake, HUMAN_SKILL)  # Blake holds 1
    alex = agent(team, DEMO_AGENT)  # holds 0
    chat = ask(team, HUMAN_SKILL)
    assert chat.ringing_session_id == alex.id  # the least loaded
    advance(team, 31)
    assert chat.ringing_session_id == blake.id  # Alex let it ring out: Blake, though busier
    assert chat.rang_out == {alex.id}


def test_who_let_it_ring_out_is_asked_again_when_nobody_else_can(team):
    alex = agent(team, DEMO_AGENT)
    chat = ask(team, HUMAN_SKILL)
    wait(team, 31, chat)  # the visitor keeps polling: only the ring times out
    assert ringing_ids(team, alex) == [chat.id]  # alone on the skill: rung again
    assert chat.ring_started == team.clock.now() - 1  # re-rung when it rang out, at 30 s
    assert chat.rang_out == {alex.id}
    blake = agent(team, BLAKE)
    wait(team, 31, chat)
    assert chat.ringing_session_id == blake.id  # now someone else can
    wait(team, 31, chat)
    # both let it ring out: it keeps ringing someone (least loaded, then Online longest)
    assert chat.ringing_session_id == alex.id
    assert chat.rang_out == {alex.id, blake.id}
    assert not chat.ended


def test_ring_out_to_an_agent_who_went_away_skips_them(team):
    alex, blake = agent(team, DEMO_AGENT), agent(team, BLAKE)
    chat = ask(team, HUMAN_SKILL)
    assert chat.ringing_session_id == alex.id
    team.set_agent_availability(blake, "Away")
    assert chat.ringing_session_id == alex.id  # going Away elsewhere changes nothing
    advance(team, 31)
    assert chat.ringing_session_id == alex.id  # Blake is Away: Alex again


def test_an_agent_who_let_it_ring_out_on_two_devices_is_passed_over(team):
    alex_1, alex_2 = agent(team, DEMO_AGENT), agent(team, DEMO_AGENT)
    team.clock.advance(1)
    blake = agent(team, BLAKE)
    chat = ask(team, HUMAN_SKILL)
    assert chat.ringing_session_id == alex_1.id
    assert rung(team, alex_1, alex_2) == [[chat.id], [chat.id]]  # Alex saw it on both devices
    advance(team, 31)
    assert chat.ringing_session_id == blake.id


# --- capacity ---------------------------------------------------------------------------------------

def test_max_chats_is_respected_and_ringing_counts_as_taken(sandbox):
    alex = agent(sandbox, DEMO_AGENT)  # maxChats 3
    chats = [ask(sandbox, HUMAN_SKILL) for _ in range(5)]
    assert sorted(ringing_ids(sandbox, alex)) == sorted(c.id for c in chats[:3])
    assert [c.ringing_session_id for c in chats[3:]] == [None, None]
    assert sandbox.query.load(alex.user) == 0
    assert sandbox.query.free_slots(alex) == 0  # three ringing, none held
    for _ in range(3):
        sandbox.accept_chat(alex)
    assert ringing_ids(sandbox, alex) == []  # still full: three held
    assert sandbox.query.load(alex.user) == 3
    sandbox.end_visitor_chat(chats[0])  # a slot frees: the oldest waiting chat rings
    assert ringing_ids(sandbox, alex) == [chats[3].id]
    assert chats[4].ringing_session_id is None
    assert sandbox.accept_chat(alex) is chats[3]


def test_max_chats_counts_across_the_agents_sessions(sandbox):
    first, second = agent(sandbox, DEMO_AGENT), agent(sandbox, DEMO_AGENT)  # one agent, maxChats 3
    chats = [ask(sandbox, HUMAN_SKILL) for _ in range(4)]
    assert sum(len(s.ringing) for s in (first, second)) == 3
    assert chats[3].ringing_session_id is None
    assert sandbox.query.free_slots(first) == sandbox.query.free_slots(second) == 0


def test_an_agent_with_no_slots_is_never_rung(sandbox):
    admin = agent(sandbox, DEMO_ADMIN)
    chat = ask(sandbox, None)  # no skill: any Online agent, but the admin has maxChats 0
    assert ringing_ids(sandbox, admin) == []
    assert chat.ringing_session_id is None


# --- availability -------------------------------------------------------------------------------------

def test_away_agents_get_no_rings_until_online(sandbox):
    bot = agent(sandbox, DEMO_BOT, availability=None)  # a new session is Away
    assert bot.availability == "Away"
    first = ask(sandbox, BOT_SKILL)
    assert ringing_ids(sandbox, bot) == []
    sandbox.set_agent_availability(bot, "Online")
    assert ringing_ids(sandbox, bot) == [first.id]
    sandbox.set_agent_availability(bot, "Away")
    second = ask(sandbox, BOT_SKILL)
    assert ringing_ids(sandbox, bot) == [first.id]  # what rang still rings; the new one waits
    assert second.ringing_session_id is None and second.id in waiting_ids(sandbox)


def test_occupied_agents_get_transfers_only(sandbox):
    human = agent(sandbox, DEMO_AGENT, availability="Occupied")
    bot = agent(sandbox, DEMO_BOT)
    new = ask(sandbox, HUMAN_SKILL)
    assert ringing_ids(sandbox, human) == []
    assert new.ringing_session_id is None
    moved = chatting(sandbox, bot, BOT_SKILL)
    sandbox.transfer_chat(bot, moved, skill_ref=HUMAN_SKILL_ID)
    # the transferred chat rings the Occupied agent; the new one, older, still waits
    assert ringing_ids(sandbox, human) == [moved.id]
    assert new.ringing_session_id is None
    sandbox.set_agent_availability(human, "Online")
    assert sorted(ringing_ids(sandbox, human)) == sorted([moved.id, new.id])


def test_away_agents_get_no_transfers_either(sandbox):
    human = agent(sandbox, DEMO_AGENT, availability="Away")
    bot = agent(sandbox, DEMO_BOT)
    chat = chatting(sandbox, bot, BOT_SKILL)
    assert sandbox.query.transfer_skills(bot, sandbox.account(ACCOUNT)) == []
    with pytest.raises(BadRequest) as skill_refused:
        sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID)
    with pytest.raises(BadRequest) as agent_refused:
        sandbox.transfer_chat(bot, chat, agent_ref=AGENT_ID)
    assert (skill_refused.value.internal_code, agent_refused.value.internal_code) == (66, 64)
    assert ringing_ids(sandbox, human) == [] and chat.agent is bot.user


def test_a_chat_nobody_can_take_waits_and_rings_when_an_agent_comes_online(sandbox):
    bot = agent(sandbox, DEMO_BOT)  # on duty, but not on support-human
    chat = ask(sandbox, HUMAN_SKILL)
    # nobody on the skill: message 2 after 4, and the chat is queued, not ringing
    assert [e.system_message_id for e in chat.events] == [None, 4, 2]
    assert waiting_ids(sandbox) == [chat.id] and chat.ringing_session_id is None
    assert ringing_ids(sandbox, bot) == []
    advance(sandbox, 31)  # nothing rings out: nothing rang
    assert chat.ringing_session_id is None
    human = agent(sandbox, DEMO_AGENT, availability=None)
    assert ringing_ids(sandbox, human) == []  # Away
    sandbox.set_agent_availability(human, "Online")
    assert ringing_ids(sandbox, human) == [chat.id]


def test_a_chat_with_someone_on_duty_gets_no_message_2(sandbox):
    agent(sandbox, DEMO_AGENT)
    chat = ask(sandbox, HUMAN_SKILL)
    assert [e.system_message_id for e in chat.events] == [None, 4]


def test_a_new_skill_given_to_an_online_agent_lets_a_waiting_chat_ring(sandbox):
    account = sandbox.account(ACCOUNT)
    bot = agent(sandbox, DEMO_BOT)
    chat = ask(sandbox, HUMAN_SKILL)
    assert chat.ringing_session_id is None
    sandbox.save_user(account, {"skillIds": [int(BOT_SKILL_ID), int(HUMAN_SKILL_ID)]}, bot.user)
    assert HUMAN_SKILL_ID in bot.user.skill_ids
    assert ringing_ids(sandbox, bot) == [chat.id]


# --- one agent, several sessions ----------------------------------------------------------------------

def test_a_ring_shows_on_every_online_session_of_the_agent(sandbox):
    first, second = agent(sandbox, DEMO_AGENT), agent(sandbox, DEMO_AGENT)
    away = agent(sandbox, DEMO_AGENT, availability=None)
    chat = ask(sandbox, HUMAN_SKILL)
    assert chat.ringing_session_id == first.id  # it rings at one session ...
    assert second.ringing == [] and away.ringing == []
    assert rung(sandbox, first, second, away) == [[chat.id], [chat.id], []]  # ... seen on both
    # the agent answers on the device it did not ring at: the ring stops everywhere
    assert sandbox.accept_chat(second) is chat
    assert chat.agent_session_id == second.id and chat.ringing_session_id is None
    assert rung(sandbox, first, second, away) == [[], [], []]
    advance(sandbox, 31)  # and nothing rings out later
    assert rung(sandbox, first, second, away) == [[], [], []]
    assert sandbox.query.held_chats(first) == [chat]  # continuity: every session sees it


def test_an_occupied_session_sees_only_transfers_ringing_at_the_other(sandbox):
    online = agent(sandbox, DEMO_AGENT)
    occupied = agent(sandbox, DEMO_AGENT, availability="Occupied")
    bot = agent(sandbox, DEMO_BOT)
    new = ask(sandbox, HUMAN_SKILL)
    assert rung(sandbox, online, occupied) == [[new.id], []]
    moved = chatting(sandbox, bot, BOT_SKILL)
    sandbox.transfer_chat(bot, moved, skill_ref=HUMAN_SKILL)
    assert moved.ringing_session_id in (online.id, occupied.id)
    assert sorted(ringing_ids(sandbox, online)) == sorted([new.id, moved.id])
    assert ringing_ids(sandbox, occupied) == [moved.id]


def test_an_ended_session_sees_nothing_ringing(sandbox):
    first, second = agent(sandbox, DEMO_AGENT), agent(sandbox, DEMO_AGENT)
    chat = ask(sandbox, HUMAN_SKILL)
    assert chat.ringing_session_id == first.id
    sandbox.end_agent_session(first, "test")
    assert ringing_ids(sandbox, first) == []
    assert chat.ringing_session_id == second.id  # rung again at once, at the live session
    assert ringing_ids(sandbox, second) == [chat.id]


def test_other_accounts_agents_are_never_rung(sandbox):
    shop = agent(sandbox, SHOP_AGENT, login=log_in(sandbox, SHOP_AGENT, OTHER_ACCOUNT))
    own = agent(sandbox, DEMO_AGENT)
    chat = ask(sandbox, None)  # no skill: any Online agent of *this* account
    assert shop.account_id == OTHER_ACCOUNT
    assert ringing_ids(sandbox, shop) == [] and chat.ringing_session_id == own.id
