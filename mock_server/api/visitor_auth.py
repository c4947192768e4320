"""Server Chat API, Visitor Authentication: `POST /api/account/{accountId}/conversation.json`.

The body names the authenticated engagement's connector (`authChatConnId`) and carries the
brand's token (`ssoKey`); the answer (200, as documented) is the `participantId` and
`conversationId` that the chat request then sends, so the chat's visitor is who the token says.
"""
from flask import Blueprint, g

from .common import consumer_auth, json_body, respond, sandbox

bp = Blueprint("visitor_auth", __name__)


@bp.post("/api/account/<account_id>/conversation")
@consumer_auth
def authenticate(account_id):
    """Check the ssoKey; a participantId and conversationId for the chat request."""
    visitor = sandbox().visitor_auth.authenticate(g.account, json_body())
    return respond({"participantId": visitor.participant_id,
                    "conversationId": visitor.conversation_id})
