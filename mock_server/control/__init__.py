"""The sandbox's own control plane under /_sandbox (not a LivePerson API)."""
from flask import Blueprint

from ..api.common import json_body, locked, respond, sandbox
from ..model.errors import BadRequest

bp = Blueprint("control", __name__, url_prefix="/_sandbox")


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
    if not hasattr(sb.clock, "advance"):
        raise BadRequest("This sandbox runs on the wall clock; start it with a movable clock", 1)
    sb.clock.advance(seconds)
    sb.tick()
    return respond({"now": int(sb.clock.now() * 1000)})
