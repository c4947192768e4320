"""What `POST /_sandbox/wait` can wait for: conditions checked against the model and the journal.

Each kind parses its fields once (a bad field is a 400 before any waiting) and then answers,
under the sandbox lock, either what matched or what was seen instead."""
import re
from dataclasses import dataclass
from typing import Callable

from ..model.agents import OFFLINE
from ..model.chats import ONLY_TO_REP, Chat, ChatEvent
from ..model.errors import BadRequest
from ..model.sandbox import Sandbox
from .journal import Filter, Journal

SOURCES = ("agent", "visitor", "system")
SEEN_LINES = 5  # a 408 shows this many of the chat's last lines


@dataclass
class Outcome:
    """The result of one check: matched (with `match`), or not (with what was `seen`)."""

    matched: bool
    detail: dict


Check = Callable[[Sandbox, Journal], Outcome]


def _text(fields: dict, key: str, required: bool = False) -> str | None:
    value = fields.get(key)
    if value is None:
        if required:
            raise BadRequest(f"Condition field '{key}' is required", 1)
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise BadRequest(f"Condition field '{key}' must be a string", 1)
    return str(value)


def _pattern(fields: dict, key: str) -> re.Pattern | None:
    value = _text(fields, key)
    if value is None:
        return None
    try:
        return re.compile(value)
    except re.error as exc:
        raise BadRequest(f"Condition field '{key}' is not a valid regular expression: {exc}", 1) from None


