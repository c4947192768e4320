"""The data dir's SQLite file: its schema, its version and migrations, and the rows it holds.

WAL mode, one connection, used under the sandbox lock only. A commit is on disk (in the WAL)
before the lock is let go, so before the answer leaves: a `kill -9` loses nothing acknowledged.
`synchronous=NORMAL` (the default) survives a crash of the process; `FULL` also a power cut, at
an fsync per write (`durability: full` in the config's `store` section)."""
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .. import __version__

FILE_NAME = "sandbox.sqlite3"
SCHEMA_VERSION = 1


class StoreError(Exception):
    """The data dir cannot be used (a newer schema, a file that is not ours)."""


def _v1(db: sqlite3.Connection) -> None:
    """The first schema: parts of the tree, chats, chat records."""
    _run(db, """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        -- one row per part of the tree: the accounts, the live state (sessions, queues, ...)
        CREATE TABLE parts (name TEXT PRIMARY KEY, body BLOB NOT NULL);
        -- every chat, ended ones too (ended is NULL while it is open)
        CREATE TABLE chats (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, created REAL NOT NULL,
                            ended REAL, body BLOB NOT NULL);
        CREATE INDEX chats_open ON chats (ended) WHERE ended IS NULL;
        -- a chat's events, appended as they happen (the chat row holds the rest of the chat)
        CREATE TABLE events (chat_id TEXT NOT NULL, id INTEGER NOT NULL, body BLOB NOT NULL,
                             PRIMARY KEY (chat_id, id)) WITHOUT ROWID;
        CREATE INDEX chats_ended ON chats (ended);
        -- the Step 5 record of each chat (and its queue waits), by request time
        CREATE TABLE records (chat_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,
                              requested REAL NOT NULL, body BLOB NOT NULL);
        CREATE INDEX records_by_account ON records (account_id, requested);
    """)


def _run(db: sqlite3.Connection, script: str) -> None:
    """Each statement of a script, inside the caller's transaction (executescript commits)."""
    for statement in script.split(";"):
        lines = [ln for ln in statement.splitlines() if not ln.strip().startswith("--")]
        if "".join(lines).strip():
            db.execute("\n".join(lines))


# MIGRATIONS[n] takes a database at version n to n + 1. A new field of a stored dataclass needs
# none (codec.upgrade fills in its default); a renamed or reshaped one gets a step here.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1]


class Database:
    """One data dir's SQLite file, at the current schema version."""

    def __init__(self, directory: str | Path, durability: str = "normal"):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / FILE_NAME
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(f"PRAGMA synchronous={'FULL' if durability == 'full' else 'NORMAL'}")
            self.fresh = self._migrate()
        except sqlite3.DatabaseError as exc:  # not a database, or one we cannot write
            raise StoreError(f"{self.path}: {exc}") from None

    def _migrate(self) -> bool:
        """Bring the file to SCHEMA_VERSION; True when it was empty."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {version}; this sandbox "
                             f"({__version__}) reads up to {SCHEMA_VERSION}: use a newer one")
        for step in range(version, SCHEMA_VERSION):
            with self.transaction():
                MIGRATIONS[step](self.db)
                self.db.execute(f"PRAGMA user_version={step + 1}")
                self.set_meta("written_by", __version__)
        return version == 0

    def transaction(self):
        """A context manager: BEGIN ... COMMIT (ROLLBACK on an exception)."""
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    # --- rows ---------------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                        "value = excluded.value", (key, value))

    def part(self, name: str) -> bytes | None:
        row = self.db.execute("SELECT body FROM parts WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]

    def put_part(self, name: str, body: bytes) -> None:
        self.db.execute("INSERT INTO parts VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
                        "body = excluded.body", (name, body))

    def put_chats(self, rows: Iterable[tuple]) -> None:
        """(id, account_id, created, ended, body) rows."""
        self.db.executemany(
            "INSERT INTO chats VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "ended = excluded.ended, body = excluded.body", rows)

    def put_events(self, rows: Iterable[tuple]) -> None:
        """(chat_id, event id, body) rows, appended."""
        self.db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?, ?)", rows)

    def events(self, chat_id: str) -> list[bytes]:
        """A chat's event bodies, in order."""
        return [r[0] for r in self.db.execute(
            "SELECT body FROM events WHERE chat_id = ? ORDER BY id", (chat_id,))]

    def event_count(self, chat_id: str) -> int:
        return self.db.execute("SELECT count(*) FROM events WHERE chat_id = ?",
                               (chat_id,)).fetchone()[0]

    def put_records(self, rows: Iterable[tuple]) -> None:
        """(chat_id, account_id, requested, body) rows."""
        self.db.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
            "body = excluded.body", rows)

    def chat(self, chat_id: str) -> bytes | None:
        row = self.db.execute("SELECT body FROM chats WHERE id = ?", (chat_id,)).fetchone()
        return None if row is None else row[0]

    def resident_chats(self, ended_since: float, ended_limit: int) -> Iterator[tuple[str, bytes]]:
        """(id, body) of the open chats and the newest `ended_limit` ended since `ended_since`,
        in the order they were requested (rowid: a chat's first write)."""
        rows = self.db.execute(
            "SELECT id, body FROM chats WHERE ended IS NULL OR rowid IN (SELECT rowid FROM chats "
            "WHERE ended >= ? ORDER BY ended DESC LIMIT ?) ORDER BY rowid",
            (ended_since, ended_limit))
        yield from rows

    def record(self, chat_id: str) -> bytes | None:
        row = self.db.execute("SELECT body FROM records WHERE chat_id = ?", (chat_id,)).fetchone()
        return None if row is None else row[0]

    def record_ids(self, account_id: str, since: float | None, until: float | None) -> list[str]:
        """The chat ids of an account's records requested in [since, until], oldest first."""
        return [r[0] for r in self.db.execute(
            "SELECT chat_id FROM records WHERE account_id = ? AND requested >= ? "
            "AND requested <= ? ORDER BY requested",
            (account_id, float("-inf") if since is None else since,
             float("inf") if until is None else until))]

    def counts(self) -> dict[str, int]:
        """How many chats and records the file holds."""
        return {"chats": self.db.execute("SELECT count(*) FROM chats").fetchone()[0],
                "records": self.db.execute("SELECT count(*) FROM records").fetchone()[0]}

    def clear(self) -> None:
        """Empty every table (a reset): the schema stays."""
        with self.transaction():
            for table in ("parts", "chats", "events", "records"):
                self.db.execute(f"DELETE FROM {table}")
            self.set_meta("reset_at", repr(time.time()))


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, *_):
        self.db.execute("ROLLBACK" if kind else "COMMIT")
        return False
