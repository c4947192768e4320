"""Structured content (agent lines with textType `rich-content`): checked against LivePerson's
own JSON schema, the one its renderer json-pollock validates with.

The schema files are read once, when the sandbox starts, from the json-pollock package that
`npm ci` installs for the pages (node_modules/json-pollock/js/schema/*.json, the version
package.json pins): the server refuses exactly what LivePerson's renderer would refuse to
render, and the pages render what the server accepted with the same library.

Two things are the sandbox's own (docs/fidelity.md, "Rich content"):
* `oneOf` is evaluated lazily (a branch stops at its first error). The verdict is the schema's:
  exactly one branch must be valid. jsonschema's own `oneOf` collects every error of every
  branch, and json-pollock's branches (card, carousel, ...) all descend into `elements`, so a
  card nested n levels deep took ~2^n branch walks (12 levels: 16 s); this is linear.
* Quick replies, which LivePerson documents for Messaging only, may ride on any agent line as a
  `quickReplies` object of the documented shape, its chips being json-pollock buttons.
"""
import json
import logging
from pathlib import Path

from jsonschema import Draft6Validator, ValidationError
from jsonschema.validators import extend
from referencing import Registry
from referencing.jsonschema import DRAFT6

from ..vendor import vendor_path
from .errors import BadRequest

log = logging.getLogger(__name__)

PACKAGE = vendor_path("json-pollock")  # an installed copy, else node_modules (vendor.py)
SCHEMA_DIR = PACKAGE / "js" / "schema"
ROOT_SCHEMA = "rich_content.json"  # what json-pollock's SchemaValidator compiles
INVALID_CODE = 39  # internalCode of refused structured content (33: no `json` at all)
MESSAGE_CHARS = 200  # of the schema's own message (it may quote the instance)
# Elements (every object of the template, the root included) one line may carry. The sandbox's
# own limit: jsonschema takes ~2 ms an element here, and json-pollock draws at most 50 anyway.
MAX_ELEMENTS = 100

# LivePerson's quick replies (developers.liveperson.com, "Quick Replies": type, itemsPerRow up
# to 8, 1 to 24 replies; a chip "has the same specification as a button", click required).
QUICK_REPLIES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string", "enum": ["quickReplies"]},
        "itemsPerRow": {"type": "integer", "minimum": 1, "maximum": 8},
        "replies": {"type": "array", "minItems": 1, "maxItems": 24,
                    "items": {"allOf": [{"$ref": "button.json"}, {"required": ["type", "click"]}]}},
    },
    "required": ["type", "itemsPerRow", "replies"],
}


def _declared_types(registry: Registry, schema: dict, depth: int = 0) -> frozenset | None:
    """The `type` values a (sub)schema admits, following `$ref` and `oneOf`; None: any."""
    if depth > 16 or not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        return _declared_types(registry, registry.contents(schema["$ref"]), depth + 1)
    enum = schema.get("properties", {}).get("type", {}).get("enum")
    if enum:
        return frozenset(enum)
    if "oneOf" in schema:
        found = [_declared_types(registry, branch, depth + 1) for branch in schema["oneOf"]]
        return None if any(t is None for t in found) else frozenset().union(*found)
    return None


def _validator_class(registry: Registry):
    """Draft 6 (json-pollock's ajv 5 default) with a lazy `oneOf`, for this registry."""
    types: dict[int, frozenset | None] = {}

    def types_of(branch: dict) -> frozenset | None:
        if id(branch) not in types:
            types[id(branch)] = _declared_types(registry, branch)
        return types[id(branch)]

    def one_of(validator, branches, instance, schema):
        """`oneOf` (exactly one branch valid), each branch stopping at its first error. When
        none is valid, the error told is that of a branch made for the instance's `type`
        (the one that went deepest), or that the `type` fits none of them."""
        failed, valid = [], 0
        for index, branch in enumerate(branches):
            error = next(iter(validator.descend(instance, branch, schema_path=index)), None)
            if error is None:
                valid += 1
                if valid > 1:
                    yield ValidationError(f"{_short(instance)} is valid under more than one of "
                                          "the schema's alternatives")
                    return
            else:
                failed.append((error, types_of(branch)))
        if valid:
            return
        kind = instance.get("type") if isinstance(instance, dict) else None
        fitting = [e for e, admits in failed if admits is None or kind in admits]
        if fitting:
            yield max(fitting, key=lambda e: len(e.relative_path))
            return
        known = sorted(frozenset().union(*(admits for _, admits in failed)))
        yield ValidationError(f"{_short(kind)} is not a type that fits here (one of: "
                              f"{', '.join(known)})", path=["type"])

    return extend(Draft6Validator, {"oneOf": one_of})


