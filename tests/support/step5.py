"""Step 5 test data: bot chats driven through the model (under the sandbox lock), each ending
resolved by the bot or handed to a human with a reason, with or without a CSAT answer."""
from dataclasses import dataclass

from mock_server.model.sandbox import Sandbox

from .constants import ACCOUNT, BOT_ENGAGEMENT_ID, DEMO_AGENT, DEMO_BOT, DEMO_BOT_B, HUMAN_SKILL_ID, User


@dataclass
class Team:
    """The agent sessions the chats need: the two demo bots and the human they hand over to."""

    bot: object
    bot_b: object
    human: object


def online(sb: Sandbox, user: User):
    """Log in, start an agent session, go Online."""
    with sb.lock:
        session = sb.start_agent_session(sb.login(sb.account(ACCOUNT), user.credentials))
        sb.set_agent_availability(session, "Online")
        return session


def team(sb: Sandbox) -> Team:
    """demo-bot, demo-bot-b and demo-agent Online."""
    return Team(online(sb, DEMO_BOT), online(sb, DEMO_BOT_B), online(sb, DEMO_AGENT))


def advance(sb: Sandbox, seconds: float, crew: Team | None = None) -> None:
    """Move the (manual) clock and apply what falls due; the crew's sessions poll, so they stay
    (an agent session that stops polling is dropped after 120 s)."""
    with sb.lock:
        sb.clock.advance(seconds)
        for session in (crew.bot, crew.bot_b, crew.human) if crew else ():
            sb.agent_session(session.login, session.id)
        sb.tick()


def answer_csat(sb: Sandbox, chat, csat: int) -> None:
    """The exit survey's CSAT question answered with `csat` (1..5)."""
    survey = sb.account(ACCOUNT).surveys["exit"]
    question = next(q for q in survey.questions if q.csat)
    sb.submit_survey(chat, "exit", {"id": survey.id, "question": [{"id": question.id, "answer": [str(csat)]}]})


def bot_chat(sb: Sandbox, crew: Team, *, skill: str | None = "support-bot", transfer=None, csat=None,
             line: str = "Hi, where is my order?", engagement: str | None = None, wait: float = 2):
    """One chat that a bot takes (the one on its skill; with `engagement` and no skill, the A/B
    split decides): the customer says `line`, the bot answers after `wait` seconds, then the chat
    is handed to a human with the reason `transfer` (and ended by the customer) or ended by the
    bot (resolved); `csat` answers the exit survey. `transfer` and `csat` may be functions of
    the chat (say, of the variant it was split to). Returns the chat."""
    with sb.lock:
        request = {"skill": skill} if skill else {"engagementId": engagement or BOT_ENGAGEMENT_ID}
        chat = sb.request_chat(sb.account(ACCOUNT), request)
        session = {crew.bot.user.skill_ids[0]: crew.bot, crew.bot_b.user.skill_ids[0]: crew.bot_b}[chat.skill_id]
        assert sb.accept_chat(session) is chat
        transfer = transfer(chat) if callable(transfer) else transfer
        csat = csat(chat) if callable(csat) else csat
        sb.add_visitor_line(chat, line)
        sb.clock.advance(wait)
        sb.add_agent_line(session, chat, "Let me check that for you.")
        if transfer is not None:
            sb.transfer_chat(session, chat, skill_ref=HUMAN_SKILL_ID, text=transfer)
            assert sb.accept_chat(crew.human) is chat
            sb.add_agent_line(crew.human, chat, "Hi, Alex here. I can help.")
            sb.end_visitor_chat(chat)
        else:
            sb.add_visitor_line(chat, "Great, thank you so much!")
            sb.add_agent_line(session, chat, "You are welcome!")
            sb.end_agent_chat(session, chat)
        if csat is not None:
            answer_csat(sb, chat, csat)
        return chat
