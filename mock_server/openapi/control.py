"""The control plane's operations (/_sandbox, docs/control-plane.md) as OpenAPI path items."""
from .analytics import analytics_paths  # Step 5: /abtests, /analytics and /dashboard
from .paths import CONTROL, PUBLIC, ok, op, query
from .schemas import array, boolean, enum, integer, nullable, number, obj, string

CLOCK = obj({"now": integer("epoch ms"), "movable": boolean(), "frozen": boolean()})
ANY = {"type": "object"}
FILTER_FIELDS = {
    "api": string("The API: domain, login, chat_agent, server_chat, account_config, ..."),
    "operation": string("The operationId in this description (login, acceptChat, ...)"),
    "account": string(), "chat": string(), "method": string(), "status": integer(),
    "path": string("A regular expression searched in the path"),
    "fault": boolean("Only calls a fault rule was taken on"),
    "since": string("Epoch ms or ISO-8601 time (sandbox clock), inclusive"),
    "after": integer("An entry id: only entries after it"),
    "limit": integer("The newest N of what matches"),
}
ENTRY = obj({
    "id": integer(), "time": integer("epoch ms, sandbox clock"), "method": string(),
    "path": string(), "query": string(), "api": nullable(string()), "operation": nullable(string()),
    "account": nullable(string()), "chat": nullable(string()),
    "status": nullable(integer("null: the connection was dropped")), "ms": nullable(number()),
    "fault": nullable(obj({"id": string(), "kind": string()})), "body": {}})
KINDS = ("latency", "error", "rate_limit", "bearer_expired", "session_kicked", "domain_host",
         "drop", "empty")
RULE = obj({
    "kind": enum(*KINDS),
    "api": string(), "operation": string(), "method": string(),
    "path": string("A regular expression searched in the path"), "account": string(),
    "after": integer("Skip the first N matching calls", minimum=0),
    "times": integer("Taken N times, then spent", minimum=1),
    "probability": number("Chance per matching call (seeded)", minimum=0, maximum=1),
    "ms": number(minimum=0), "distribution": enum("fixed", "uniform", "lognormal"),
    "min_ms": number(minimum=0), "max_ms": number(minimum=0), "median_ms": number(minimum=0),
    "sigma": number(minimum=0), "status": integer(), "message": string(),
    "retry_after": integer(minimum=0), "host": string("host or host:port"),
}, optional=("api", "operation", "method", "path", "account", "after", "times", "probability",
             "ms", "distribution", "min_ms", "max_ms", "median_ms", "sigma", "status", "message",
             "retry_after", "host"))
RULE_OUT = {"allOf": [RULE, obj({"id": string(), "seen": integer(), "taken": integer(),
                                 "spent": boolean()})]}
WAIT = obj({
    "condition": enum("line", "chat_state", "transfer", "availability", "journal_count", "chat",
                      "ring"),
    "timeout": number("Seconds (default 5)", minimum=0, maximum=120),
}, optional=("timeout",), description="Plus the condition's own fields (docs/control-plane.md): "
    "line: chat, account, source, pattern, text, contains, after, rich, agent_only; chat_state: "
    "chat, state; transfer: chat, account, skill; availability: agent, account, availability; "
    "journal_count: the journal filters and at_least; chat: account, skill, state; ring: agent, "
    "account, chat.")


# The control plane's own answers that are not LivePerson's envelope (components/responses).
CONTROL_RESPONSES = {"Control408": {
    "description": "The wait's deadline passed first: what was seen instead", "content": {
        "application/json": {"schema": obj({"matched": {"const": False}, "condition": string(),
                                            "seen": ANY, "waited_ms": integer(),
                                            "message": string()})}}}}


def _rule_id() -> dict:
    return {"name": "ruleId", "in": "path", "required": True, "schema": {"type": "string"}}


