"""Surveys: pre-chat, exit (with CSAT), agent and offline; their questions and stored answers."""
from dataclasses import dataclass, field

from .errors import BadRequest
from .numbers import is_int_text

CHOICE_TYPES = ("Dropdown Box", "Checkbox", "Radio Button", "Radio Button (side by side)")
TEXT_TYPES = ("Text Field", "Text Area")
KINDS = ("preChat", "exit", "agent", "offline")


@dataclass
class Entry:
    """One choice of a choice question."""

    value: str
    display_value: str = ""
    checked: bool = False
    show_logic_ids: list[str] = field(default_factory=list)


@dataclass
class Question:
    """One survey question."""

    id: str
    type: str
    label: str
    mandatory: bool = False
    order: int = 0
    logic_id: str = ""
    validation_type: str = "alpha_numeric"
    entries: list[Entry] = field(default_factory=list)
    last_known_value: str | None = None
    csat: bool = False  # the exit survey's 1-5 satisfaction question
    fcr: bool = False  # a yes/no "was the issue resolved?" question (LivePerson's FCR type)


@dataclass
class Survey:
    """A survey structure, shared by the pre-chat, exit, agent and offline surveys."""

    id: str
    name: str
    header: str = ""
    title: str = ""
    questions: list[Question] = field(default_factory=list)

    def question(self, question_id) -> Question:
        """The question with this id, or BadRequest."""
        for q in self.questions:
            if q.id == str(question_id):
                return q
        raise BadRequest(f"Survey {self.id} has no question {question_id}", 50)

    def answers_from(self, raw) -> dict[str, list[str]]:
        """Validate answers `{"id", "question": [{"id", "answer"}...]}` into {question id: values}."""
        if not isinstance(raw, dict):
            raise BadRequest("The body must carry a 'survey' object", 51)
        items = raw.get("question", raw.get("questions", []))
        if isinstance(items, dict) and "question" in items:
            items = items["question"]  # the full structure sent back, as one doc example does
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise BadRequest("'question' must be a list of {id, answer}", 51)
        answers: dict[str, list[str]] = {}
        for item in items:
            if isinstance(item, dict) and "id" not in item and "@id" in item:
                item = {**item, "id": item["@id"]}  # the XML mapping carries ids as attributes
            if not isinstance(item, dict) or "id" not in item:
                raise BadRequest("Every answered question needs an 'id'", 51)
            question = self.question(item["id"])
            value = item.get("answer", item.get("lastKnownValue"))
            if value is None and question.entries:
                value = [e.get("value") for e in _list(item.get("entry")) if _truthy(e.get("checked"))]
            values = [str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
            if len(values) > 1 and question.type != "Checkbox":
                raise BadRequest(f"Question {question.id} takes one answer", 52)
            if question.entries and any(v not in {e.value for e in question.entries} for v in values):
                raise BadRequest(f"Question {question.id} has no such choice", 53)
            if question.validation_type == "numeric" and any(not is_int_text(v) for v in values):
                raise BadRequest(f"Question {question.id} needs a number", 54)
            if question.validation_type == "email" and any("@" not in v for v in values):
                raise BadRequest(f"Question {question.id} needs an email address", 55)
            if values:
                answers[question.id] = values
        for question in self.questions:
            if question.mandatory and question.id not in answers:
                raise BadRequest(f"Question {question.id} ({question.label}) is mandatory", 56)
        return answers


def _list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _truthy(value) -> bool:
    return value is True or str(value).lower() == "true"


def default_surveys(ids) -> dict[str, Survey]:
    """The surveys every account has unless its config says otherwise."""
    def q(*args, **kw):
        return Question(ids.digits(8), *args, **kw)
    csat = q("Radio Button (side by side)", "How satisfied were you with this chat?", order=0,
             logic_id="1", validation_type="numeric", csat=True,
             entries=[Entry(str(n), label) for n, label in
                      ((1, "1 - Very dissatisfied"), (2, "2"), (3, "3"), (4, "4"),
                       (5, "5 - Very satisfied"))])
    surveys = {
        "preChat": Survey(ids.digits(6), "Pre-Chat Survey",
                          header="To help us serve you better, please provide some information "
                                 "before we begin your chat.",
                          questions=[q("Text Field", "What is your name?", order=0, logic_id="1"),
                                     q("Text Field", "Your email address", order=1, logic_id="2",
                                       validation_type="email"),
                                     q("Dropdown Box", "What do you need help with?", order=2,
                                       logic_id="3",
                                       entries=[Entry("Orders", "Orders"), Entry("Billing", "Billing"),
                                                Entry("Something else", "Something else")])]),
        "exit": Survey(ids.digits(6), "Post-chat Survey",
                       questions=[csat, q("Text Area", "Anything else you would like to tell us?",
                                          order=1, logic_id="2")]),
        "agent": Survey(ids.digits(6), "Agent Survey",
                        questions=[q("Radio Button", "Was the customer's issue resolved?", order=0,
                                     logic_id="1", fcr=True,
                                     entries=[Entry("Yes", "Yes"), Entry("No", "No")]),
                                   q("Text Area", "Notes", order=1, logic_id="2")]),
        "offline": Survey(ids.digits(6), "Offline Survey",
                          header="We are offline right now. Leave us a message.",
                          questions=[q("Text Field", "Your name", mandatory=True, order=0, logic_id="1"),
                                     q("Text Field", "Your email address", mandatory=True, order=1,
                                       logic_id="2", validation_type="email"),
                                     q("Text Area", "Your message", mandatory=True, order=2,
                                       logic_id="3")]),
    }
    # Drawn last, so every other survey keeps the ids it had before this question existed.
    fcr = q("Radio Button", "Was your issue resolved?", order=1, logic_id="3", fcr=True,
            entries=[Entry("Yes", "Yes"), Entry("No", "No")])
    exit_questions = surveys["exit"].questions
    exit_questions[1].order = 2
    exit_questions.insert(1, fcr)
    return surveys


def yes_no(values) -> bool | None:
    """A yes/no answer (Yes, No, true, false, 1, 0) as a bool; None when it is neither."""
    value = str(values[0] if isinstance(values, list) and values else values or "").strip().lower()
    return {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}.get(value)
