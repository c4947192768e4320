"""The NLP hook: your own classifier names the intent of each visitor line.

Either a Python callable `classify(text, context) -> intent name | None` (`--nlp module:function`)
or an HTTP endpoint (`--nlp-url URL`) that is POSTed `{"text": ..., "chatId": ...}` and answers
`{"intent": "name"}` (or `{"intent": null}` when it does not know).
"""
from typing import Callable

import requests

from . import ChatContext, load_attribute
from ..report import Report, silent

Classifier = Callable[[str, ChatContext], "str | None"]


def callable_classifier(spec: str) -> Classifier:
    """Import `module:function` as the classifier."""
    function = load_attribute(spec)
    if not callable(function):
        raise ValueError(f"{spec} is not callable")
    return function


class HttpClassifier:
    """Asks an HTTP endpoint for the intent; a failing endpoint means "no intent" (logged)."""

    def __init__(self, url: str, timeout: float = 5.0, verify: bool | str = True,
                 report: Report = silent):
        self.url = url
        self.timeout = timeout
        self.verify = verify
        self.report = report
        self.http = requests.Session()

    def __call__(self, text: str, context: ChatContext) -> str | None:
        """POST the line; the answer's `intent` (None when absent or on any failure)."""
        try:
            response = self.http.post(self.url, json={"text": text, "chatId": context.chat_id},
                                      timeout=self.timeout, verify=self.verify)
            response.raise_for_status()
            intent = response.json().get("intent")
        except (requests.RequestException, ValueError, AttributeError) as exc:
            # The chat goes on without NLP (pattern rules, fallback) rather than stalling.
            self.report("nlp.failed", context.chat_id, url=self.url, error=str(exc))
            return None
        self.report("nlp.intent", context.chat_id, intent=intent)
        return str(intent) if intent else None


def make_classifier(module_function: str | None = None, url: str | None = None,
                    verify: bool | str = True, report: Report = silent) -> Classifier | None:
    """The classifier the command line asked for, if any (not both)."""
    if module_function and url:
        raise ValueError("give --nlp or --nlp-url, not both")
    if module_function:
        return callable_classifier(module_function)
    if url:
        return HttpClassifier(url, verify=verify, report=report)
    return None
