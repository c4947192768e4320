"""Transfers in the model (ChatAgentOperations.transfer_chat): to a skill (system message 15) or
to one agent (13), the note for agents only, the slot freed at once, refusals that change nothing."""
import pytest

from mock_server.model.chats import AGENT, CHATTING, ONLY_TO_REP, WAITING, Transfer
from mock_server.model.errors import BadRequest, Conflict, NotFound
from tests.support.constants import (ACCOUNT, ADMIN_ID, AGENT_ID, AGENT_NAME, BOT_ID, BOT_NAME, BOT_SKILL,
                                     BOT_SKILL_ID, DEMO_AGENT, DEMO_BOT, HUMAN_SKILL, HUMAN_SKILL_ID)
from tests.unit.conftest import (BLAKE, BLAKE_ID, advance, agent, ask, chatting, ringing_ids, shape, wait,
                                 waiting_ids)


@pytest.fixture
def desk(sandbox):
    """A visitor chatting with demo-bot, demo-agent (Alex) Online: (bot, human, chat)."""
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)
    chat = chatting(sandbox, bot, BOT_SKILL)
    sandbox.add_visitor_line(chat, "agent please")
    return bot, human, chat


def visitor_system_ids(chat) -> list[int]:
    return [e.system_message_id for e in chat.events_from(0, for_visitor=True) if e.system_message_id]


# --- to a skill ---------------------------------------------------------------------------------------

def test_transfer_to_skill(sandbox, desk):
    bot, human, chat = desk
    before = len(chat.events)
    record = sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID, text="Customer asked for a human")
    assert record == Transfer(time=sandbox.clock.now(), from_user_id=BOT_ID, from_agent_name=BOT_NAME,
                              from_skill_id=BOT_SKILL_ID, to_skill_id=HUMAN_SKILL_ID, to_user_id=None,
                              text="Customer asked for a human")
    assert chat.transfers == [record]
    added = chat.events[before:]
    assert shape(added) == [("line", None, None, ONLY_TO_REP), ("line", None, 15, "REGULAR"),
                            ("state", "waiting", None, None)]
    note, hold = added[0], added[1]
    assert (note.source, note.by, note.agent_id, note.text) == (AGENT, BOT_NAME, BOT_ID,
                                                                 "Customer asked for a human")
    assert hold.text == "Please hold while the chat is transferred to support-human."
    # the chat now belongs to the skill, waits, and rings at the human
    assert chat.state == WAITING and chat.skill_id == HUMAN_SKILL_ID
    assert chat.agent is None and chat.agent_session_id is None
    assert chat.transferred and chat.target_user_id is None
    assert ringing_ids(sandbox, human) == [chat.id]
    assert ringing_ids(sandbox, bot) == []
    # the visitor sees the hold message, never the note
    assert note not in chat.events_from(0, for_visitor=True)
    assert ONLY_TO_REP not in {e.sub_type for e in chat.events_from(0, for_visitor=True)}
    assert note in chat.events_from(0, for_visitor=False)
    assert visitor_system_ids(chat) == [4, 3, 15]
    accepted = sandbox.accept_chat(human)
    assert accepted is chat and chat.agent.id == AGENT_ID and chat.state == CHATTING
    assert chat.events[-1].text == f"You are now chatting with {AGENT_NAME}."
    assert visitor_system_ids(chat) == [4, 3, 15, 3]


def test_transfer_by_skill_name_without_text_adds_no_note(sandbox, desk):
    bot, _, chat = desk
    before = len(chat.events)
    record = sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL)
    assert record.to_skill_id == HUMAN_SKILL_ID and record.text == ""
    assert shape(chat.events[before:]) == [("line", None, 15, "REGULAR"), ("state", "waiting", None, None)]


def test_the_transferring_agent_loses_the_chat_and_its_slot_at_once(sandbox):
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)
    held = [chatting(sandbox, bot, BOT_SKILL) for _ in range(5)]  # maxChats 5: full
    queued = ask(sandbox, BOT_SKILL)
    assert queued.ringing_session_id is None and sandbox.query.free_slots(bot) == 0
    sandbox.transfer_chat(bot, held[0], skill_ref=HUMAN_SKILL_ID)
    assert sandbox.query.load(bot.user) == 4
    assert held[0] not in sandbox.query.held_chats(bot)
    with pytest.raises(NotFound) as gone:
        sandbox.query.agent_chat(bot, held[0].id)  # its chat URL is a 404 now
    assert gone.value.internal_code == 44
    # the freed slot rings the chat that waited on support-bot, in the same operation
    assert ringing_ids(sandbox, bot) == [queued.id]
    assert ringing_ids(sandbox, human) == [held[0].id]


