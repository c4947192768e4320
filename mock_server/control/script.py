"""Record and replay: a chat as a customer script (simulator/scripts.py's YAML) that replays it
against a bot, and `GET /_sandbox/chats/{chatId}/script`, which downloads it.

How a chat becomes a script (`chat_script`):

- The chat's engagement (else the skill it was first routed to), its account, and the persona it
  had (`request: {persona: ...}`), so the bot greets and answers the same customer; the name the
  visitor gave (info/visitorName) is given again before the first line.
- A first step checks the routing (`skill:`) and expects what the agent said before the
  customer said anything (the welcome).
- Each line the customer said is a `say` step; the agent lines that followed it, in order, are
  its `expect` checks: `matches:` the answer's whole text (see `answer_pattern`), `rich: TYPE`
  for a card, and `agent: NAME` when more than one agent spoke in the chat.
- A transfer (system message 15) is `transferred: SKILL` with `reason:` (the note the next agent
  saw: replaying that needs the sandbox); an agent joining after a transfer is `joined: NAME`.
- The end: `ended: true` with `by: agent|system`, or an `end: true` step when the customer ended
  it; `survey: true` after it when the customer answered the exit survey.
- Lines the visitor never saw (agent-only notes) and the platform's other lines are left out.
"""
import html
import re

import yaml
from flask import Response

from ..api.common import locked, sandbox
from ..model.chats import AGENT, CHATTING, ENDED, SYSTEM, VISITOR, Chat, ChatEvent
from ..model.errors import NotFound
from . import bp

TRANSFERRED = 15  # systemMessageId: "Please hold while the chat is transferred to {skill}."
_TAG = re.compile(r"<[^>]+>")
_SAID_NUMBER = re.compile(r"\d+")
# What an answer's pattern loosens: whitespace, clock times, long numbers (see answer_pattern).
_TOKEN = re.compile(r"(?P<space>\s+)|(?P<time>\b\d{1,2}:\d{2}(?::\d{2})?\b)|(?P<number>\d+)")
LONG_NUMBER = 4  # digits from which a number the customer did not say is taken as variable


def answer_pattern(text: str, said: set[str] = frozenset()) -> str:
    """A `matches:` pattern (the whole text, case counts) for an agent's answer, loosened where
    a replay may rightly differ:

    - a single space stays a space (easy to read and edit); any other run of whitespace
      (spaces, a line break, a tab) matches any run of whitespace (`\\s+`);
    - a number the customer said in the chat stays as it is (the bot echoes it: order 12345);
    - any other number of LONG_NUMBER or more digits (ids, ticket numbers, years) is `\\d+`, and
      a clock time (9:41, 17:05:09) is any time: they change from run to run;
    - everything else is literal, escaped (short numbers too: "30 days" must stay 30 days).
    """
    core = text.strip()
    out, pos = [], 0
    for match in _TOKEN.finditer(core):
        out.append(re.escape(core[pos:match.start()]))
        token = match.group()
        if match.group("space"):
            out.append(" " if token == " " else r"\s+")
        elif match.group("time"):
            out.append(r"\d{1,2}:\d{2}(?::\d{2})?")
        elif token in said or len(token) < LONG_NUMBER:
            out.append(token)
        else:
            out.append(r"\d+")
        pos = match.end()
    out.append(re.escape(core[pos:]))
    pattern = "".join(out)
    # Whitespace around the text (an html paragraph's) is not part of the answer.
    return rf"\s*{pattern}\s*" if core != text else pattern


def plain_text(event: ChatEvent) -> str:
    """The text as the visitor reads it (the customer's checks compare this): tags of an html
    line dropped, entities decoded; a card without a text reads as its texts and titles."""
    text = event.text or ""
    if event.text_type == "rich-content" and not text.strip():
        return " ".join(_card_texts(event.json))
    return html.unescape(_TAG.sub("", text)) if event.text_type == "html" else text


def _card_texts(node, depth: int = 0) -> list[str]:
    if not isinstance(node, dict) or depth > 40:
        return []
    own = node.get("title") if node.get("type") == "button" else node.get("text")
    found = [own] if isinstance(own, str) else []
    children = node.get("elements")
    for child in children if isinstance(children, list) else []:
        found += _card_texts(child, depth + 1)
    return found


