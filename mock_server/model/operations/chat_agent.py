"""Chat Agent API operations: agent sessions, availability, taking chats, lines, transfers."""
from ..accounts import User
from ..agents import OCCUPIED, ONLINE, AgentSession
from ..auth import LoginSession
from ..chats import AGENT, CHATTING, ONLY_TO_REP, REGULAR, WAITING, Chat, ChatEvent, Transfer
from ..errors import BadRequest, NotFound
from ..rich_content import SCHEMA as RICH_CONTENT
from .chats import ChatOperations
from .lines import MAX_LINE_CHARS, TEXT_TYPES, checked_text


class ChatAgentOperations(ChatOperations):
    """What an agent (bot or human) does through the Chat Agent API."""

    def start_agent_session(self, login: LoginSession) -> AgentSession:
        """Open an agent session for the user of `login` (Away until it says otherwise)."""
        return self.agents.start(login)

    def agent_session(self, login: LoginSession, session_id: str) -> AgentSession:
        """The live agent session of this login's user; every call keeps it alive."""
        return self.agents.get(login, session_id)

    def kick_agent_session(self, account_id: str, session_id: str) -> bool:
        """End an agent session as a login elsewhere would (the control plane's
        `session_kicked` fault): its rings stop and its chats move on; False when not live."""
        session = self.agents.by_id.get(session_id)
        if session is None or session.ended or session.account_id != account_id:
            return False
        self.end_agent_session(session, "kicked")
        return True

    def set_agent_availability(self, session: AgentSession, value) -> None:
        """Set the chat availability (Online, Away, Occupied); waiting chats may ring now."""
        self.agents.set_availability(session, value)
        self.router.dispatch(session.account_id)

    def accept_chat(self, session: AgentSession) -> Chat:
        """Accept the oldest chat ringing at this session: it becomes the agent's chat."""
        ringing = self.router.ringing_at(session)
        if not ringing:
            raise NotFound("There is no incoming chat request to accept", 43)
        chat = ringing[0]
        self.router.remove(chat)
        now = self.clock.now()
        chat.agent, chat.agent_session_id, chat.accepted_time = session.user, session.id, now
        chat.target_user_id = None
        chat.rang_out = set()
        self.holds.hold(session.user, chat.id)
        self.emit(chat, chat.add_state(now, CHATTING))
        self.emit(chat, chat.add_system_line(now, 3, agent=session.user.agent_name))
        self.publish("chat.accepted", chat.account_id, chat=chat, agentSessionId=session.id,
                     userId=session.user.id)
        return chat

    def add_agent_line(self, session: AgentSession, chat: Chat, text, text_type: str = "plain",
                       sub_type: str = REGULAR, json=None, quick_replies=None) -> ChatEvent:
        """The agent says a line (html, plain or rich content; ONLY_TO_REP for agents only).
        Rich content must pass json-pollock's schema (model/rich_content.py); any line may
        carry quick replies (a sandbox extension: LivePerson has them on Messaging)."""
        chat.require_open()
        text_type = text_type or "plain"
        if text_type not in TEXT_TYPES:
            raise BadRequest(f"Invalid textType '{text_type}'", 31)
        if sub_type not in (REGULAR, ONLY_TO_REP):
            raise BadRequest(f"Invalid subType '{sub_type}'", 32)
        if text_type == "rich-content":
            if json is None:
                raise BadRequest("A rich-content line needs a 'json' object", 33)
            RICH_CONTENT.check_content(json)
            # `text` is optional here (the sample app sends none): the fallback for clients
            # that cannot draw the card; a number or an over-long text is still refused.
            blank = text is None or (isinstance(text, str) and not text.strip())
            text = "" if blank else checked_text(text)
        else:
            text = checked_text(text)
        if quick_replies is not None:
            RICH_CONTENT.check_quick_replies(quick_replies)
        event = chat.add_line(self.clock.now(), AGENT, session.user.agent_name, text,
                              text_type=text_type, sub_type=sub_type, json=json,
                              agent_id=session.user.id, quick_replies=quick_replies)
        chat.agent_typing = "not-typing"
        self.emit(chat, event)
        return event

    def end_agent_chat(self, session: AgentSession, chat: Chat) -> ChatEvent:
        """The agent ends the chat: system message 5, then the `ended` state."""
        chat.require_open()
        return self.end_chat(chat, "agent", system_message=5)

    # --- transfers --------------------------------------------------------------------------------

    def transfer_chat(self, session: AgentSession, chat: Chat, skill_ref=None, agent_ref=None,
                      text: str = "") -> Transfer:
        """Hand the chat to a skill (system message 15) or to one agent (13); the agent wins
        if both are named."""
        # Every check comes first: a refused transfer adds no record, no line, frees no slot.
        target_user, target_skill = self._transfer_target(session, chat, skill_ref, agent_ref, text)
        now, old = self.clock.now(), session.user
        record = Transfer(time=now, from_user_id=old.id, from_agent_name=old.agent_name,
                          from_skill_id=chat.skill_id,
                          to_skill_id=target_skill.id if target_skill else chat.skill_id,
                          to_user_id=target_user.id if target_user else None, text=text or "")
        chat.transfers.append(record)
        if text:
            # The note is for the next agent only: the visitor never sees ONLY_TO_REP lines.
            self.emit(chat, chat.add_line(now, AGENT, old.agent_name, text, sub_type=ONLY_TO_REP,
                                          agent_id=old.id))
        self.release(chat)
        # The agent who let go is rung again only if nobody else can take the chat.
        chat.rang_out = {s.id for s in self.agents.for_user(old)}
        chat.transferred = True
        chat.target_user_id = target_user.id if target_user else None
        if target_skill:
            chat.skill_id = target_skill.id
            self.emit(chat, chat.add_system_line(now, 15, skill=target_skill.name))
        else:
            self.emit(chat, chat.add_system_line(now, 13, agent=target_user.agent_name))
        state = chat.add_state(now, WAITING)
        self.router.add(chat)  # queued before observers hear it is waiting, then routed
        self.emit(chat, state)
        self.publish("chat.transferred", chat.account_id, chat=chat, fromUserId=old.id,
                     toSkillId=record.to_skill_id, toUserId=record.to_user_id, reason=record.text)
        self.router.dispatch(chat.account_id)
        return record

    def _transfer_target(self, session: AgentSession, chat: Chat, skill_ref, agent_ref, text):
        """The validated target of a transfer, (user, skill): one is None. Changes nothing."""
        chat.require_open()
        if chat.state != CHATTING:
            raise BadRequest("Only a chat in state 'chatting' can be transferred", 60)
        account = self.account(chat.account_id)
        if text is not None and not isinstance(text, str):
            raise BadRequest("The transfer 'text' must be a string", 61)
        if text and len(text) > MAX_LINE_CHARS:
            raise BadRequest(f"The transfer 'text' may have at most {MAX_LINE_CHARS} characters", 61)
        skill = None
        if skill_ref not in (None, ""):
            skill = account.skill(skill_ref)
            if skill is None:
                raise BadRequest(f"Skill {skill_ref} does not exist in account {account.id}", 65)
        if agent_ref not in (None, ""):
            # The agent wins over a skill named beside it; that skill must still exist.
            target: User | None = (account.users.get(str(agent_ref))
                                   or account.user_by_login(str(agent_ref)))
            if target is None or target.deleted:
                raise BadRequest(f"Agent {agent_ref} does not exist in account {account.id}", 62)
            if target.id == session.user.id:
                raise BadRequest("A chat cannot be transferred to the agent who holds it", 63)
            if not any(s.availability in (ONLINE, OCCUPIED) for s in self.agents.for_user(target)):
                raise BadRequest(f"Agent {agent_ref} is not available for transfer", 64)
            return target, None
        if skill is not None:
            if not any(sid == skill.id for sid, _, _ in self.query.transfer_skills(session, account)):
                raise BadRequest(f"Skill {skill.name} has no agent available for transfer", 66)
            return None, skill
        raise BadRequest("The transfer needs a 'skill' or an 'agent' with an 'id'", 67)