def test_the_transferring_agent_is_rung_again_only_if_nobody_else_can(team):
    alex, blake = agent(team, DEMO_AGENT), agent(team, BLAKE)
    chat = chatting(team, alex, HUMAN_SKILL)  # Alex: Online longest, least loaded
    team.transfer_chat(alex, chat, skill_ref=HUMAN_SKILL)
    # Alex has nothing now and was Online first, but let go of it: Blake
    assert chat.ringing_session_id == blake.id
    assert chat.rang_out == {alex.id}
    team.set_agent_availability(blake, "Away")
    wait(team, 31, chat)  # Blake lets it ring out and is Away: only Alex can
    assert chat.ringing_session_id == alex.id


def test_transfer_to_a_full_skill_waits_in_the_queue(sandbox):
    human = agent(sandbox, DEMO_AGENT)  # maxChats 3
    held = [chatting(sandbox, human, HUMAN_SKILL) for _ in range(3)]
    bot = agent(sandbox, DEMO_BOT)
    chat = chatting(sandbox, bot, BOT_SKILL)
    sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID)  # accepted: Alex is on duty
    assert ringing_ids(sandbox, human) == []
    assert waiting_ids(sandbox) == [chat.id] and chat.ringing_session_id is None
    sandbox.end_visitor_chat(held[0])  # a slot frees: the transfer rings
    assert ringing_ids(sandbox, human) == [chat.id]


# --- to an agent --------------------------------------------------------------------------------------

def test_transfer_to_an_occupied_agent(sandbox, desk):
    bot, human, chat = desk
    sandbox.set_agent_availability(human, "Occupied")  # Occupied agents still take transfers
    before = len(chat.events)
    record = sandbox.transfer_chat(bot, chat, agent_ref=AGENT_ID, text="Over to you")
    assert (record.to_user_id, record.to_skill_id, record.from_user_id) == (AGENT_ID, BOT_SKILL_ID, BOT_ID)
    assert shape(chat.events[before:]) == [("line", None, None, ONLY_TO_REP), ("line", None, 13, "REGULAR"),
                                           ("state", "waiting", None, None)]
    assert chat.events[before].text == "Over to you"
    assert chat.events[before + 1].text == "The chat has been transferred to Alex."
    assert chat.skill_id == BOT_SKILL_ID  # an agent transfer keeps the skill
    assert chat.target_user_id == AGENT_ID
    assert ringing_ids(sandbox, human) == [chat.id]
    assert sandbox.query.load(bot.user) == 0
    assert sandbox.accept_chat(human) is chat
    assert chat.target_user_id is None and chat.agent.id == AGENT_ID
    assert visitor_system_ids(chat) == [4, 3, 13, 3]


def test_transfer_to_an_agent_by_login_name(sandbox, desk):
    bot, human, chat = desk
    record = sandbox.transfer_chat(bot, chat, agent_ref=DEMO_AGENT.login)
    assert record.to_user_id == AGENT_ID
    assert ringing_ids(sandbox, human) == [chat.id]


def test_transfer_to_an_agent_rings_only_that_agent(team):
    blake = agent(team, BLAKE)
    chatting(team, blake, HUMAN_SKILL)  # Blake holds one chat
    alex = agent(team, DEMO_AGENT)  # Alex holds none
    bot = agent(team, DEMO_BOT)
    chat = chatting(team, bot, BOT_SKILL)
    team.transfer_chat(bot, chat, agent_ref=BLAKE_ID)
    assert chat.ringing_session_id == blake.id  # not Alex, though Alex is less loaded
    wait(team, 31, chat)  # it rings out: still only Blake is asked
    assert chat.ringing_session_id == blake.id
    assert ringing_ids(team, alex) == []


def test_agent_wins_over_skill(sandbox, desk):
    bot, human, chat = desk
    before = len(chat.events)
    # support-bot alone would be refused (nobody but the bot is on it): the agent decides
    record = sandbox.transfer_chat(bot, chat, skill_ref=BOT_SKILL_ID, agent_ref=AGENT_ID)
    assert (record.to_user_id, record.to_skill_id) == (AGENT_ID, BOT_SKILL_ID)
    assert [e.system_message_id for e in chat.events[before:]] == [13, None]
    assert chat.skill_id == BOT_SKILL_ID and chat.target_user_id == AGENT_ID
    assert ringing_ids(sandbox, human) == [chat.id]


# --- refused transfers --------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, code", [
    ({"skill_ref": "999"}, 65),  # no such skill
    ({"skill_ref": "no-such-skill"}, 65),
    ({"agent_ref": "999"}, 62),  # no such agent
    ({"agent_ref": ADMIN_ID}, 64),  # no live session
    ({"agent_ref": BOT_ID}, 63),  # the holder itself
    ({"agent_ref": DEMO_BOT.login}, 63),
    ({"skill_ref": BOT_SKILL_ID}, 66),  # nobody but the holder on it
    ({}, 67),  # neither skill nor agent
    ({"skill_ref": "", "agent_ref": ""}, 67),
    ({"skill_ref": "no-such-skill", "agent_ref": AGENT_ID}, 65),  # a skill beside an agent must exist
    ({"skill_ref": HUMAN_SKILL_ID, "text": 5}, 61),  # text not a string
    ({"skill_ref": HUMAN_SKILL_ID, "text": "x" * 100_001}, 61),  # text too long
], ids=["unknown-skill-id", "unknown-skill-name", "unknown-agent", "agent-offline", "to-self",
        "to-self-by-login", "skill-without-others", "no-target", "blank-target", "bad-skill-beside-agent",
        "text-not-string", "text-too-long"])
