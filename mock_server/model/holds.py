"""Which chats each user is chatting in: the load that capacity is counted against."""
from .accounts import User


class Holds:
    """User id -> ids of the chats the user holds, in accept order (a dict as ordered set)."""

    def __init__(self):
        self._by_user: dict[str, dict[str, None]] = {}

    def load(self, user: User) -> int:
        """How many chats the user is chatting in right now."""
        return len(self._by_user.get(user.id, ()))

    def chat_ids(self, user: User) -> list[str]:
        """The ids of the chats the user holds, oldest accept first."""
        return list(self._by_user.get(user.id, ()))

    def hold(self, user: User, chat_id: str) -> None:
        """The user took this chat."""
        self._by_user.setdefault(user.id, {})[chat_id] = None

    def drop(self, user: User, chat_id: str) -> None:
        """The user no longer holds this chat (ended, transferred, requeued)."""
        self._by_user.get(user.id, {}).pop(chat_id, None)
