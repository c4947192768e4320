"""Survey structures on the wire, in the two shapes the docs show."""
from ..model.surveys import Survey
from .formats import number_if_digits, one_or_many


def survey_json(survey: Survey, typed: bool) -> dict:
    """`{"survey": {...}}`: `typed` uses numbers and booleans (the exit-survey example),
    otherwise strings throughout (the pre-chat example)."""
    def val(v):
        if typed:
            return number_if_digits(v) if isinstance(v, str) else v
        return str(v).lower() if isinstance(v, bool) else str(v)

    questions = []
    for q in sorted(survey.questions, key=lambda q: q.order):
        item = {"type": q.type, "validationType": q.validation_type, "id": val(q.id),
                "logicId": val(q.logic_id), "order": val(q.order), "mandatory": val(q.mandatory),
                "label": q.label}
        if q.entries:
            entries = []
            for e in q.entries:
                entry = {"checked": val(e.checked), "value": e.value,
                         "displayValue": e.display_value or e.value}
                if e.show_logic_ids:
                    entry["logic"] = {"showLogicId": one_or_many([val(i) for i in e.show_logic_ids])}
                entries.append(entry)
            item["entry"] = entries
        elif q.type in ("Text Field", "Text Area"):
            item["lastKnownValue"] = q.last_known_value or ""
        questions.append(item)
    return {"survey": {"id": val(survey.id), "title": survey.title, "header": survey.header,
                       "questions": {"question": one_or_many(questions)}}}