def _short(instance) -> str:
    text = json.dumps(instance, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _count_elements(node) -> int:
    """The objects of a template: the node itself and those in its `elements`, all the way down."""
    children = node.get("elements") if isinstance(node, dict) else None
    if not isinstance(children, list):
        return 1
    return 1 + sum(_count_elements(child) for child in children)


def _where(error: ValidationError, root: str) -> str:
    path = root
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


class RichContentSchema:
    """json-pollock's schema, loaded from its npm package; `check_*` raise BadRequest."""

    def __init__(self, schema_dir: Path = SCHEMA_DIR):
        self.version = None
        self.content = self.quick_replies = None
        files = sorted(schema_dir.glob("*.json")) if schema_dir.is_dir() else []
        if not any(f.name == ROOT_SCHEMA for f in files):
            log.warning("json-pollock's JSON schema is not in %s (run `npm ci`): rich content is "
                        "checked for its outline only", schema_dir)
            return
        registry = Registry().with_resources(
            (f.name, DRAFT6.create_resource(json.loads(f.read_text(encoding="utf-8"))))
            for f in files)
        checker = Draft6Validator.FORMAT_CHECKER  # `uri` (ajv's "full" formats check it too)
        root = registry.contents(ROOT_SCHEMA)
        validator = _validator_class(registry)
        self.content = validator(root, registry=registry, format_checker=checker)
        self.quick_replies = validator(QUICK_REPLIES, registry=registry, format_checker=checker)
        try:
            self.version = json.loads((schema_dir.parents[1] / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            self.version = "unknown"

    @property
    def source(self) -> str:
        return f"json-pollock {self.version}" if self.version else "outline check only"

    def check_content(self, content) -> None:
        """The `json` of a rich-content line: one structured-content template."""
        if not isinstance(content, dict):
            raise BadRequest("A rich-content line's 'json' must be an object (a structured "
                             "content template)", INVALID_CODE)
        count = _count_elements(content)
        if count > MAX_ELEMENTS:
            raise BadRequest(f"Invalid structured content: {count} elements, the sandbox takes at "
                             f"most {MAX_ELEMENTS} in one line", INVALID_CODE)
        if self.content is None:
            if not isinstance(content.get("type"), str):
                raise BadRequest("Invalid structured content: 'json.type' must be a string",
                                 INVALID_CODE)
            return
        self._check(self.content, content, "json")

    def check_quick_replies(self, quick_replies) -> None:
        """A line's `quickReplies` (sandbox extension, the Messaging shape)."""
        if not isinstance(quick_replies, dict):
            raise BadRequest("'quickReplies' must be an object", INVALID_CODE)
        if self.quick_replies is None:
            if quick_replies.get("type") != "quickReplies" or not isinstance(
                    quick_replies.get("replies"), list):
                raise BadRequest("Invalid quick replies: 'type' must be 'quickReplies' with a "
                                 "'replies' list", INVALID_CODE)
            return
        self._check(self.quick_replies, quick_replies, "quickReplies")

    def _check(self, validator, instance, root: str) -> None:
        error = next(iter(validator.iter_errors(instance)), None)
        if error is None:
            return
        where, what = _where(error, root), error.message
        if len(where) > 100:  # deep inside: the start and the end of the path
            where = f"{where[:40]}...{where[-55:]}"
        if len(what) > MESSAGE_CHARS:
            what = what[:MESSAGE_CHARS - 3] + "..."
        raise BadRequest(f"Invalid structured content at {where}: {what} (schema: {self.source})",
                         INVALID_CODE)


SCHEMA = RichContentSchema()  # read once, at start
