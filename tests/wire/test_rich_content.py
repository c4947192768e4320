"""Rich content on the wire: structured content (textType rich-content with its `json`) and quick
replies, checked against json-pollock's schema (read from node_modules), echoed to both sides,
in JSON and XML; invalid cards refused with LivePerson's envelope, nothing stored. And the rules
brain answering with cards and quick replies from its intents file, end to end."""
import json
import time
from xml.etree.ElementTree import fromstring

import pytest
import requests

from mock_server.model import rich_content
from mock_server.model.rich_content import MAX_ELEMENTS, SCHEMA, RichContentSchema
from simulator.brains import ChatContext, FunctionBrain, Reply, make_brain
from simulator.brains.escalation import escalating
from simulator.brains.rules import RulesBrain, load_rules

from tests.support.constants import ACCOUNT, BOT_NAME, BOT_SKILL, DEMO_BOT
from tests.support.paths import NODE_MODULES
from tests.support.sim import rules_bot
from tests.support.waiting import wait_until
from tests.support.wire import (accepted_chat, assert_envelope, bearer_headers, consumer_headers, events,
                                request_chat)

PACKAGE = NODE_MODULES / "json-pollock"

CARD = {"type": "vertical", "elements": [
    {"type": "image", "url": "https://example.com/phone.jpg", "caption": "The phone", "tooltip": "phone"},
    {"type": "text", "text": "Our best phone", "style": {"bold": True, "size": "large"}},
    {"type": "horizontal", "elements": [
        {"type": "button", "title": "Buy", "click": {"actions": [{"type": "publishText", "text": "I'll take it"}]}},
        {"type": "button", "title": "Details", "click": {
            "metadata": [{"type": "ExternalId", "id": "12345678"}],
            "actions": [{"type": "link", "name": "details", "uri": "https://example.com/phone"}]}},
    ]},
]}
QUICK = {"type": "quickReplies", "itemsPerRow": 2, "replies": [
    {"type": "button", "title": "Yes", "click": {"actions": [{"type": "publishText", "text": "yes"}]}},
    {"type": "button", "title": "No", "click": {"actions": [{"type": "publishText", "text": "no"}]}},
]}


@pytest.fixture
def chat(live):
    """demo-bot holds a chat: (bearer, agent chat url, visitor chat url)."""
    bearer, _, chat_url, uri = accepted_chat(live.url, ACCOUNT, DEMO_BOT, skill=BOT_SKILL,
                                             persona={"name": "Ada Lovelace"})
    return bearer, chat_url, uri


def post_line(chat_url, bearer, **event):
    return requests.post(f"{chat_url}/events", json={"event": {"@type": "line", **event}},
                         headers=bearer_headers(bearer))


# --- the schema comes from json-pollock's npm package ------------------------------------------

