"""The transcript brain: answer each visitor line with the next line of a JSON list, then end."""
import json
from pathlib import Path

from . import Brain, ChatContext, Reply

DEFAULT_TRANSCRIPT = Path(__file__).resolve().parent.parent / "transcripts" / "default.json"


def load_transcript(path: str | Path = DEFAULT_TRANSCRIPT) -> list[str]:
    """Read a transcript file: a JSON array of strings (kept verbatim, spaces included)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list) or not all(isinstance(line, str) for line in data):
        raise ValueError(f"{path}: a transcript is a JSON array of strings")
    return data


class TranscriptBrain(Brain):
    """LivePerson agent-sample-app's behaviour: line N answers visitor line N; one more ends it."""

    name = "transcript"

    def __init__(self, lines: list[str]):
        self.lines = list(lines)

    @classmethod
    def from_options(cls, transcript: str | Path | None = None, **_ignored) -> "TranscriptBrain":
        """Build from a transcript file (the default file when none is given)."""
        return cls(load_transcript(transcript or DEFAULT_TRANSCRIPT))

    def reply(self, context: ChatContext, visitor_text: str) -> Reply:
        """The next transcript line; once they are all said, end the chat."""
        index = context.memory.get("transcript_index", 0)
        if index >= len(self.lines):
            return Reply(end_chat=True)
        context.memory["transcript_index"] = index + 1
        return Reply(text=self.lines[index])
