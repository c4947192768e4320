"""The sandbox's own control plane under /_sandbox (not a LivePerson API)."""
from flask import Blueprint, current_app

from ..api.common import json_body, locked, respond, sandbox
from ..model.errors import BadRequest
from ..model.sandbox import Sandbox

bp = Blueprint("control", __name__, url_prefix="/_sandbox")
LATEST_TIME = 32_503_680_000  # 3000-01-01T00:00:00Z, in epoch seconds


@bp.get("/health")
def health():
    """Liveness: 200 while the server answers."""
    return respond({"status": "ok"})


@bp.get("/clock")
@locked
def clock():
    """The sandbox's current time (epoch ms) and whether it can be moved."""
    sb = sandbox()
    return respond({"now": int(sb.clock.now() * 1000), "movable": hasattr(sb.clock, "advance")})


@bp.post("/clock/advance")
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
    if not hasattr(sb.clock, "advance"):
        raise BadRequest("This sandbox runs on the wall clock; start it with a movable clock", 1)
    sb.clock.advance(seconds)
    sb.tick()
    return respond({"now": int(sb.clock.now() * 1000)})


@bp.post("/reset")
def reset():
    """A fresh Sandbox from the same config and seed: every account as configured, no
    session, no chat, ids drawn again from the start; the clock keeps its time."""
    sb = reset_sandbox(current_app)
    return respond({"status": "reset", "now": int(sb.clock.now() * 1000)})


def reset_sandbox(app) -> Sandbox:
    """Replace the app's Sandbox with a fresh one from the same config and seed (the clock
    stays: time never goes back); the live view follows the new one."""
    old: Sandbox = app.extensions["sandbox"]
    with old.lock:
        fresh = Sandbox(old.config, clock=old.clock, seed=old.seed)
        app.extensions["sandbox"] = fresh
        app.extensions["sandbox.live"].bind(fresh)
    return fresh