def control_paths() -> dict:
    """Every /_sandbox route of the control plane."""
    wait = op("Wait until a condition holds (long poll)", CONTROL, PUBLIC, operation_id="waitFor",
              description="200 with what matched, or 408 with what was seen instead. Never moves "
                          "the clock.",
              body=WAIT, response=ok(obj({"matched": {"const": True}, "condition": string(),
                                          "match": ANY, "waited_ms": integer()})))
    wait["responses"]["408"] = {"$ref": "#/components/responses/Control408"}
    return {
        "/_sandbox/health": {"get": op(
            "Liveness", CONTROL, PUBLIC, operation_id="health",
            response=ok(obj({"status": {"const": "ok"}})))},
        "/_sandbox/clock": {"get": op(
            "The sandbox's time, whether it can be moved and whether it is frozen", CONTROL,
            PUBLIC, operation_id="getClock", response=ok(CLOCK))},
        "/_sandbox/clock/advance": {"post": op(
            "Move the clock forward (a movable clock: the fixture's, or --movable-clock)",
            CONTROL, PUBLIC, operation_id="advanceClock",
            description="Applies every timeout that falls due. 400 on the wall clock.",
            body=obj({"seconds": number(minimum=0)}), response=ok(CLOCK))},
        "/_sandbox/clock/freeze": {"post": op(
            "Stop the clock (only advance moves it then)", CONTROL, PUBLIC,
            operation_id="freezeClock", response=ok(CLOCK), errors=(400,))},
        "/_sandbox/clock/unfreeze": {"post": op(
            "Let the clock run again from where it stands", CONTROL, PUBLIC,
            operation_id="unfreezeClock", response=ok(CLOCK), errors=(400,))},
        "/_sandbox/reset": {"post": op(
            "Start again: a fresh sandbox from the same config and seed", CONTROL, PUBLIC,
            operation_id="resetSandbox",
            description="Every account as configured, no login, agent session or chat; ids are "
                        "drawn again from the start; the journal is emptied and only the config's "
                        "fault rules stay. The clock keeps its time. Live-view watchers get "
                        "`watch_ended`.",
            response=ok(obj({"status": string(), "now": integer("epoch ms")})))},
        "/_sandbox/seed": {"post": op(
            "Start again with another seed (and config)", CONTROL, PUBLIC, operation_id="seedSandbox",
            description="A fresh sandbox whose ids come from `seed` (null: unseeded), from "
                        "`config` when given (a whole seed config); later resets keep both.",
            body=obj({"seed": nullable(integer()), "config": ANY}, optional=("seed", "config")),
            response=ok(obj({"status": string(), "seed": nullable(integer()),
                             "accounts": array(string()), "now": integer()})))},
        "/_sandbox/state": {"get": op(
            "Everything: accounts, logins, agent sessions, queues, chats", CONTROL, PUBLIC,
            operation_id="sandboxState",
            params=(query("account", string(), "Only this account"),
                    query("events", boolean(), "Each chat's events (default true)")),
            response=ok(obj({"now": integer(), "seed": nullable(integer()), "clock": ANY,
                             "accounts": array(ANY)})), errors=(404,))},
        "/_sandbox/journal": {
            "get": op("The request journal: every LivePerson API call, oldest first", CONTROL,
                      PUBLIC, operation_id="journal",
                      params=tuple(query(k, v, v.get("description", k)) for k, v in FILTER_FIELDS.items()),
                      response=ok(obj({"entries": array(ENTRY), "total": integer(),
                                       "dropped": integer("Entries the cap pushed out")})),
                      errors=(400,)),
            "delete": op("Empty the journal", CONTROL, PUBLIC, operation_id="clearJournal",
                         response=ok(obj({"cleared": integer()})))},
        "/_sandbox/journal/count": {"post": op(
            "How many journal entries match (verify-style)", CONTROL, PUBLIC,
            operation_id="countJournal",
            body=obj(FILTER_FIELDS, optional=tuple(FILTER_FIELDS)), body_required=False,
            response=ok(obj({"count": integer()})))},
        "/_sandbox/wait": {"post": wait},
        "/_sandbox/faults": {
            "get": op("The fault rules in force", CONTROL, PUBLIC, operation_id="faults",
                      response=ok(obj({"faults": array(RULE_OUT)}))),
            "post": op("Add a fault rule: LivePerson's own failures on matching calls", CONTROL,
                       PUBLIC, operation_id="addFault", ok_status=201, body=RULE,
                       response=ok(RULE_OUT, "The rule, with its id")),
            "delete": op("Remove every fault rule", CONTROL, PUBLIC, operation_id="clearFaults",
                         response=ok(obj({"removed": integer()})))},
        "/_sandbox/chats/{chatId}/script": {"get": op(
            "A chat as a replayable YAML customer script (record and replay)", CONTROL, PUBLIC,
            operation_id="chatScript",
            description="The customer's lines as `say` steps, the agents' answers as asserters, "
                        "transfers and the end as checks (simulator/scripts.py). An attachment "
                        "`chat-<id>.yaml`.",
            params=({"name": "chatId", "in": "path", "required": True, "schema": {"type": "string"}},),
            response={"description": "The script (YAML)",
                      "content": {"text/yaml": {"schema": {"type": "string"}}}},
            errors=(404,))},
        "/_sandbox/faults/{ruleId}": {
            "get": op("One fault rule with its counters", CONTROL, PUBLIC, operation_id="fault",
                      params=(_rule_id(),), response=ok(RULE_OUT), errors=(404,)),
            "delete": op("Remove one fault rule", CONTROL, PUBLIC, operation_id="removeFault",
                         params=(_rule_id(),), response=ok(obj({"removed": integer()})),
                         errors=(404,))},
        **analytics_paths(),
    }
