"""The control plane's routes (docs/control-plane.md): thin views over plane.py and the model."""
import time

from flask import current_app, request

from ..api.common import json_body, locked, respond, sandbox
from ..fanout import everywhere  # reset, seed and the clock reach every shard
from ..model.errors import BadRequest, NotFound
from ..model.seed import ConfigError, settings_of
from . import bp, conditions
from .journal import Filter
from .plane import ControlPlane, replace_sandbox
from .state import sandbox_state

LATEST_TIME = 32_503_680_000  # 3000-01-01T00:00:00Z, in epoch seconds
MAX_WAIT_SECONDS = 120


def control() -> ControlPlane:
    """The control plane of the app serving this request."""
    return current_app.extensions["sandbox.control"]


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


@bp.get("/health")
def health():
    """Liveness: 200 while the server answers."""
    return respond({"status": "ok"})


# --- the clock --------------------------------------------------------------------------------

def _clock_json(clock) -> dict:
    return {"now": _ms(clock.now()), "movable": clock.movable, "frozen": bool(getattr(clock, "frozen", False))}


def _movable_clock():
    clock = sandbox().clock
    if not clock.movable:
        raise BadRequest("This sandbox runs on the wall clock; start it with a movable clock "
                         "(--movable-clock)", 1)
    return clock


@bp.get("/clock")
@locked
def clock():
    """The sandbox's current time (epoch ms), whether it can be moved and whether it is frozen."""
    return respond(_clock_json(sandbox().clock))


@bp.post("/clock/advance")
@everywhere
@locked
def advance_clock():
    """Move the clock forward by {"seconds": N} and apply every timeout that falls due."""
    sb = sandbox()
    seconds = json_body().get("seconds")
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
        raise BadRequest("'seconds' must be a non-negative number", 1)
    # Bounded: far enough ahead (year 10000) every date format in the answers would overflow.
    if sb.clock.now() + seconds > LATEST_TIME:
        raise BadRequest("'seconds' would move the clock past the year 3000", 1)
    _movable_clock().advance(seconds)
    sb.tick()
    return respond(_clock_json(sb.clock))


@bp.post("/clock/freeze")
@everywhere
@locked
def freeze_clock():
    """Stop the clock where it stands (only advance moves it then)."""
    _movable_clock().freeze()
    return respond(_clock_json(sandbox().clock))


@bp.post("/clock/unfreeze")
@everywhere
@locked
def unfreeze_clock():
    """Let the clock run again from where it stands, at the wall clock's pace."""
    _movable_clock().unfreeze()
    return respond(_clock_json(sandbox().clock))


# --- the whole sandbox ------------------------------------------------------------------------

@bp.post("/reset")
@everywhere
def reset():
    """A fresh Sandbox from the same config and seed: every account as configured, no
    session, no chat, ids drawn again from the start, the journal empty, the config's faults
    only; the clock keeps its time."""
    sb = replace_sandbox(current_app)
    return respond({"status": "reset", "now": _ms(sb.clock.now())})


@bp.post("/seed")
@everywhere
def seed():
    """A fresh Sandbox with {"seed": N} (null: unseeded) and, if given, {"config": {...}}
    (a whole seed config, as the config file holds); later resets keep both."""
    body = json_body()
    unknown = sorted(set(body) - {"seed", "config"})
    if unknown or not body:
        raise BadRequest("Give 'seed' (an integer) and/or 'config' (a seed config object)", 1)
    seed_value = body.get("seed", sandbox().seed)
    if seed_value is not None and (isinstance(seed_value, bool) or not isinstance(seed_value, int)):
        raise BadRequest("'seed' must be an integer or null", 1)
    config = body.get("config")
    if config is not None:
        if not isinstance(config, dict) or not isinstance(config.get("accounts"), list):
            raise BadRequest("'config' needs a top-level 'accounts' list", 1)
        try:
            settings_of(config)
        except ConfigError as exc:
            raise BadRequest(f"'config': {exc}", 1) from None
    try:
        sb = replace_sandbox(current_app, config=config, seed=seed_value, keep_seed=False)
    except ConfigError as exc:
        raise BadRequest(f"'config': {exc}", 1) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # an account the model cannot build
        raise BadRequest(f"'config' is not a usable seed config: {exc!r}", 1) from None
    return respond({"status": "seeded", "seed": sb.seed, "accounts": list(sb.accounts),
                    "now": _ms(sb.clock.now())})


