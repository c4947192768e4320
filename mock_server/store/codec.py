"""Objects to bytes and back: pickle, with the objects another row owns written as references.

A chat names its agent (a User of an account); the live state names chats and users. Each is
stored once, in its own row, and every other row refers to it by a reference, so a restore
rebuilds one object graph (the user a chat names *is* the account's user) and a line written to
a chat never rewrites its account. The data dir is the sandbox's own: pickle is read only from
there, never from a client."""
import dataclasses
import io
import pickle
import threading
from typing import Any, Callable

from ..model.accounts import Account, User
from ..model.chats import Chat

PROTOCOL = pickle.HIGHEST_PROTOCOL
_PLAIN = frozenset({int, float, str, bytes, bool, type(None), list, dict, tuple, set})


class Refs:
    """The references of one sandbox's shared objects: accounts, their users, chats, and the
    tree's own parts (its clock, its stores), which a row may name but never holds."""

    def __init__(self, accounts: dict[str, Account], chat_of: Callable[[str], Chat | None],
                 parts: dict[str, Any]):
        self.accounts = accounts
        self.chat_of = chat_of
        self.parts = parts
        self._part_ids = {id(value): name for name, value in parts.items()}
        self._users: dict[int, tuple[str, str]] = {}

    def users_changed(self) -> None:
        """Users were added or replaced: rebuild the user map on next use."""
        self._users.clear()

    def _user_key(self, user: User) -> tuple[str, str] | None:
        if not self._users:
            self._users = {id(u): (a.id, uid) for a in self.accounts.values()
                           for uid, u in a.users.items()}
        return self._users.get(id(user))

    def reference(self, obj, own: object) -> tuple | None:
        """The reference written for `obj` inside the row of `own`, or None to write it whole."""
        kind = type(obj)
        if obj is own or kind in _PLAIN:
            return None
        if kind is Chat:
            return ("chat", obj.id)
        if kind is User:
            key = self._user_key(obj)
            if key is None:  # a user an account no longer holds: kept whole in this row
                return None
            return ("user", *key)
        if kind is Account:
            return ("account", obj.id)
        name = self._part_ids.get(id(obj))
        return None if name is None else ("part", name)

    def resolve(self, pid: tuple):
        """The live object a reference names."""
        kind = pid[0]
        if kind == "chat":
            chat = self.chat_of(pid[1])
            if chat is None:
                raise pickle.UnpicklingError(f"row names chat {pid[1]}, which the store lacks")
            return chat
        if kind == "user":
            return self.accounts[pid[1]].users[pid[2]]
        if kind == "account":
            return self.accounts[pid[1]]
        if kind == "part":
            return self.parts[pid[1]]
        raise pickle.UnpicklingError(f"unknown reference {pid!r}")


class _Pickler(pickle.Pickler):
    """Writes shared objects as `_ref(...)` calls; reducer_override is asked about class
    instances only (not every str and int, as persistent_id would be)."""

    def __init__(self, buffer, refs: Refs, own):
        super().__init__(buffer, PROTOCOL)
        self.refs, self.own = refs, own

    def reducer_override(self, obj):
        pid = self.refs.reference(obj, self.own)
        return NotImplemented if pid is None else (_ref, pid)


_loading = threading.local()  # the Refs that `_ref` resolves against while `loads` runs


def _ref(*pid):
    """A shared object, as the row being read names it."""
    return _loading.refs.resolve(pid)


def dumps(obj, refs: Refs | None) -> bytes:
    """`obj` as bytes, shared objects written as references."""
    if refs is None:
        return pickle.dumps(obj, PROTOCOL)
    buffer = io.BytesIO()
    _Pickler(buffer, refs, obj).dump(obj)
    return buffer.getvalue()


def loads(data: bytes, refs: Refs | None):
    """The object of `dumps`, references resolved, dataclasses brought up to today's fields."""
    previous = getattr(_loading, "refs", None)
    _loading.refs = refs
    try:
        return upgrade(pickle.loads(data))
    finally:
        _loading.refs = previous


def upgrade(obj, _seen: set | None = None):
    """Give every dataclass instance in `obj` the fields added since it was stored (their
    defaults): the migration path for the common change, a new field, needs no code."""
    seen = _seen if _seen is not None else set()
    if id(obj) in seen:
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        seen.add(id(obj))
        state = getattr(obj, "__dict__", None)
        for f in dataclasses.fields(obj):
            if state is not None and f.name not in state:
                if f.default is not dataclasses.MISSING:
                    object.__setattr__(obj, f.name, f.default)
                elif f.default_factory is not dataclasses.MISSING:
                    object.__setattr__(obj, f.name, f.default_factory())
            upgrade(getattr(obj, f.name, None), seen)
    elif isinstance(obj, dict):
        seen.add(id(obj))
        for value in obj.values():
            upgrade(value, seen)
    elif isinstance(obj, (list, tuple, set)):
        seen.add(id(obj))
        for value in obj:
            upgrade(value, seen)
    return obj
