"""`GET /_sandbox/state`: the whole sandbox as JSON (accounts, logins, agent sessions, queues,
chats), built on the live view's presenters so both show the same facts the same way."""
from ..live.presenters import agent_summaries, chat_summary, live_event, queues
from ..model.sandbox import Sandbox
from ..wire.formats import epoch_ms


def sandbox_state(sb: Sandbox, account_id: str | None = None, events: bool = True) -> dict:
    """The state of every account (or of one), with each chat's events unless told not to."""
    accounts = [a for a in sb.accounts.values() if account_id is None or a.id == account_id]
    clock = sb.clock
    return {"now": epoch_ms(clock.now()), "seed": sb.seed,
            "clock": {"movable": clock.movable, "frozen": bool(getattr(clock, "frozen", False))},
            "accounts": [_account(sb, a, events) for a in accounts]}


def _account(sb: Sandbox, account, events: bool) -> dict:
    query = sb.query
    sessions = query.live_sessions(account.id)
    chats = query.chats_of_account(account)
    return {
        "id": account.id, "name": account.name,
        "skills": [{"id": s.id, "name": s.name} for s in account.skills.values() if not s.deleted],
        "agents": agent_summaries(query, account),
        "logins": [{"userId": s.user.id, "loginName": s.user.login_name,
                    "userType": s.user.user_type, "created": epoch_ms(s.created),
                    "lastSeen": epoch_ms(s.last_seen)} for s in query.logins_of_account(account.id)],
        "agentSessions": [{**sb.agents.summary(s), "ringing": list(s.ringing),
                           "chats": [c.id for c in query.held_chats(s)],
                           "lastSeen": epoch_ms(s.last_seen)} for s in sessions],
        "queues": queues(query, account),
        "chats": [_chat(query, account, c, events) for c in chats],
    }


def _chat(query, account, chat, events: bool) -> dict:
    out = chat_summary(query, account, chat)
    if events:
        out["events"] = [live_event(e, account.timezone) for e in chat.events]
    return out