@bp.get("/state")
@locked
def state():
    """Accounts, logins, agent sessions, queues and chats (`?account=ID`, `?events=false`)."""
    sb = sandbox()
    account = request.args.get("account")
    if account is not None:
        sb.account(account)  # 404 for an unknown account
    events = request.args.get("events", "true").lower() not in ("false", "0", "no")
    return respond(sandbox_state(sb, account, events))


# --- the journal ------------------------------------------------------------------------------

@bp.get("/journal")
def journal():
    """The journal's entries matching the query's filters, oldest first."""
    plane = control()
    entries = plane.journal.select(Filter.parse(request.args.to_dict()))
    return respond({"entries": [e.to_json() for e in entries], "total": len(entries),
                    "dropped": plane.journal.dropped})


@bp.post("/journal/count")
def journal_count():
    """How many entries match the body's filters (verify-style assertions)."""
    return respond({"count": control().journal.count(Filter.parse(json_body(required=False)))})


@bp.delete("/journal")
def clear_journal():
    """Forget every entry."""
    return respond({"cleared": control().journal.clear()})


# --- waiting ----------------------------------------------------------------------------------

@bp.post("/wait")
def wait():
    """Hold the request until the condition holds (200) or `timeout` seconds pass (408)."""
    body = json_body()
    timeout = body.get("timeout", 5)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 <= timeout <= MAX_WAIT_SECONDS:
        raise BadRequest(f"'timeout' must be a number of seconds from 0 to {MAX_WAIT_SECONDS}", 1)
    kind, check = conditions.parse(body)
    plane = control()
    started = time.monotonic()
    deadline = started + timeout
    while True:
        generation = plane.changes.generation  # read before checking: no change slips between
        sb = sandbox()  # looked up each round: a reset may replace it while we wait
        with sb.lock:
            outcome = check(sb, plane.journal)
        waited = _ms(time.monotonic() - started)
        if outcome.matched:
            return respond({"matched": True, "condition": kind, "match": outcome.detail,
                            "waited_ms": waited})
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return respond({"matched": False, "condition": kind, "seen": outcome.detail,
                            "waited_ms": waited,
                            "message": f"No {kind} matched within {timeout:g} s"}, 408)
        plane.changes.wait_past(generation, remaining)


# --- faults -----------------------------------------------------------------------------------

@bp.get("/faults")
def faults():
    """Every fault rule in force, in the order added, with its counters."""
    return respond({"faults": [r.to_json() for r in control().faults.rules()]})


@bp.post("/faults")
def add_fault():
    """Put a fault rule in force; 201 with its id."""
    return respond(control().faults.add(json_body()).to_json(), 201)


@bp.get("/faults/<rule_id>")
def fault(rule_id):
    """One fault rule with its counters."""
    rule = next((r for r in control().faults.rules() if r.id == rule_id), None)
    if rule is None:
        raise NotFound(f"Fault rule {rule_id} was not found", 5)
    return respond(rule.to_json())


@bp.delete("/faults")
def clear_faults():
    """Take every fault rule out of force."""
    return respond({"removed": control().faults.clear()})


@bp.delete("/faults/<rule_id>")
def remove_fault(rule_id):
    """Take one fault rule out of force."""
    if not control().faults.remove(rule_id):
        raise NotFound(f"Fault rule {rule_id} was not found", 5)
    return respond({"removed": 1})
