"""Timeouts on the clock: visitors who stop polling, agent sessions that stop polling."""
from .chats import ENDED


def expire_idle_chats(sb) -> None:
    """A chat whose visitor has not called for `chatTimeout` seconds ends (system message 6)."""
    now = sb.clock.now()
    for chat in list(sb.chats.values()):
        if chat.state != ENDED and now - chat.last_visitor_poll > chat.chat_timeout:
            sb.end_chat(chat, "visitor-timeout", system_message=6)


def expire_idle_agent_sessions(sb) -> None:
    """An agent session that stopped calling is dropped; its chats are requeued (23)."""
    now = sb.clock.now()
    timeout = float(sb.settings["agent_session_timeout_seconds"])
    for session in list(sb.agents.by_id.values()):
        if not session.ended and now - session.last_seen > timeout:
            sb.agents.end(session, "timeout")
