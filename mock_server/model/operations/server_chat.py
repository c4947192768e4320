"""Server Chat API operations: what the visitor does, from the chat request to the survey."""
from ..accounts import Account
from ..chats import VISITOR, WAITING, Chat, ChatEvent, Visitor
from ..errors import BadRequest, NotFound
from ..personas import FIELDS as PERSONA_FIELDS, make_persona
from ..text import integer, text
from .chats import ChatOperations
from .lines import checked_text

MAX_INTERACTION_TIMEOUT = 86_400  # a chat request's interactionTimeout, in seconds
REQUEST_FIELD_CHARS = 255  # ids, names and the language of a chat request
REQUEST_URL_CHARS = 2048  # its visitorIp, userAgent, chatReferrer and persona fields
PERSONA_KEYS = {*PERSONA_FIELDS, *(f.split("_")[0] + "".join(p.title() for p in f.split("_")[1:])
                                  for f in PERSONA_FIELDS)}  # snake_case and camelCase
REQUEST_TEXT_FIELDS = ("visitorId", "language", "LETagVisitorId", "LETagSessionId",
                       "LETagContextId", "engagementId", "campaignId")


class ServerChatOperations(ChatOperations):
    """What a visitor does through the Server Chat API."""

    def request_chat(self, account: Account, req: dict, remote_ip: str = "",
                     user_agent: str = "") -> Chat:
        """A visitor asks for a chat on a skill (by name or id) or an engagement."""
        # Every check comes first (in _chat_request): a refused request stores no chat and
        # draws no id, so a seeded run goes on exactly as if it had not been sent.
        checked = _chat_request(account, req)
        engagement, skill_id = checked["engagement"], checked["skill_id"]
        variant = self._ab_variant(account, req, engagement)
        if variant is not None:
            skill_id = variant[1].skill_id
        authenticated = self.visitor_auth.for_request(account, req, engagement)
        if authenticated is not None:  # the identity comes from the brand's token
            checked["persona"] = {**checked["persona"], **authenticated.persona()}
        visitor = self._visitor(checked, engagement, remote_ip, user_agent)
        if authenticated is not None:
            visitor.extra["authentication"] = authenticated.as_dict()
        now = self.clock.now()
        chat_id, visit_id = self.ids.chat_id()
        chat = Chat(id=chat_id, visit_id=visit_id, account_id=account.id, skill_id=skill_id,
                    engagement_id=engagement.id if engagement else checked["engagementId"],
                    campaign_id=engagement.campaign_id if engagement else checked["campaignId"],
                    visitor=visitor, rt_session_id=self.ids.digits(10), created=now,
                    chat_timeout=checked["timeout"], last_visitor_poll=now)
        if variant is not None:
            chat.variant = (variant[0].id, variant[1].name)
        if checked["prechat"] is not None:
            chat.surveys["preChat"] = checked["prechat"]
        self.chats[chat.id] = self.open_chats[chat.id] = chat
        if authenticated is not None:
            authenticated.chat_id = chat.id  # the pair is good for one chat
        chat.add_state(now, WAITING)
        chat.add_system_line(now, 4)
        if not self.query.chat_available(account, skill_id):
            chat.add_system_line(now, 2)  # nobody on duty for this skill right now
        # In the order things happen: the chat is queued, observers hear of it (and see its
        # first events like every later one), then routing rings it.
        self.router.add(chat)
        self.publish("chat.requested", account.id, chat=chat)
        for event in chat.events:
            self.emit(chat, event)
        self.router.dispatch(account.id)
        return chat

    def _ab_variant(self, account: Account, req: dict, engagement):
        """(test, variant) when an enabled A/B test splits this engagement's new chats: only
        requests that name the engagement and no skill of their own are split, and only onto
        a variant whose skill still exists."""
        if engagement is None or req.get("skill") not in (None, ""):
            return None
        for test in self.ab_tests[account.id].values():
            if test.enabled and test.engagement_id == engagement.id:
                variant = test.choose()
                return (test, variant) if account.skill(variant.skill_id) else None
        return None

    def _visitor(self, checked: dict, engagement, remote_ip: str, user_agent: str) -> Visitor:
        """The customer of a chat request: a seeded persona, with the request's own details."""
        persona = make_persona(int(self.ids.digits(9)), checked["persona"])
        return Visitor(
            visitor_id=checked["visitorId"] or self.ids.digits(16),
            ip=persona.ip or remote_ip,
            user_agent=persona.user_agent or user_agent,
            referrer=persona.page,
            persona=persona,
            language=checked["language"] or (engagement.language if engagement else "en-US"),
            shark_visitor_id=checked["LETagVisitorId"] or self.ids.token(),
            shark_session_id=checked["LETagSessionId"] or self.ids.token(),
            shark_context_id=checked["LETagContextId"] or "1",
            extra=checked["extra"],
        )

    def visitor_chat(self, account: Account, chat_id: str) -> Chat:
        """A chat of this account, as the visitor reaches it; every call keeps it alive."""
        chat = self.chats.get(chat_id)
        if chat is None or chat.account_id != account.id:
            raise NotFound(f"Chat {chat_id} was not found", 44)
        chat.last_visitor_poll = self.clock.now()
        return chat

    def add_visitor_line(self, chat: Chat, text) -> ChatEvent:
        """The visitor says a line; visitor HTML is never rendered, so it is stored as plain."""
        chat.require_open()
        event = chat.add_line(self.clock.now(), VISITOR, chat.visitor.name or "You",
                              checked_text(text))
        chat.visitor_typing = "not-typing"
        self.emit(chat, event)
        return event

    def end_visitor_chat(self, chat: Chat) -> ChatEvent:
        """The visitor closes the chat."""
        chat.require_open()
        return self.end_chat(chat, "visitor")

    def set_visitor_name(self, chat: Chat, name) -> None:
        """The visitor tells their name; later visitor lines carry it in `by`."""
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise BadRequest("visitorName must be a non-empty string of at most 100 characters", 47)
        chat.require_open()
        chat.visitor.name = name.strip()
        self.publish("chat.visitor_name", chat.account_id, chat=chat, visitorName=chat.visitor.name)

    def submit_offline_survey(self, account: Account, raw) -> dict:
        """Store an offline message (answers to the offline survey)."""
        answers = account.surveys["offline"].answers_from(raw)
        record = {"accountId": account.id, "answers": answers, "time": self.clock.now()}
        self.offline_messages.append(record)
        self.publish("offline_message", account.id, answers=answers)
        return record

    def request_transcript(self, chat: Chat, email, subject=None) -> None:
        """Record a transcript e-mail request (nothing is sent from a sandbox)."""
        if not isinstance(email, str) or "@" not in email or len(email) > 254:
            raise BadRequest("A valid 'email' is required", 48)
        chat.transcript_requests.append({"email": email, "subject": subject,
                                         "time": self.clock.now()})
        self.publish("chat.transcript_requested", chat.account_id, chat=chat, email=email)

