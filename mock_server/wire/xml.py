"""LivePerson's XML format: the same data as the JSON mapping (`@x` keys are attributes).

The mapping, for every answer that has a JSON form (docs/fidelity.md, "XML"):
* `{"name": value}` (one key, LivePerson's own resources) -> root element `<name>`;
* an object with several keys (e.g. the login response) -> root `<response>`, a child per key;
* a list (e.g. Account Config collections) -> root `<items>`, an `<item>` per entry;
* a list value -> the element repeated once per item (a list inside a list: `<item>` children);
* a key that is not an XML name (e.g. a survey question id `"1234"`) -> `<item key="1234">`;
* characters XML 1.0 cannot carry (control characters) -> U+FFFD in the XML form only.
"""
import json
import re
from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml.ElementTree import fromstring
from defusedxml.common import DefusedXmlException

from .bodies import MAX_DEPTH, BodyError, parse_json

# Values of these keys are free-form JSON (rich content, quick replies): JSON text in XML.
OPAQUE = {"json", "quickReplies"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def to_xml(payload) -> bytes:
    """Render a JSON-mapped payload as an XML document (see the module docstring)."""
    if isinstance(payload, dict) and len(payload) == 1:
        (name, value), = payload.items()
        root = _element(name, value)
    elif isinstance(payload, dict):
        root = _element("response", payload)
    else:
        root = _element("items", {"item": list(payload)} if isinstance(payload, list) else payload)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + tostring(root, encoding="utf-8")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _element(name: str, value) -> Element:
    if _NAME.fullmatch(name) and not name.lower().startswith("xml"):
        element = Element(name)
    else:
        element = Element("item", key=_text(name))
    if name in OPAQUE:
        element.text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dict):
        for key, child in value.items():
            if key.startswith("@") and _NAME.fullmatch(key[1:]):
                if child is not None:
                    element.set(key[1:], _text(child))
            else:
                _append(element, key, child)
    elif isinstance(value, list):
        for item in value:  # a list inside a list: anonymous items
            element.append(_element("item", item))
    elif value is not None:
        element.text = _text(value)
    return element


def _append(parent: Element, name: str, value) -> None:
    if isinstance(value, list) and name not in OPAQUE:
        for item in value:  # a repeated element: one per item
            parent.append(_element(name, item))
    else:
        parent.append(_element(name, value))


def from_xml(raw: bytes) -> dict:
    """Parse an XML request body into the JSON mapping; ValueError when it is not XML."""
    try:
        root = fromstring(raw)
    except (ParseError, DefusedXmlException) as exc:
        raise ValueError(str(exc)) from None
    return {_local(root.tag): _value(root, 1)}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # drop any namespace


def _value(element, depth: int):
    if depth > MAX_DEPTH:
        raise BodyError(f"The request body is nested more than {MAX_DEPTH} levels deep")
    name = _local(element.tag)
    children = list(element)
    if name in OPAQUE and element.text:
        try:
            return parse_json(element.text.encode("utf-8"))
        except BodyError:
            return element.text  # not JSON: the model refuses it as rich content
    if not children and not element.attrib:
        return (element.text or "").strip() if element.text and element.text.strip() else ""
    out = {f"@{k}": v for k, v in element.attrib.items()}
    for child in children:
        key, value = _local(child.tag), _value(child, depth + 1)
        if key in out:
            out[key] = out[key] if isinstance(out[key], list) else [out[key]]
            out[key].append(value)
        else:
            out[key] = value
    if element.text and element.text.strip() and not children:
        out["$"] = element.text.strip()
    return out
