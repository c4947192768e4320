"""The data dir (--data-dir): the sandbox's state in SQLite, restored at start."""
from .database import SCHEMA_VERSION, Database, StoreError  # noqa: F401
from .persistence import Persistence, StoreUnavailable  # noqa: F401
