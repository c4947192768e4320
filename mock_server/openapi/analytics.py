"""Step 5's sandbox routes as OpenAPI path items: A/B tests (/_sandbox/abtests), the numbers
(/_sandbox/analytics) and the dashboard page; merged into the control plane's (control.py)."""
from .paths import CONTROL, PAGES, PUBLIC, ok, op, query
from .schemas import array, boolean, enum, integer, nullable, number, obj, string

ACCOUNT = query("account", string(), "The account (default: the config's first)")
WINDOW = (query("from", string(), "Start: epoch ms or ISO-8601, sandbox clock (chats requested "
                                  "from then on)"),
          query("to", string(), "End: epoch ms or ISO-8601 (default: now)"))
BY = query("by", enum("bot", "skill", "variant"),
           "Group by the chat's first agent (bot), its entry skill, or its A/B variant (default bot)")
TEST_ID = {"name": "testId", "in": "path", "required": True,
           "schema": {"type": "string", "minLength": 1, "maxLength": 64}}

VARIANT = obj({"name": string(), "skill": string("A skill id (a name is accepted when writing)"),
               "weight": number(exclusiveMinimum=0)})
TEST = obj({"id": string(), "name": string(), "engagement": string("The engagement it splits"),
            "enabled": boolean(), "variants": array(VARIANT),
            "started": nullable(integer("epoch ms: when it was last switched on"))})
TEST_WRITE = obj({
    "id": string("If given, the path's id"), "name": string(maxLength=200),
    "engagement": string("The engagement whose new chats are split"),
    "engagementId": string("The same, by LivePerson's name"), "enabled": boolean("Default true"),
    "variants": array(obj({"name": string(maxLength=32), "skill": string("Skill id or name"),
                           "weight": number("Default 1", exclusiveMinimum=0)},
                          optional=("name", "weight"), additional=False), minItems=2, maxItems=10),
}, optional=("id", "name", "engagement", "engagementId", "enabled"), additional=False)
RATE = obj({"count": integer(), "n": integer("Ended chats"), "rate": nullable(number()),
            "ci": nullable(array(number(), "Wilson 95 % interval", minItems=2, maxItems=2))})
SCORE = obj({"n": integer(), "mean": nullable(number()),
             "ci": nullable(array(number(), "t 95 % interval of the mean", minItems=2, maxItems=2))})
METRIC = obj({"metric": string(), "status": enum("significant", "not significant", "not enough data"),
              "p": nullable(number()), "significant": boolean(), "highest": nullable(string()),
              "verdict": string()})
RESULTS = obj({
    "test": TEST, "from": nullable(integer("epoch ms; null: since the first chat")), "to": integer(),
    "variants": array(obj({"name": string(), "skillId": string(), "skillName": string(),
                           "weight": number(), "ended": integer(), "resolution": RATE,
                           "transfer": RATE, "csat": SCORE, "mcs": SCORE})),
    "metrics": obj({name: METRIC for name in ("resolution", "transfer", "csat", "mcs")}),
    "minimum": obj({"chats": integer(), "answers": integer()}), "alpha": number(),
    "enoughData": boolean(), "verdict": string("Every metric's verdict, in words")})
_RATE_NOTE = "0..1 of ended chats; null without any"
SCORECARD = obj({
    "key": string("User id, skill id or variant name"), "label": string(),
    "kind": enum("bot", "human", "skill", "variant", "total"),
    "chats": integer(), "ended": integer(), "interactive": integer(),
    "mcs": nullable(integer("% positive - % negative chats, -100..100")),
    "mcs_mean": nullable(number("Mean chat MCS, -100..100")),
    "csat": nullable(number("% of CSAT answers that were 4 or 5")),
    "csat_mean": nullable(number("Mean CSAT answer, 1..5")), "csat_answers": integer(),
    "resolved": integer(), "resolution_rate": nullable(number(_RATE_NOTE)),
    "transfers": integer("Ended chats a bot handed to a human"),
    "transfer_rate": nullable(number(_RATE_NOTE)),
    "reasons": array(obj({"reason": string(), "count": integer()}), "Transfer reasons, most first"),
    "first_response_mean": nullable(number("Seconds")), "duration_mean": nullable(number("Seconds"))})
COLUMNS = obj({"chats": array(integer()), "ended": array(integer()),
               "transfers": array(integer()), "resolved": array(integer()),
               "csat_mean": array(nullable(number())), "mcs": array(nullable(integer()))},
              description="One value per bucket")
WINDOW_OUT = {"account": string(), "by": string(), "from": integer("epoch ms"), "to": integer("epoch ms")}


