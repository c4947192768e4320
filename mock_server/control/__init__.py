"""The sandbox's own control plane under /_sandbox (not a LivePerson API): the clock, reset and
seed, the state, the request journal, waits, fault rules, A/B tests and analytics
(docs/control-plane.md)."""
from flask import Blueprint, Flask

from ..model.sandbox import Sandbox

bp = Blueprint("control", __name__, url_prefix="/_sandbox")

from . import routes  # noqa: E402,F401  (the routes register on bp)
from . import script  # noqa: E402,F401  (GET /chats/<chatId>/script registers on bp)
from . import analytics  # noqa: E402,F401  (/abtests and /analytics register on bp)


def init_control(app: Flask, socketio, sb: Sandbox) -> None:
    """Serve the control plane on this app: its state in app.extensions["sandbox.control"],
    its hooks on every request, its routes under /_sandbox. Waits and delays use the async
    mode of `socketio` (Flask-SocketIO's)."""
    from .hooks import install, known_names
    from .plane import ControlPlane
    app.register_blueprint(bp)
    app.extensions["sandbox.control"] = ControlPlane(sb, socketio.server.eio.create_event,
                                                     socketio.sleep, known_names(app))
    install(app)
