"""LivePerson's XML format: the same data as the JSON mapping (`@x` keys are attributes)."""
import json
from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml.ElementTree import fromstring
from defusedxml.common import DefusedXmlException

# Values of these keys are free-form JSON (rich content): carried as JSON text in XML.
OPAQUE = {"json"}


def to_xml(payload: dict) -> bytes:
    """Render a one-key payload `{"root": {...}}` as an XML document."""
    (name, value), = payload.items()
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + tostring(
        _element(name, value), encoding="utf-8")


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(name: str, value) -> Element:
    element = Element(name)
    if name in OPAQUE:
        element.text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dict):
        for key, child in value.items():
            if key.startswith("@"):
                if child is not None:
                    element.set(key[1:], _text(child))
            else:
                _append(element, key, child)
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
    return {_local(root.tag): _value(root)}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # drop any namespace


def _value(element):
    name = _local(element.tag)
    children = list(element)
    if name in OPAQUE and element.text:
        try:
            return json.loads(element.text)
        except ValueError:
            return element.text
    if not children and not element.attrib:
        return (element.text or "").strip() if element.text and element.text.strip() else ""
    out = {f"@{k}": v for k, v in element.attrib.items()}
    for child in children:
        key, value = _local(child.tag), _value(child)
        if key in out:
            out[key] = out[key] if isinstance(out[key], list) else [out[key]]
            out[key].append(value)
        else:
            out[key] = value
    if element.text and element.text.strip() and not children:
        out["$"] = element.text.strip()
    return out