def _only(fields: dict, kind: str, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise BadRequest(f"Unknown field(s) for a '{kind}' condition: {', '.join(unknown)}; "
                         f"known: {', '.join(allowed)}", 1)


def _chats(sb: Sandbox, chat_id: str | None, account: str | None) -> list[Chat]:
    if chat_id is not None:
        chat = sb.chats.get(chat_id)
        return [chat] if chat is not None and (account is None or chat.account_id == account) else []
    return [c for c in sb.chats.values() if account is None or c.account_id == account]


def line_json(chat: Chat, event: ChatEvent) -> dict:
    """A line as the control plane shows it."""
    return {"chat": chat.id, "id": event.id, "source": event.source, "by": event.by,
            "text": event.text, "textType": event.text_type, "subType": event.sub_type,
            "time": int(event.time * 1000), "json": event.json}


def _skill_of(sb: Sandbox, account_id: str, ref: str | None) -> str | None:
    """A skill id from an id or a name (None when the account has no such skill)."""
    if ref is None:
        return None
    skill = sb.accounts[account_id].skill(ref) if account_id in sb.accounts else None
    return skill.id if skill is not None else None


def line(fields: dict) -> Check:
    """A line (from a source, matching a pattern, text or substring) in a chat, after an event."""
    _only(fields, "line", ("chat", "account", "source", "pattern", "text", "contains", "after",
                           "rich", "agent_only"))
    chat_id, account = _text(fields, "chat"), _text(fields, "account")
    source = _text(fields, "source")
    if source is not None and source not in SOURCES:
        raise BadRequest(f"Condition field 'source' must be one of {', '.join(SOURCES)}", 1)
    pattern, text, contains = _pattern(fields, "pattern"), _text(fields, "text"), _text(fields, "contains")
    after = fields.get("after", -1)
    if isinstance(after, bool) or not isinstance(after, int):
        raise BadRequest("Condition field 'after' must be an event id (an integer)", 1)
    rich, agent_only = bool(fields.get("rich")), bool(fields.get("agent_only"))

    def wanted(event: ChatEvent) -> bool:
        if event.type != "line" or event.id <= after:
            return False
        if source is not None and event.source != source:
            return False
        if (event.sub_type == ONLY_TO_REP) != agent_only:
            return False  # agent-only notes only when asked for, and then only them
        if rich and event.text_type != "rich-content":
            return False
        body = event.text or ""
        return ((text is None or body == text) and (contains is None or contains in body)
                and (pattern is None or pattern.search(body) is not None))

    def check(sb: Sandbox, _journal: Journal) -> Outcome:
        chats = _chats(sb, chat_id, account)
        for chat in chats:
            for event in chat.events[after + 1:] if chat_id is not None and after >= 0 else chat.events:
                if wanted(event):
                    return Outcome(True, line_json(chat, event))
        seen = [line_json(c, e) for c in chats[-1:] for e in c.events if e.type == "line"][-SEEN_LINES:]
        return Outcome(False, {"chat": chats[-1].id if chats else None,
                               "state": chats[-1].state if chats else None, "last_lines": seen})
    return check


def chat_state(fields: dict) -> Check:
    """A chat reaching a state."""
    _only(fields, "chat_state", ("chat", "state"))
    chat_id, state = _text(fields, "chat", required=True), _text(fields, "state", required=True)

    def check(sb: Sandbox, _journal: Journal) -> Outcome:
        chat = sb.chats.get(chat_id)
        if chat is not None and chat.state == state:
            return Outcome(True, {"chat": chat.id, "state": chat.state})
        return Outcome(False, {"chat": chat_id, "state": chat.state if chat else None,
                               "exists": chat is not None})
    return check


def transfer(fields: dict) -> Check:
    """A chat transferred (to a skill, given by id or name)."""
    _only(fields, "transfer", ("chat", "account", "skill"))
    chat_id, account, skill = _text(fields, "chat"), _text(fields, "account"), _text(fields, "skill")

    def check(sb: Sandbox, _journal: Journal) -> Outcome:
        chats = _chats(sb, chat_id, account)
        for chat in chats:
            wanted = _skill_of(sb, chat.account_id, skill)
            for t in chat.transfers:
                if skill is None or (wanted is not None and t.to_skill_id == wanted):
                    account_ = sb.accounts.get(chat.account_id)
                    return Outcome(True, {
                        "chat": chat.id, "from_skill": t.from_skill_id, "skill": t.to_skill_id,
                        "skill_name": account_.skill_name(t.to_skill_id) if account_ and t.to_skill_id else None,
                        "to_agent": t.to_user_id, "by": t.from_agent_name, "reason": t.text,
                        "time": int(t.time * 1000)})
        return Outcome(False, {"transfers": [
            {"chat": c.id, "skill": t.to_skill_id, "reason": t.text} for c in chats for t in c.transfers]})
    return check


def availability(fields: dict) -> Check:
    """An agent (login name or user id) at an availability."""
    _only(fields, "availability", ("agent", "account", "availability"))
    agent, account = _text(fields, "agent", required=True), _text(fields, "account")
    wanted = _text(fields, "availability", required=True)

    def check(sb: Sandbox, _journal: Journal) -> Outcome:
        now = OFFLINE
        for acct in sb.accounts.values():
            if account is not None and acct.id != account:
                continue
            user = next((u for u in acct.users.values()
                         if agent in (u.id, u.login_name) and not u.deleted), None)
            if user is not None:
                now = sb.query.availability(user)
                break
        if now.lower() == wanted.lower():
            return Outcome(True, {"agent": agent, "availability": now})
        return Outcome(False, {"agent": agent, "availability": now})
    return check


def ring(fields: dict) -> Check:
    """A chat ringing at an agent (login name or user id): what an agent's accept waits for."""
    _only(fields, "ring", ("agent", "account", "chat"))
    agent, account, chat_id = (_text(fields, "agent", required=True), _text(fields, "account"),
                               _text(fields, "chat"))

    def check(sb: Sandbox, _journal: Journal) -> Outcome:
        rings = []
        for acct in sb.accounts.values():
            if account is not None and acct.id != account:
                continue
            for session in sb.query.live_sessions(acct.id):
                if agent not in (session.user.id, session.user.login_name):
                    continue
                for ringing in session.ringing:
                    rings.append(ringing)
                    if chat_id is None or ringing == chat_id:
                        return Outcome(True, {"agent": agent, "chat": ringing, "session": session.id})
        return Outcome(False, {"agent": agent, "ringing": rings})
    return check


def journal_count(fields: dict) -> Check:
    """At least N journal entries matching the journal filters."""
    at_least = fields.get("at_least", 1)
    if isinstance(at_least, bool) or not isinstance(at_least, int) or at_least < 0:
        raise BadRequest("Condition field 'at_least' must be a non-negative integer", 1)
    flt = Filter.parse({k: v for k, v in fields.items() if k != "at_least"})

    def check(_sb: Sandbox, journal: Journal) -> Outcome:
        count = journal.count(flt)
        return Outcome(count >= at_least, {"count": count})
    return check


def chat(fields: dict) -> Check:
    """A chat (of an account, on a skill, in a state) exists: the newest one that matches."""
    _only(fields, "chat", ("account", "skill", "state"))
    account, skill, state = _text(fields, "account"), _text(fields, "skill"), _text(fields, "state")

    def check(sb: Sandbox, _journal: Journal) -> Outcome:
        found = None
        for c in _chats(sb, None, account):
            if state is not None and c.state != state:
                continue
            if skill is not None and c.skill_id != _skill_of(sb, c.account_id, skill):
                continue
            found = c
        if found is not None:
            return Outcome(True, {"chat": found.id, "state": found.state, "skill": found.skill_id})
        return Outcome(False, {"chats": len(_chats(sb, None, account))})
    return check


KINDS: dict[str, Callable[[dict], Check]] = {
    "line": line, "chat_state": chat_state, "transfer": transfer, "availability": availability,
    "journal_count": journal_count, "chat": chat, "ring": ring}


def parse(body: dict) -> tuple[str, Check]:
    """The condition of a wait request body (without `condition` and `timeout`)."""
    kind = body.get("condition")
    if not isinstance(kind, str) or kind not in KINDS:
        raise BadRequest(f"'condition' must be one of {', '.join(KINDS)}", 1)
    fields = {k: v for k, v in body.items() if k not in ("condition", "timeout")}
    return kind, KINDS[kind](fields)
