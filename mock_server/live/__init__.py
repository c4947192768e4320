"""The live view: the feed over Socket.IO (feed.py), what it shows (presenters.py), the
pages' own endpoints (routes.py) and the dashboard's change notices (analytics.py)."""
from flask import Flask
from flask_socketio import SocketIO

from ..model.sandbox import Sandbox
from .analytics import AnalyticsFeed
from .feed import LiveView
from .routes import bp


def init_live_view(app: Flask, socketio: SocketIO, sb: Sandbox) -> LiveView:
    """Serve the live view of `sb` on this app; kept in app.extensions["sandbox.live"]."""
    live = LiveView(socketio)
    live.bind(sb)
    app.extensions["sandbox.live"] = live
    # the dashboard's throttled "analytics changed" notices (analytics.py); a reset rebinds it
    app.extensions["sandbox.analytics_feed"] = AnalyticsFeed(socketio).bind(sb)
    app.register_blueprint(bp)
    return live
