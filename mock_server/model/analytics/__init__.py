"""Step 5 analytics: per-chat metrics built on the event bus (recorder.py, records.py, mcs.py),
the Step 5 numbers of a group of chats (scorecard.py) and A/B tests across bots (abtest.py)."""
from .recorder import Recorder

__all__ = ["Recorder"]
