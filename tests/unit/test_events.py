"""The order of events on the bus (sb.bus): observers hear of a state after the model is in it
(a chat announced as waiting is already queued), and every chat event is published once, in order."""
from tests.support.constants import BOT_SKILL, DEMO_AGENT, DEMO_BOT, HUMAN_SKILL, HUMAN_SKILL_ID
from tests.unit.conftest import agent, ask, chatting, wait, waiting_ids


def observe(sb):
    """Subscribe to the bus; each entry is (kind, what, waiting chat ids at publish time)."""
    seen = []

    def on_event(event):
        data = event.data
        what = None
        if event.kind == "chat.event":
            e = data["event"]
            what = e.state if e.type == "state" else (e.system_message_id or e.sub_type)
        elif event.kind == "chat.ringing":
            what = data["agentSessionId"]
        seen.append((event.kind, what, waiting_ids(sb)))

    sb.bus.subscribe(on_event)
    return seen


def chat_events(published, chat):
    return [e.data["event"] for e in published if e.kind == "chat.event" and e.data["chat"] is chat]


def test_a_new_chat_is_requested_then_rung_and_queued_when_announced(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    seen = observe(sandbox)
    chat = ask(sandbox, BOT_SKILL)
    assert [(kind, what) for kind, what, _ in seen] == [
        ("chat.requested", None), ("chat.event", "waiting"), ("chat.event", 4), ("chat.ringing", bot.id)]
    assert all(waiting == [chat.id] for _, _, waiting in seen)  # queued before anyone hears of it


def test_a_chat_nobody_can_take_is_announced_with_message_2_and_no_ring(sandbox):
    seen = observe(sandbox)
    chat = ask(sandbox, HUMAN_SKILL)
    assert [(kind, what) for kind, what, _ in seen] == [
        ("chat.requested", None), ("chat.event", "waiting"), ("chat.event", 4), ("chat.event", 2)]
    assert seen[0][2] == [chat.id]


def test_accept_is_announced_after_the_chat_left_the_queue(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    chat = ask(sandbox, BOT_SKILL)
    seen = observe(sandbox)
    sandbox.accept_chat(bot)
    assert [(kind, what) for kind, what, _ in seen] == [
        ("chat.event", "chatting"), ("chat.event", 3), ("chat.accepted", None)]
    assert all(chat.id not in waiting for _, _, waiting in seen)


def test_after_a_transfer_the_chat_is_queued_when_its_waiting_state_is_published(sandbox):
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)
    chat = chatting(sandbox, bot, BOT_SKILL)
    seen = observe(sandbox)
    sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL_ID, text="for a human")
    assert [(kind, what) for kind, what, _ in seen] == [
        ("chat.event", "ONLY_TO_REP"), ("chat.event", 15), ("chat.event", "waiting"),
        ("chat.transferred", None), ("chat.ringing", human.id)]
    waiting_at = {(kind, what): waiting for kind, what, waiting in seen}
    assert waiting_at[("chat.event", "waiting")] == [chat.id]
    assert waiting_at[("chat.event", 15)] == []  # not before the state says so


def test_a_requeued_chat_is_queued_when_its_waiting_state_is_published(sandbox):
    login_bot = agent(sandbox, DEMO_BOT)
    chat = chatting(sandbox, login_bot, BOT_SKILL)
    seen = observe(sandbox)
    sandbox.logout(login_bot.account_id, login_bot.login.session_id, login_bot.login.csrf)
    chat_seen = [(kind, what, waiting) for kind, what, waiting in seen if kind == "chat.event"]
    assert chat_seen == [("chat.event", 23, []), ("chat.event", "waiting", [chat.id])]
    assert [kind for kind, _, _ in seen] == ["agent.session_ended", "chat.event", "chat.event", "logout"]


def test_events_carry_the_clock_time(sandbox):
    published = []
    sandbox.bus.subscribe(published.append)
    sandbox.clock.advance(12.5)
    agent(sandbox, DEMO_BOT)
    ask(sandbox, BOT_SKILL)
    assert published and {e.time for e in published} == {sandbox.clock.now()}


def test_every_chat_event_is_published_once_in_order(sandbox):
    published = []
    sandbox.bus.subscribe(published.append)
    bot, human = agent(sandbox, DEMO_BOT), agent(sandbox, DEMO_AGENT)
    chat = chatting(sandbox, bot, BOT_SKILL)
    sandbox.add_visitor_line(chat, "hello")
    sandbox.add_agent_line(bot, chat, "note", sub_type="ONLY_TO_REP")
    sandbox.transfer_chat(bot, chat, skill_ref=HUMAN_SKILL, text="over")
    sandbox.accept_chat(human)
    sandbox.add_agent_line(human, chat, "hi, Alex here")
    wait(sandbox, 130, chat, bot)  # Alex stops polling: requeued (23) on support-human
    wait(sandbox, 41, bot)  # then the visitor leaves (6)
    assert chat.ended and chat.end_reason == "visitor-timeout"
    assert chat_events(published, chat) == chat.events
    assert [e.id for e in chat.events] == list(range(len(chat.events)))
    ended = [e for e in published if e.kind == "chat.ended"]
    assert [e.data["by"] for e in ended] == ["visitor-timeout"]
    assert published.index(ended[0]) > published.index(
        next(e for e in published if e.kind == "chat.event" and e.data["event"] is chat.events[-1]))


def test_a_failing_observer_does_not_undo_the_change(sandbox):
    def broken(event):
        raise RuntimeError("observer bug")

    sandbox.bus.subscribe(broken)
    bot = agent(sandbox, DEMO_BOT)
    chat = ask(sandbox, BOT_SKILL)
    assert chat.ringing_session_id == bot.id and sandbox.accept_chat(bot) is chat
