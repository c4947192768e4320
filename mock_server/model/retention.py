"""Ended chats leave memory: after `ended_chat_memory_seconds`, or oldest first beyond
`ended_chat_memory_count`. With a data dir they stay readable from it (history, transcripts,
Engagement History); without one they are gone, and so is their Step 5 record."""
from .chats import Chat


class Retention:
    """The ended chats still in memory, in the order they ended, and the rule that retires them."""

    def __init__(self, settings: dict):
        self.seconds = float(settings["ended_chat_memory_seconds"])
        self.count = int(settings["ended_chat_memory_count"])
        self.ended: dict[str, Chat] = {}  # chat id -> chat, oldest end first

    def ended_chat(self, chat: Chat) -> None:
        """A chat ended (or was read back ended): it leaves memory in its turn."""
        self.ended.pop(chat.id, None)
        self.ended[chat.id] = chat

    def due(self, now: float) -> list[Chat]:
        """The ended chats to retire now, oldest first; they leave this list."""
        out = []
        for chat_id, chat in self.ended.items():
            over = len(self.ended) - len(out) > self.count
            if not over and (chat.ended_time or 0) > now - self.seconds:
                break
            out.append(chat)
        for chat in out:
            del self.ended[chat.id]
        return out
