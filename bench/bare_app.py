"""A bare Flask app with one JSON route: the baseline the sandbox's poll is compared with.

The payload has the shape and roughly the size of an empty Chat Agent events poll (two links),
so the comparison measures the sandbox's own work per request (middleware, auth, lookups,
rendering), not a difference in bytes on the wire.
"""
from flask import Flask

PAYLOAD = {"events": {"link": [
    {"@href": "http://127.0.0.1:8080/api/account/12345678/agentSession/1234567890/chat/"
              "H1234567890123456789-0123456789abcdef0123456789abcdefK1234567/events",
     "@rel": "self"},
    {"@href": "http://127.0.0.1:8080/api/account/12345678/agentSession/1234567890/chat/"
              "H1234567890123456789-0123456789abcdef0123456789abcdefK1234567/events?from=8",
     "@rel": "next"}]}}


def create_bare_app() -> Flask:
    """The minimal app: GET /bare -> the static JSON above (Flask's own JSON response)."""
    app = Flask(__name__, static_folder=None)

    @app.get("/bare")
    def bare():
        return PAYLOAD

    return app
