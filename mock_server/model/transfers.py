"""Transfers: a chat handed from its agent to a skill or to one agent, with a note."""
from .agents import OCCUPIED, ONLINE, AgentSession
from .chats import AGENT, ONLY_TO_REP, WAITING, Chat, Transfer
from .errors import BadRequest
from .sandbox import MAX_LINE_CHARS


def transfer_skills(sb, session: AgentSession, chat: Chat) -> list[tuple[str, str, int]]:
    """Skills a chat can go to: (id, name, online agents) for skills with an agent on duty."""
    account = sb.account(chat.account_id)
    result = []
    for skill in account.skills.values():
        if skill.deleted:
            continue
        online = {s.user.id for s in sb.agents.by_id.values()
                  if s.account_id == account.id and not s.ended and s.availability in (ONLINE, OCCUPIED)
                  and skill.id in s.user.skill_ids and s.user.id != session.user.id}
        if online:
            result.append((skill.id, skill.name, len(online)))
    return result


def _target(sb, session: AgentSession, chat: Chat, skill_ref, agent_ref, text):
    """The validated target of a transfer, (user, skill): one is None. Changes nothing."""
    chat.require_open()
    if chat.state != "chatting":
        raise BadRequest("Only a chat in state 'chatting' can be transferred", 60)
    account = sb.account(chat.account_id)
    if text is not None and not isinstance(text, str):
        raise BadRequest("The transfer 'text' must be a string", 61)
    if text and len(text) > MAX_LINE_CHARS:
        raise BadRequest(f"The transfer 'text' may have at most {MAX_LINE_CHARS} characters", 61)
    skill = None
    if skill_ref not in (None, ""):
        skill = account.skills.get(str(skill_ref)) or account.skill_by_name(str(skill_ref))
        if skill is None or skill.deleted:
            raise BadRequest(f"Skill {skill_ref} does not exist in account {account.id}", 65)
    if agent_ref not in (None, ""):
        # The agent wins over a skill named beside it; that skill must still exist.
        target_user = account.users.get(str(agent_ref)) or account.user_by_login(str(agent_ref))
        if target_user is None or target_user.deleted:
            raise BadRequest(f"Agent {agent_ref} does not exist in account {account.id}", 62)
        if target_user.id == session.user.id:
            raise BadRequest("A chat cannot be transferred to the agent who holds it", 63)
        if not any(s.availability in (ONLINE, OCCUPIED) for s in sb.agents.for_user(target_user)):
            raise BadRequest(f"Agent {agent_ref} is not available for transfer", 64)
        return target_user, None
    if skill is not None:
        if not any(sid == skill.id for sid, _, _ in transfer_skills(sb, session, chat)):
            raise BadRequest(f"Skill {skill.name} has no agent available for transfer", 66)
        return None, skill
    raise BadRequest("The transfer needs a 'skill' or an 'agent' with an 'id'", 67)


def transfer_chat(sb, session: AgentSession, chat: Chat, skill_ref=None, agent_ref=None,
                  text: str = "") -> Transfer:
    """Hand the chat to a skill (system message 15) or to one agent (13); the agent wins if both."""
    # Every check comes first: a refused transfer adds no record, no line, frees no slot.
    target_user, target_skill = _target(sb, session, chat, skill_ref, agent_ref, text)
    now, old = sb.clock.now(), session.user
    record = Transfer(time=now, from_user_id=old.id, from_agent_name=old.agent_name,
                      from_skill_id=chat.skill_id,
                      to_skill_id=target_skill.id if target_skill else chat.skill_id,
                      to_user_id=target_user.id if target_user else None, text=text or "")
    chat.transfers.append(record)
    if text:
        # The note is for the next agent only: the visitor never sees ONLY_TO_REP lines.
        sb.emit(chat, chat.add_line(now, AGENT, old.agent_name, text, sub_type=ONLY_TO_REP,
                                    agent_id=old.id))
    sb.release(chat)
    # The agent who let go is rung again only if nobody else can take the chat.
    chat.rang_out = {s.id for s in sb.agents.for_user(old)}
    chat.transferred = True
    chat.target_user_id = target_user.id if target_user else None
    if target_skill:
        chat.skill_id = target_skill.id
        sb.emit(chat, chat.add_system_line(now, 15, skill=target_skill.name))
    else:
        sb.emit(chat, chat.add_system_line(now, 13, agent=target_user.agent_name))
    sb.emit(chat, chat.add_state(now, WAITING))
    sb.publish("chat.transferred", chat.account_id, chat=chat, fromUserId=old.id,
               toSkillId=record.to_skill_id, toUserId=record.to_user_id, reason=record.text)
    sb.router.enqueue(chat)
    return record
