"""Operations on a chat that both sides share: typing and surveys."""
from ..chats import Chat
from ..errors import BadRequest
from ..followups import FollowUps
from .lines import TYPING


class ChatOperations(FollowUps):
    """Typing states and survey answers, for the agent and for the visitor."""

    def set_typing(self, chat: Chat, who: str, value) -> None:
        """The agent's or the visitor's typing state (typing, not-typing, unknown)."""
        if value not in TYPING:
            raise BadRequest(f"Invalid typing state '{value}': use typing or not-typing", 46)
        chat.require_open()
        setattr(chat, f"{who}_typing", value)
        self.publish("chat.typing", chat.account_id, chat=chat, who=who, typing=value)

    def submit_survey(self, chat: Chat, kind: str, raw) -> dict:
        """Store validated answers to one of the chat's surveys (exit or agent)."""
        survey = self.account(chat.account_id).surveys[kind]
        answers = survey.answers_from(raw)
        chat.surveys[kind] = answers
        self.publish("chat.survey", chat.account_id, chat=chat, survey=kind, surveyId=survey.id,
                     answers=answers)
        return answers