def test_refused_transfers_change_nothing(sandbox, desk, kwargs, code):
    bot, human, chat = desk
    events, load = list(chat.events), sandbox.query.load(bot.user)
    published = []
    sandbox.bus.subscribe(published.append)
    with pytest.raises(BadRequest) as refused:
        sandbox.transfer_chat(bot, chat, **kwargs)
    assert refused.value.internal_code == code
    assert chat.transfers == [] and chat.events == events
    assert (chat.state, chat.skill_id) == (CHATTING, BOT_SKILL_ID)
    assert chat.agent is bot.user and chat.agent_session_id == bot.id
    assert not chat.transferred and chat.target_user_id is None and chat.rang_out == set()
    assert sandbox.query.load(bot.user) == load == 1
    assert chat.id not in waiting_ids(sandbox) and ringing_ids(sandbox, human) == []
    assert published == []


def test_transfer_to_an_away_agent_is_refused(sandbox, desk):
    bot, human, chat = desk
    sandbox.set_agent_availability(human, "Away")
    with pytest.raises(BadRequest) as refused:
        sandbox.transfer_chat(bot, chat, agent_ref=AGENT_ID)
    assert refused.value.internal_code == 64
    with pytest.raises(BadRequest) as refused:
        sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID)
    assert refused.value.internal_code == 66
    assert chat.transfers == [] and chat.agent is bot.user


def test_transfer_to_a_deleted_skill_is_refused(sandbox, desk):
    bot, _, chat = desk
    account = sandbox.account(ACCOUNT)
    sandbox.delete_skill(account, account.skills[HUMAN_SKILL_ID])
    assert sandbox.query.transfer_skills(bot, account) == []
    with pytest.raises(BadRequest) as refused:
        sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID)
    assert refused.value.internal_code == 65


def test_transfer_of_an_ended_chat_is_a_conflict(sandbox, desk):
    bot, _, chat = desk
    sandbox.end_agent_chat(bot, chat)
    events = list(chat.events)
    with pytest.raises(Conflict) as refused:
        sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID)
    assert refused.value.internal_code == 30
    assert chat.events == events and chat.transfers == []


def test_a_waiting_chat_cannot_be_transferred(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    agent(sandbox, DEMO_AGENT)
    chat = ask(sandbox, BOT_SKILL)  # ringing, not accepted
    with pytest.raises(BadRequest) as refused:
        sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID)
    assert refused.value.internal_code == 60
    assert chat.transfers == [] and chat.ringing_session_id == bot.id


# --- the transfer list --------------------------------------------------------------------------------

def test_transfer_skills_are_those_with_another_agent_on_duty(sandbox, desk):
    bot, human, _ = desk
    account = sandbox.account(ACCOUNT)
    assert sandbox.query.transfer_skills(bot, account) == [(HUMAN_SKILL_ID, HUMAN_SKILL, 1)]
    sandbox.set_agent_availability(human, "Occupied")
    assert sandbox.query.transfer_skills(bot, account) == [(HUMAN_SKILL_ID, HUMAN_SKILL, 1)]
    sandbox.set_agent_availability(human, "Away")
    assert sandbox.query.transfer_skills(bot, account) == []
    sandbox.set_agent_availability(human, "Online")
    assert sandbox.query.transfer_skills(human, account) == [(BOT_SKILL_ID, BOT_SKILL, 1)]


def test_transfer_skills_count_agents_not_sessions(team):
    bot = agent(team, DEMO_BOT)
    agent(team, DEMO_AGENT), agent(team, DEMO_AGENT), agent(team, BLAKE)
    assert team.query.transfer_skills(bot, team.account(ACCOUNT)) == [(HUMAN_SKILL_ID, HUMAN_SKILL, 2)]


def test_a_transferred_chat_can_be_transferred_again(sandbox, desk):
    bot, human, chat = desk
    sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID)
    sandbox.accept_chat(human)
    sandbox.transfer_chat(human, chat, skill_ref=BOT_SKILL_ID, text="back to you")
    assert [(t.from_user_id, t.to_skill_id) for t in chat.transfers] == [(BOT_ID, HUMAN_SKILL_ID),
                                                                          (AGENT_ID, BOT_SKILL_ID)]
    assert chat.skill_id == BOT_SKILL_ID and chat.rang_out == {human.id}
    assert ringing_ids(sandbox, bot) == [chat.id]
    assert visitor_system_ids(chat) == [4, 3, 15, 3, 15]
    advance(sandbox, 1)
    assert chat.ringing_session_id == bot.id