def test_the_schema_is_json_pollocks_own_read_from_node_modules():
    version = json.loads((PACKAGE / "package.json").read_text())["version"]
    assert SCHEMA.source == f"json-pollock {version}"
    assert rich_content.SCHEMA_DIR == PACKAGE / "js" / "schema"
    lock = json.loads((PACKAGE.parent.parent / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/json-pollock"]["version"] == version  # pinned
    assert json.loads((PACKAGE.parent.parent / "package.json").read_text())["dependencies"]["json-pollock"] == version


def test_without_the_package_only_the_outline_is_checked(tmp_path, caplog):
    outline = RichContentSchema(tmp_path / "missing")
    assert outline.source == "outline check only" and "npm ci" in caplog.text
    outline.check_content({"type": "anything"})
    with pytest.raises(rich_content.BadRequest):
        outline.check_content({"elements": []})


# --- accepted and echoed ------------------------------------------------------------------------

def test_a_card_and_quick_replies_are_echoed_to_both_sides(live, chat):
    bearer, chat_url, uri = chat
    r = post_line(chat_url, bearer, textType="rich-content", text="Our best phone", json=CARD)
    assert r.status_code == 201, r.text
    location = r.json()["chatEventLocation"]["link"]["@href"]
    r = post_line(chat_url, bearer, text="Anything else?", textType="plain", quickReplies=QUICK)
    assert r.status_code == 201, r.text

    agent_side = events(chat_url, bearer_headers(bearer), 4)
    visitor_side = events(uri, consumer_headers(), 4)
    for side in (agent_side, visitor_side):
        card, question = side
        assert (card["textType"], card["text"], card["json"], card["source"], card["by"]) == (
            "rich-content", "Our best phone", CARD, "agent", BOT_NAME)
        assert "quickReplies" not in card
        assert (question["textType"], question["text"], question["quickReplies"]) == ("plain", "Anything else?", QUICK)
    one = requests.get(location, headers=bearer_headers(bearer)).json()["event"]
    assert one["json"] == CARD
    # the sample app's form: no `text` at all
    assert post_line(chat_url, bearer, textType="rich-content", json={"type": "text", "text": "Hi"}).status_code == 201
    assert events(uri, consumer_headers(), 6)[0]["text"] == ""


def test_every_documented_example_card_is_accepted(live, chat):
    """The cards of LivePerson's structured-content pages and json-pollock's README."""
    bearer, chat_url, _ = chat
    examples = [
        {"type": "text", "text": "This is an example for text element", "tooltip": "text tooltip", "rtl": True},
        {"type": "button", "title": "Push Me!", "click": {"metadata": [{"type": "ExternalId", "id": "1"}], "actions": [
            {"type": "link", "name": "Add to cart", "uri": "https://www.example.com"}]}, "tooltip": "button tooltip"},
        {"type": "map", "la": 40.7562, "lo": -73.99861, "click": {"actions": [
            {"type": "navigate", "la": 40.7562, "lo": -73.99861}]}, "tooltip": "map tooltip"},
        {"type": "vertical", "elements": [{"type": "image", "url": "http://assets/phone.jpg", "tooltip": "Great Phone!",
                                           "click": {"actions": [{"type": "navigate", "name": "store", "lo": 23423423, "la": 2423423423}]}}]},
        {"type": "carousel", "padding": 10, "elements": [CARD, CARD]},
    ]
    for card in examples:
        r = post_line(chat_url, bearer, textType="rich-content", json=card)
        assert r.status_code == 201, (card, r.text)


# --- refused: 400, the envelope, nothing stored ------------------------------------------------

INVALID = [
    ({"type": "vertical"}, "'elements' is a required property"),
    ({"type": "vertical", "elements": [{"type": "button"}]}, "json.elements[0]: 'title' is a required property"),
    ({"type": "vertical", "elements": [{"type": "text", "text": "x", "onclick": "alert(1)"}]}, "'onclick' was unexpected"),
    ({"type": "vertical", "elements": [{"type": "text", "text": "x", "accessibility": {"web": {"onclick": "alert(1)"}}}]},
     "json.elements[0].accessibility.web"),
    ({"type": "text", "text": 5}, "json.text: 5 is not of type 'string'"),
    ({"type": "marquee", "text": "x"}, "json.type"),
    ({"type": "button", "title": "x", "click": {"actions": [{"type": "link", "uri": "not a uri"}]}},
     "json.click.actions[0].uri: 'not a uri' is not a 'uri'"),
    ({"type": "button", "title": "x", "click": {"actions": [{"type": "publishText", "text": "x" * 257}]}},
     "json.click.actions[0].text"),
    ({"type": "carousel", "elements": [CARD]}, "json.elements: "),  # a carousel has 2 to 10 cards
    ([{"type": "text", "text": "a list is not a template"}], "must be an object"),
    ("just a string", "must be an object"),
]


@pytest.mark.parametrize("card, message", INVALID, ids=[m for _, m in INVALID])
def test_invalid_structured_content_is_refused_and_nothing_is_stored(live, chat, card, message):
    bearer, chat_url, uri = chat
    before = len(live.sb.chats[uri.rsplit("/", 1)[1]].events)
    error = assert_envelope(post_line(chat_url, bearer, textType="rich-content", text="card", json=card), 400, 39)
    assert message in error["message"], error["message"]
    assert "json-pollock 1.7.7" in error["message"] or "must be an object" in error["message"]
    assert len(live.sb.chats[uri.rsplit("/", 1)[1]].events) == before
    assert events(uri, consumer_headers(), before) == []


def test_other_refusals(live, chat):
    bearer, chat_url, uri = chat
    before = len(events(chat_url, bearer_headers(bearer)))
    assert_envelope(post_line(chat_url, bearer, textType="rich-content", text="no card"), 400, 33)
    bad_quick = [{"type": "quickReplies", "itemsPerRow": 9, "replies": QUICK["replies"]},
                 {"type": "quickReplies", "itemsPerRow": 2, "replies": []},
                 {"type": "quickReplies", "itemsPerRow": 2, "replies": [{"type": "button", "title": "no click"}]},
                 {"type": "buttons", "itemsPerRow": 2, "replies": QUICK["replies"]},
                 ["Yes", "No"]]
    for quick in bad_quick:
        error = assert_envelope(post_line(chat_url, bearer, text="Pick", quickReplies=quick), 400, 39)
        assert "quickReplies" in error["message"] or "'quickReplies'" in error["message"]
    big = {"type": "vertical", "elements": [{"type": "vertical", "elements": [{"type": "text", "text": "x"}] * 60}] * 2}
    error = assert_envelope(post_line(chat_url, bearer, textType="rich-content", json=big), 400, 39)
    assert f"at most {MAX_ELEMENTS}" in error["message"]
    assert_envelope(post_line(chat_url, bearer, textType="rich-content", text=42, json=CARD), 400, 36)
    assert len(events(chat_url, bearer_headers(bearer))) == before


def test_deep_nesting_is_checked_quickly(live, chat):
    """json-pollock's branches all descend into `elements`: checked lazily, a card 25 levels
    deep takes milliseconds (jsonschema's own oneOf took ~2^n walks); deeper than the body's
    nesting limit is refused before the schema is asked."""
    bearer, chat_url, _ = chat
    deep = {"type": "text", "text": "the bottom"}
    for _ in range(25):
        deep = {"type": "vertical", "elements": [deep]}
    started = time.monotonic()
    assert post_line(chat_url, bearer, textType="rich-content", json=deep).status_code == 201
    assert time.monotonic() - started < 2
    bad = {"type": "button"}
    for _ in range(25):
        bad = {"type": "vertical", "elements": [bad]}
    started = time.monotonic()
    error = assert_envelope(post_line(chat_url, bearer, textType="rich-content", json=bad), 400, 39)
    assert time.monotonic() - started < 2 and "'title' is a required property" in error["message"]
    for _ in range(10):
        deep = {"type": "vertical", "elements": [deep]}
    error = assert_envelope(post_line(chat_url, bearer, textType="rich-content", json=deep), 400, 1)
    assert "nested" in error["message"]


# --- XML ----------------------------------------------------------------------------------------

def test_xml_carries_cards_and_quick_replies_as_json_text(live, chat):
    bearer, chat_url, uri = chat
    xml_line = ("<event type=\"line\"><textType>rich-content</textType><text>a &lt;card&gt;</text>"
                f"<json>{json.dumps(CARD)}</json><quickReplies>{json.dumps(QUICK)}</quickReplies></event>")
    r = requests.post(f"{chat_url}/events", data=xml_line,
                      headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/xml"})
    assert r.status_code == 201, r.text
    for url, auth in ((chat_url, f"Bearer {bearer}"), (uri, consumer_headers()["Authorization"])):
        r = requests.get(f"{url}/events?from=4", headers={"Authorization": auth, "Accept": "application/xml"})
        assert r.headers["Content-Type"].startswith("application/xml")
        root = fromstring(r.content)  # well formed
        event = root.find("event")
        assert root.tag == "events" and event.get("type") == "line"
        assert event.findtext("text") == "a <card>" and event.findtext("textType") == "rich-content"
        assert json.loads(event.findtext("json")) == CARD
        assert json.loads(event.findtext("quickReplies")) == QUICK
    # an invalid card in XML: the envelope, in XML
    bad = "<event type=\"line\"><textType>rich-content</textType><json>{\"type\": \"vertical\"}</json></event>"
    r = requests.post(f"{chat_url}/events", data=bad, headers={
        "Authorization": f"Bearer {bearer}", "Content-Type": "application/xml", "Accept": "application/xml"})
    assert r.status_code == 400
    error = fromstring(r.content)
    assert error.tag == "error" and error.findtext("internalCode") == "39"


# --- the rules brain ------------------------------------------------------------------------------

def _context(**kw) -> ChatContext:
    return ChatContext(chat_id="H1-aK1", agent=DEMO_BOT.login, agent_name=BOT_NAME,
                       visitor_info={"name": "Jamie Rivera"}, **kw)


def test_the_demo_bot_welcomes_with_a_card_of_what_it_can_do():
    brain, ctx = escalating(make_brain("rules")), _context()
    welcome = brain.start(ctx)
    assert welcome.text.startswith("Hi Jamie! I'm Demo Bot")  # the line's text: the fallback
    SCHEMA.check_content(welcome.rich)  # what the sandbox (and json-pollock) accepts
    assert welcome.rich["elements"][0]["text"] == "Hi Jamie! I'm Demo Bot, the demo bot."
    buttons = [e for e in welcome.rich["elements"] if e["type"] == "button"]
    assert [b["title"] for b in buttons] == ["Order status", "Returns", "Opening hours"]
    said = [b["click"]["actions"][0]["text"] for b in buttons]
    assert all(b["click"]["actions"][0]["type"] == "publishText" for b in buttons)
    # each button says something the bot understands
    answers = [brain.reply(ctx, text).text for text in said]
    assert "order number" in answers[0] and "30 days" in answers[1] and "Monday to Friday" in answers[2]
    fallback = brain.reply(ctx, "purple elephants")
    SCHEMA.check_quick_replies(fallback.quick_replies)
    chips = [c["title"] for c in fallback.quick_replies["replies"]]
    assert chips == ["Order status", "Returns", "Opening hours"] and fallback.quick_replies["itemsPerRow"] == 3
    assert "30 days" in brain.reply(ctx, chips[1]).text


def test_an_intents_file_with_cards_quick_replies_and_slots(tmp_path):
    path = tmp_path / "intents.yaml"
    path.write_text("""
welcome:
  rich:
    type: vertical
    elements:
      - {type: text, text: "Welcome {first_name}"}
      - {type: button, title: "Track {first_name}'s order", click: {actions: [{type: link, uri: "https://example.com/track"}]}}
intents:
  - name: order
    patterns: ['order (?P<order>\\d+)']
    replies:
      - text: "Order {order}:"
        rich:
          type: button
          title: "Track {order}"
          click: {actions: [{type: link, uri: "https://example.com/track/{order}"}]}
        quick_replies: [Thanks, "Another order"]
  - name: shop
    patterns: ['shop']
    replies:
      - text: Pick a size
        quick_replies:
          itemsPerRow: 1
          replies: [{type: button, title: Small, click: {actions: [{type: publishText, text: small please}]}}]
""", encoding="utf-8")
    brain, ctx = RulesBrain(load_rules(path)), _context()
    welcome = brain.start(ctx)
    assert welcome.text == "Welcome Jamie [Track Jamie's order]"  # no text given: the card's
    assert welcome.rich["elements"][1]["title"] == "Track Jamie's order"
    order = brain.reply(ctx, "where is order 4711")
    assert order.text == "Order 4711:" and order.rich["click"]["actions"][0]["uri"] == "https://example.com/track/4711"
    assert order.quick_replies == {"type": "quickReplies", "itemsPerRow": 2, "replies": [
        {"type": "button", "title": "Thanks", "click": {"actions": [{"type": "publishText", "text": "Thanks"}]}},
        {"type": "button", "title": "Another order", "click": {"actions": [{"type": "publishText", "text": "Another order"}]}}]}
    shop = brain.reply(ctx, "shop")
    assert shop.quick_replies["itemsPerRow"] == 1 and shop.quick_replies["type"] == "quickReplies"
    for reply in (welcome, order):
        SCHEMA.check_content(reply.rich)
    for reply in (order, shop):
        SCHEMA.check_quick_replies(reply.quick_replies)
    assert brain.reply(ctx, "order 1").rich is not order.rich  # each reply its own copy


@pytest.mark.parametrize("reply, message", [
    ({"txt": "typo"}, "unknown reply key"),
    ({"rich": ["not", "a", "card"]}, "'rich' is structured content"),
    ({"quick_replies": ["Yes"]}, "needs a 'text' or a 'rich' card"),
    ({"text": "x", "quick_replies": []}, "'quick_replies' is a list"),
])
def test_bad_replies_in_an_intents_file_are_named(tmp_path, reply, message):
    path = tmp_path / "intents.yaml"
    path.write_text(json.dumps({"intents": [{"name": "x", "patterns": ["x"], "replies": [reply]}]}))
    with pytest.raises(ValueError, match=message):
        load_rules(path)


def test_the_rules_bot_sends_its_card_and_quick_replies_over_the_chat_agent_api(live):
    runner, thread, _ = rules_bot(live)
    try:
        uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL, persona={"name": "Jamie Rivera"})
        agent_lines = lambda: [e for e in events(uri, consumer_headers()) if e.get("source") == "agent"]
        welcome = wait_until(lambda: agent_lines())[0]
        assert welcome["textType"] == "rich-content" and welcome["text"].startswith("Hi Jamie! I'm Demo Bot")
        assert welcome["json"]["type"] == "vertical" and welcome["json"]["elements"][0]["text"].startswith("Hi Jamie")
        requests.post(f"{uri}/events", json={"event": {"@type": "line", "text": "purple elephants"}},
                      headers=consumer_headers()).raise_for_status()
        fallback = wait_until(lambda: agent_lines()[1:])[0]
        assert fallback["textType"] == "html" and "didn't quite get that" in fallback["text"]
        assert [c["title"] for c in fallback["quickReplies"]["replies"]] == ["Order status", "Returns", "Opening hours"]
    finally:
        runner.stop()
        thread.join(15)


def test_a_card_the_platform_refuses_is_logged_and_its_text_said_instead(live):
    bad = {"type": "vertical", "elements": [{"type": "button"}]}  # a button needs a title
    brain = FunctionBrain(lambda context, text: Reply(text=f"You said {text}", rich=bad))
    runner, thread, _ = rules_bot(live, brain=brain)
    try:
        uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
        wait_until(lambda: live.sb.chats[uri.rsplit("/", 1)[1]].agent is not None)
        requests.post(f"{uri}/events", json={"event": {"@type": "line", "text": "hi"}},
                      headers=consumer_headers()).raise_for_status()
        said = wait_until(lambda: [e for e in events(uri, consumer_headers()) if e.get("source") == "agent"])
        assert said[0]["textType"] == "html" and "You said hi" in said[0]["text"] and "json" not in said[0]
        assert runner.report.wait_for("line.refused")
        refused = next(line for line in runner.report.lines if " line.refused " in line)
        assert "status=400" in refused and "'title' is a required property" in refused
        assert runner.open_chats  # the chat goes on
    finally:
        runner.stop()
        thread.join(15)