def chat_script(chat: Chat, account) -> dict:
    """The chat as script data (simulator/scripts.py's format), in the order it happened."""
    visible = [e for e in chat.events if e.visible_to_visitor]
    said = {n for e in visible if e.type == "line" and e.source == VISITOR
            for n in _SAID_NUMBER.findall(e.text or "")}
    speakers = {e.by for e in visible if e.type == "line" and e.source == AGENT}
    first_skill = chat.transfers[0].from_skill_id if chat.transfers else chat.skill_id
    script: dict = {"name": f"replay of chat {chat.id}", "account": chat.account_id}
    if chat.engagement_id:
        script["engagement"] = str(chat.engagement_id)
    else:
        script["skill"] = account.skill_name(first_skill) or first_skill
    if chat.visitor.persona is not None:
        script["request"] = {"persona": chat.visitor.persona.as_dict()}
    opening = {"expect": [{"skill": account.skill_name(first_skill) or str(first_skill)}]}
    steps = [opening]
    transfers = iter(chat.transfers)
    joins = 0
    for index, event in enumerate(visible):
        current = steps[-1]
        if event.type == "state" and event.state == CHATTING:
            joins += 1
            if joins > 1:  # the first join is the script's own wait for an agent
                current.setdefault("expect", []).append(_joined(visible[index + 1:]))
        elif event.type == "state" and event.state == ENDED:
            if chat.end_reason == VISITOR:
                steps.append({"end": True})
            else:
                current.setdefault("expect", []).append(
                    {"ended": True, "by": "agent" if chat.end_reason == AGENT else "system"})
        elif event.type == "line" and event.source == VISITOR:
            steps.append({"say": event.text or ""})
        elif event.type == "line" and event.source == AGENT:
            current.setdefault("expect", []).append(_answer(event, said, len(speakers) > 1))
        elif event.type == "line" and event.source == SYSTEM and event.system_message_id == TRANSFERRED:
            current.setdefault("expect", []).append(_transferred(account, next(transfers, None)))
    first_say = next((n for n, s in enumerate(steps) if "say" in s), None)
    if chat.visitor.name and first_say is not None:  # when it was given is not recorded
        steps[first_say] = {"name": chat.visitor.name, **steps[first_say]}
    if chat.state == ENDED and chat.surveys.get("exit"):
        steps.append({"expect": {"survey": True}})
    script["steps"] = [_tidy(s) for s in steps if s]
    return script


def _answer(event: ChatEvent, said: set[str], pin_agent: bool) -> dict:
    check: dict = {}
    text = plain_text(event)
    if text.strip():
        check["matches"] = answer_pattern(text, said)
    if event.text_type == "rich-content":
        kind = event.json.get("type") if isinstance(event.json, dict) else None
        check["rich"] = kind if isinstance(kind, str) and kind else True
    if pin_agent or not check:
        check["agent"] = event.by
    if "matches" not in check and "rich" not in check:
        check["reply"] = ""  # an empty line: any agent line will do
    return check


def _joined(rest: list[ChatEvent]) -> dict:
    """Who joined: the agent who spoke next (the visitor's side names agents only by lines)."""
    by = next((e.by for e in rest if e.type == "line" and e.source == AGENT and e.by), None)
    return {"joined": by if by else True}


def _transferred(account, transfer) -> dict:
    if transfer is None or transfer.to_skill_id is None:
        return {"transferred": True}
    check = {"transferred": account.skill_name(transfer.to_skill_id) or transfer.to_skill_id}
    if transfer.text:
        check["reason"] = answer_pattern(transfer.text)
    return check


def _tidy(step: dict) -> dict:
    """One check as a mapping, several as a list (how people write them)."""
    checks = step.get("expect")
    if isinstance(checks, list) and len(checks) == 1:
        step["expect"] = checks[0]
    return step


def script_yaml(chat: Chat, account) -> str:
    """The chat's script as a YAML file, with a header saying where it came from and how to run it."""
    header = (f"# Chat {chat.id} of account {chat.account_id}, recorded by the sandbox "
              f"(GET /_sandbox/chats/{chat.id}/script).\n"
              "# Replay it against your bot (the format: simulator/scripts.py):\n"
              f"#   python -m simulator consumer --url http://localhost:8080 --script chat-{chat.id}.yaml\n"
              "# Answers are `matches:` patterns of the whole text (mock_server/control/script.py,\n"
              "# answer_pattern): numbers the customer said kept, other numbers of 4+ digits and\n"
              "# clock times loosened, any longer whitespace matching any whitespace.\n")
    body = yaml.safe_dump(chat_script(chat, account), sort_keys=False, allow_unicode=True,
                          width=1_000_000, default_flow_style=False)
    return header + body


@bp.get("/chats/<chat_id>/script")
@locked
def chat_script_file(chat_id):
    """The chat as a replayable YAML customer script (text/yaml, an attachment)."""
    sb = sandbox()
    chat = sb.chats.get(chat_id)
    if chat is None:
        raise NotFound(f"Chat {chat_id} was not found", 44)
    text = script_yaml(chat, sb.accounts[chat.account_id])
    return Response(text.encode("utf-8"), status=200, content_type="text/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="chat-{chat.id}.yaml"'})
