"""The metrics subscriber: builds a ChatRecord per chat from the event bus as the chat happens.

It never reads the model to find out what changed: every fact comes from an event (the chat
object an event carries is read for what the event is about). The reporting APIs and the
dashboard read what it keeps."""
from bisect import bisect_left
from dataclasses import dataclass
from typing import Callable

from ..bus import Event
from ..chats import AGENT, ONLY_TO_REP, SYSTEM, VISITOR, WAITING, Chat
from ..surveys import yes_no
from . import mcs
from .records import (ABANDONED, CONNECTED, END_REASON_OF, END_REP_DISCONNECTED,
                      END_TRANSFER_TO_AGENT, END_TRANSFER_TO_SKILL, END_VISITOR_CLOSED, MOVED,
                      START_SKILL_REASSIGN, START_TRANSFER, ChatRecord, Leg, LineScore,
                      QueueEpisode, TransferRecord)

START_REQUEUED = "3"  # a requeued chat is offered again by the ACD ("ACD attempt")


@dataclass
class AgentSpan:
    """A stretch of one agent session in one availability state (Online, Away, Occupied)."""

    session_id: str
    user_id: str
    state: str
    start: float
    end: float | None = None


class Recorder:
    """Chat records, queue episodes and agent state spans of every account, oldest first."""

    def __init__(self, accounts: dict):
        self.accounts = accounts  # to read a survey's questions and a user's details
        self.records: dict[str, ChatRecord] = {}
        self._by_account: dict[str, list[ChatRecord]] = {}  # in request order
        self.queue: dict[str, list[QueueEpisode]] = {}  # account -> episodes, by entry time
        self._waiting: dict[str, QueueEpisode] = {}  # chat id -> its open episode
        self.spans: dict[str, list[AgentSpan]] = {}  # account -> spans, by start
        self._open_spans: dict[str, AgentSpan] = {}  # session id -> its current span
        self.listeners: list[Callable[[str, ChatRecord | None], None]] = []
        self._episodes_of: dict[str, list[QueueEpisode]] = {}  # chat id -> its queue waits
        # The records of chats that left memory (model/retention.py), when a data dir keeps them:
        # (account, since, until) -> those records, oldest first.
        self.archive: Callable[[str, float | None, float | None], list[ChatRecord]] | None = None
        self._handlers = {
            "chat.requested": self._requested, "chat.event": self._chat_event,
            "chat.accepted": self._accepted, "chat.ended": self._ended,
            "chat.survey": self._survey, "agent.session_started": self._session_started,
            "agent.availability": self._availability, "agent.session_ended": self._session_ended,
        }

    def __call__(self, event: Event) -> None:
        """The bus subscriber: one handler per kind it cares about."""
        handler = self._handlers.get(event.kind)
        if handler is not None:
            record = handler(event)
            for listener in self.listeners:
                listener(event.account_id, record)

    # --- reading ------------------------------------------------------------------------------------

    def of_account(self, account_id: str, since: float | None = None,
                   until: float | None = None) -> list[ChatRecord]:
        """The chats of an account requested in [since, until], oldest first."""
        records = self._by_account.get(account_id, [])
        start = 0 if since is None else bisect_left(records, since, key=lambda r: r.requested)
        out = records[start:]
        out = out if until is None else [r for r in out if r.requested <= until]
        if self.archive is None:
            return out
        cold = [r for r in self.archive(account_id, since, until) if r.chat_id not in self.records]
        return sorted(cold + out, key=lambda r: r.requested) if cold else out

    def episodes_of(self, chat_id: str) -> list[QueueEpisode]:
        """The queue waits of one chat (kept with its record)."""
        return self._episodes_of.get(chat_id, [])

    # --- memory -------------------------------------------------------------------------------------

    def forget(self, chat_ids: set[str]) -> None:
        """Drop the records (and queue waits) of chats that left memory."""
        accounts = {self.records.pop(i).account_id for i in chat_ids if i in self.records}
        for chat_id in chat_ids:
            self._episodes_of.pop(chat_id, None)
            self._waiting.pop(chat_id, None)
        for account_id in accounts:
            self._by_account[account_id] = [r for r in self._by_account.get(account_id, [])
                                            if r.chat_id not in chat_ids]
            self.queue[account_id] = [e for e in self.queue.get(account_id, [])
                                      if e.chat_id not in chat_ids]

    def keep(self, record: ChatRecord, episodes: list[QueueEpisode]) -> None:
        """Hold a record read back from a data dir (a restart), with its queue waits; call
        `resort` once all are in."""
        self.records[record.chat_id] = record
        self._by_account.setdefault(record.account_id, []).append(record)
        self._episodes_of[record.chat_id] = episodes
        self.queue.setdefault(record.account_id, []).extend(episodes)
        for episode in episodes:
            if episode.left is None:
                self._waiting[record.chat_id] = episode

    def resort(self) -> None:
        """Put the records and queue waits held by `keep` back in time order."""
        for records in self._by_account.values():
            records.sort(key=lambda r: r.requested)
        for episodes in self.queue.values():
            episodes.sort(key=lambda e: e.entered)

    def episodes(self, account_id: str) -> list[QueueEpisode]:
        """Every queue wait of an account, oldest first."""
        return self.queue.get(account_id, [])

    def agent_spans(self, account_id: str) -> list[AgentSpan]:
        """Every availability span of an account's agent sessions, oldest first."""
        return self.spans.get(account_id, [])

    # --- chats --------------------------------------------------------------------------------------

    def _requested(self, event: Event) -> ChatRecord:
        chat: Chat = event.data["chat"]
        record = ChatRecord(chat_id=chat.id, account_id=chat.account_id,
                            engagement_id=chat.engagement_id, campaign_id=chat.campaign_id,
                            visitor_id=chat.visitor.visitor_id, requested=chat.created,
                            entry_skill_id=chat.skill_id, variant=getattr(chat, "variant", None))
        record.legs.append(Leg(sequence=0, skill_id=chat.skill_id, queued=chat.created,
                               first_event=0))
        self.records[chat.id] = record
        self._by_account.setdefault(chat.account_id, []).append(record)
        self._enter_queue(record, chat.skill_id, chat.created)
        return record

    def _chat_event(self, event: Event) -> ChatRecord | None:
        chat: Chat = event.data["chat"]
        record = self.records.get(chat.id)
        if record is None:
            return None
        item = event.data["event"]
        if item.type == "state":
            if item.state == WAITING and item.id > 0:
                self._new_leg(record, chat, item.id, event.time)
            return record
        leg = record.leg
        if item.source == VISITOR:
            record.visitor_lines += 1
            leg.visitor_lines += 1
            raw = mcs.line_score(item.text)
            record.mcs = mcs.next_score(record.mcs, raw)
            record.line_scores.append(LineScore(item.id, raw, record.mcs or 0, item.time))
        elif item.source == AGENT and item.sub_type != ONLY_TO_REP:
            record.agent_lines += 1
            leg.agent_lines += 1
            if leg.first_response is None:
                leg.first_response = item.time
            if record.first_response is None:
                record.first_response = item.time
        elif item.source == SYSTEM:
            record.system_lines += 1
        return record

    def _new_leg(self, record: ChatRecord, chat: Chat, event_id: int, now: float) -> None:
        """The chat waits again: a transfer (its record is on the chat already) or a requeue."""
        old = record.leg
        if len(chat.transfers) > len(record.transfers):
            transfer = chat.transfers[-1]
            user = self._user(chat.account_id, transfer.from_user_id)
            record.transfers.append(TransferRecord(
                time=transfer.time, from_agent_id=transfer.from_user_id,
                from_agent_type=user.user_type if user else "",
                from_skill_id=transfer.from_skill_id, to_skill_id=transfer.to_skill_id,
                to_agent_id=transfer.to_user_id, reason=transfer.text))
            to_agent = transfer.to_user_id is not None
            end_reason = END_TRANSFER_TO_AGENT if to_agent else END_TRANSFER_TO_SKILL
            start_reason = START_TRANSFER if to_agent else START_SKILL_REASSIGN
        else:
            end_reason, start_reason = END_REP_DISCONNECTED, START_REQUEUED
        self._close_leg(old, now, end_reason, event_id - 1)
        self._leave_queue(chat.id, now, MOVED)
        record.legs.append(Leg(sequence=old.sequence + 1, skill_id=chat.skill_id, queued=now,
                               first_event=event_id, start_reason=start_reason))
        self._enter_queue(record, chat.skill_id, now)

    def _accepted(self, event: Event) -> ChatRecord | None:
        chat: Chat = event.data["chat"]
        record = self.records.get(chat.id)
        if record is None:
            return None
        leg, user = record.leg, chat.agent
        leg.connected = event.time
        leg.agent_id, leg.agent_login = user.id, user.login_name
        leg.agent_nickname, leg.agent_full_name = user.agent_name, user.full_name or user.agent_name
        leg.agent_type, leg.agent_group_id = user.user_type, user.agent_group_id
        self._leave_queue(chat.id, event.time, CONNECTED)
        return record

    def _ended(self, event: Event) -> ChatRecord | None:
        chat: Chat = event.data["chat"]
        record = self.records.get(chat.id)
        if record is None:
            return None
        by = event.data.get("by")
        record.ended, record.ended_by = event.time, by
        leg = record.leg
        reason = END_REASON_OF.get(by, END_VISITOR_CLOSED)
        self._close_leg(leg, event.time, reason, len(chat.events) - 1)
        self._leave_queue(chat.id, event.time, ABANDONED)
        record.inferred_resolved = _answered_and_kept(record, chat)
        return record

    def _survey(self, event: Event) -> ChatRecord | None:
        chat: Chat = event.data["chat"]
        record = self.records.get(chat.id)
        kind = event.data.get("survey")
        if record is None or kind not in ("exit", "agent"):
            return record
        record.surveys[kind] = event.data.get("surveyId")
        record.survey_times[kind] = event.time
        survey = self.accounts[chat.account_id].surveys.get(kind)
        answers = event.data.get("answers") or {}
        for question in survey.questions if survey else ():
            values = answers.get(question.id)
            if not values:
                continue
            if question.csat and kind == "exit":
                record.csat = _csat(values)
            elif question.fcr:
                if kind == "exit":
                    record.resolved_answer = yes_no(values)
                else:
                    record.agent_resolved_answer = yes_no(values)
        return record

    # --- queues -------------------------------------------------------------------------------------

    def _enter_queue(self, record: ChatRecord, skill_id: str | None, now: float) -> None:
        episode = QueueEpisode(chat_id=record.chat_id, skill_id=skill_id, entered=now)
        self.queue.setdefault(record.account_id, []).append(episode)
        self._episodes_of.setdefault(record.chat_id, []).append(episode)
        self._waiting[record.chat_id] = episode

    def _leave_queue(self, chat_id: str, now: float, outcome: str) -> None:
        episode = self._waiting.pop(chat_id, None)
        if episode is not None:
            episode.left, episode.outcome = now, outcome

    @staticmethod
    def _close_leg(leg: Leg, now: float, reason: str, last_event: int) -> None:
        leg.ended, leg.end_reason, leg.last_event = now, reason, last_event

    def _user(self, account_id: str, user_id: str | None):
        account = self.accounts.get(account_id)
        return account.users.get(user_id) if account and user_id else None

    # --- agents -------------------------------------------------------------------------------------

    def _session_started(self, event: Event) -> None:
        self._open_span(event, event.data["availability"])

    def _availability(self, event: Event) -> None:
        self._close_span(event.data["agentSessionId"], event.time)
        self._open_span(event, event.data["availability"])

    def _session_ended(self, event: Event) -> None:
        self._close_span(event.data["agentSessionId"], event.time)

    def _open_span(self, event: Event, state: str) -> None:
        span = AgentSpan(session_id=event.data["agentSessionId"], user_id=event.data["userId"],
                         state=state, start=event.time)
        self.spans.setdefault(event.account_id, []).append(span)
        self._open_spans[span.session_id] = span

    def _close_span(self, session_id: str, now: float) -> None:
        span = self._open_spans.pop(session_id, None)
        if span is not None:
            span.end = now


def _csat(values) -> int | None:
    """The 1-5 answer of the CSAT question, or None when it is not one."""
    text = str(values[0]).strip()
    return int(text) if text in ("1", "2", "3", "4", "5") else None


def _answered_and_kept(record: ChatRecord, chat: Chat) -> bool:
    """The transcript's verdict: interactive, never transferred, an agent took it, and the last
    line anyone said (system lines aside) was the agent's."""
    if not record.interactive or record.transfers or record.first_agent is None:
        return False
    for item in reversed(chat.events):
        if item.type == "line" and item.source in (AGENT, VISITOR) and item.sub_type != ONLY_TO_REP:
            return item.source == AGENT
    return False