def analytics_paths() -> dict:
    """The A/B test, analytics and dashboard routes."""
    window = (ACCOUNT, *WINDOW)
    put = op("Create or replace an A/B test", CONTROL, PUBLIC, operation_id="putAbTest",
             description="201 when created, 200 when replaced. A refused test (unknown engagement "
                         "or skill, fewer than 2 variants, an unknown field, ...) is 400 and "
                         "changes nothing. Switching one on switches off any other test of the "
                         "same engagement.",
             params=(TEST_ID, ACCOUNT), body=TEST_WRITE,
             examples={"demo": {"name": "Demo bot A vs B", "engagement": "5001001", "enabled": True,
                                "variants": [{"name": "A", "skill": "support-bot", "weight": 50},
                                             {"name": "B", "skill": "support-bot-b", "weight": 50}]}},
             response=ok(TEST, "Replaced"), errors=(404,))
    put["responses"] = {"201": ok(TEST, "Created"), **put["responses"]}
    return {
        "/_sandbox/abtests": {"get": op(
            "The account's A/B tests across bots", CONTROL, PUBLIC, operation_id="abTests",
            params=(ACCOUNT,), response=ok(obj({"account": string(), "tests": array(TEST)})),
            errors=(404,))},
        "/_sandbox/abtests/{testId}": {
            "put": put,
            "get": op("An A/B test and its variants compared", CONTROL, PUBLIC,
                      operation_id="abTestResults",
                      description="Per variant: rates with Wilson intervals, CSAT and MCS means "
                                  "with t intervals; Fisher/chi-square and Welch/Kruskal-Wallis "
                                  "p-values; a verdict in words (\"not enough data\" below 30 "
                                  "ended chats per variant). Default window: all its chats.",
                      params=(TEST_ID, *window), response=ok(RESULTS), errors=(400, 404)),
            "delete": op("Remove an A/B test", CONTROL, PUBLIC, operation_id="deleteAbTest",
                         params=(TEST_ID, ACCOUNT), response=ok(obj({"removed": integer()})),
                         errors=(404,))},
        "/_sandbox/analytics/scorecards": {"get": op(
            "Step 5's numbers per bot, skill or A/B variant over a window", CONTROL, PUBLIC,
            operation_id="analyticsScorecards",
            description="Default window: the last 24 hours of the sandbox clock.",
            params=(*window, BY),
            response=ok(obj({**WINDOW_OUT, "now": integer("epoch ms"), "total": SCORECARD,
                             "scorecards": array(SCORECARD)})), errors=(400, 404))},
        "/_sandbox/analytics/scorecards.csv": {"get": op(
            "The scorecards as CSV (an attachment; the all-chats row last)", CONTROL, PUBLIC,
            operation_id="analyticsScorecardsCsv", params=(*window, BY),
            response={"description": "RFC 4180 CSV, a header row first", "content": {
                "text/csv": {"schema": {"type": "string"}}}}, errors=(400, 404))},
        "/_sandbox/analytics/timeseries": {"get": op(
            "Per-bucket counts and scores for charts", CONTROL, PUBLIC,
            operation_id="analyticsTimeseries",
            description="Buckets are aligned on multiples of `bucket`; a chat counts in the "
                        "bucket it was requested in. At most 1,000 buckets.",
            params=(*window, BY, query("bucket", integer(minimum=1),
                                       "Seconds per bucket (default: at most 60 buckets)")),
            response=ok(obj({**WINDOW_OUT, "bucket": integer(), "starts": array(integer()),
                             "total": COLUMNS,
                             "series": array({"allOf": [obj({"key": string(), "label": string(),
                                                             "kind": string()}), COLUMNS]})})),
            errors=(400, 404))},
        "/_sandbox/analytics/records": {"get": op(
            "The window's Engagement History records (one per leg), as JSON", CONTROL, PUBLIC,
            operation_id="analyticsRecords",
            description="The shape of the Engagement History API's `interactionHistoryRecords`.",
            params=window,
            response=ok(obj({"_metadata": obj({"count": integer(), "account": string(),
                                               "from": integer(), "to": integer()}),
                             "interactionHistoryRecords": array({"type": "object"})})),
            errors=(400, 404))},
        "/dashboard": {"get": op(
            "The Step 5 dashboard: bots, skills, transfers, A/B tests, live", PAGES, PUBLIC,
            operation_id="dashboardPage",
            response={"description": "An HTML page (CSP: scripts and styles of this server only)",
                      "content": {"text/html": {"schema": {"type": "string"}}}})},
    }