def _chat_request(account: Account, req) -> dict:
    """Every field of a chat request, validated; raises before anything is changed or drawn."""
    if not isinstance(req, dict):
        raise BadRequest("The body must carry the chat request under the 'request' key", 34)
    out = {name: _request_text(req, name, REQUEST_FIELD_CHARS) for name in REQUEST_TEXT_FIELDS}
    engagement = account.engagement(req["engagementId"]) if req.get("engagementId") else None
    if req.get("skill") not in (None, ""):
        skill_id = account.find_skill(_request_text(req, "skill", REQUEST_FIELD_CHARS)).id
    elif engagement is not None and engagement.skill_id is not None:
        # The engagement's skill may have been deleted since; refuse before storing anything.
        skill_id = account.find_skill(engagement.skill_id).id
    else:
        skill_id = None
    timeout = req.get("interactionTimeout")
    if timeout is None or timeout == "" or (type(timeout) is int and timeout == 0):
        timeout = account.chat_timeout  # absent (or 0, as before): the account's default, 40 s
    try:
        timeout = integer(timeout, "interactionTimeout", 1, MAX_INTERACTION_TIMEOUT, 35)
    except BadRequest:
        raise BadRequest(f"interactionTimeout must be a whole number of seconds from 1 to "
                         f"{MAX_INTERACTION_TIMEOUT}", 35) from None
    overrides = req.get("persona", {})
    if not isinstance(overrides, dict):
        raise BadRequest("'persona' must be an object", 34)
    # Only the persona's own fields are read (others are ignored, as before); each is text.
    overrides = {key: _request_text(overrides, key, REQUEST_URL_CHARS) for key in overrides
                 if key in PERSONA_KEYS}
    # Documented fields win over the persona; the persona wins over this request's own
    # address and User-Agent, which in a sandbox are always localhost and a test client.
    for field, key in (("ip", "visitorIp"), ("userAgent", "userAgent"), ("page", "chatReferrer")):
        value = _request_text(req, key, REQUEST_URL_CHARS)
        if value and value.strip():
            overrides = {**overrides, field: value}
    return {**out, "engagement": engagement, "skill_id": skill_id, "timeout": timeout,
            "prechat": _prechat_answers(account, req.get("survey")), "persona": overrides,
            "extra": {k: req[k] for k in ("preChatLines", "survey", "customVariables") if k in req}}


def _request_text(req: dict, name: str, max_chars: int) -> str | None:
    """A scalar field of a chat request (a string or a number) as text, or None when absent."""
    value = req.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadRequest(f"'{name}' must be a string", 34)
    return text(str(value), name, max_chars, 34)


def _prechat_answers(account: Account, survey) -> dict | None:
    """Validated pre-chat answers of a chat request (`survey`, optionally wrapped once more)."""
    if survey is None:
        return None
    if isinstance(survey, dict) and isinstance(survey.get("survey"), dict):
        survey = survey["survey"]
    return account.surveys["preChat"].answers_from(survey)
