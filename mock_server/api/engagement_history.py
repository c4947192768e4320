"""Engagement History API (service engHistDomain), and its messaging sibling (msgHist).

    POST /interaction_history/api/account/{accountId}/interactions/search?offset=&limit=&sort=
    POST /messaging_history/api/account/{accountId}/conversations/search?offset=&limit=&sort=

Both take a Login Service bearer or an API key's OAuth1 signature (`data_auth`). The search
itself is mock_server/model/analytics/history.py; the records are mock_server/wire/history.py.
"""
from flask import Blueprint

from ..model.analytics import history
from ..wire.history import conversations_page, history_page
from .common import data_auth, json_body, query_arg, respond, root_url, sandbox

bp = Blueprint("engagement_history", __name__)


def _paging(fields: tuple) -> history.Paging:
    return history.parse_paging(query_arg("offset"), query_arg("limit"), query_arg("sort"), fields)


@bp.post("/interaction_history/api/account/<account_id>/interactions/search")
@data_auth
def search_interactions(account_id):
    """Ended chats' engagements (one record per leg) matching the body's filters, one page."""
    sb = sandbox()
    account = sb.account(account_id)
    paging = _paging(history.SORT_FIELDS)
    criteria = history.parse_criteria(json_body())
    return respond(history_page(account, history.search(sb, account, criteria, paging), root_url()))


@bp.post("/messaging_history/api/account/<account_id>/conversations/search")
@data_auth
def search_conversations(account_id):
    """Messaging conversations: none in a live-chat sandbox, once the request is valid."""
    sb = sandbox()
    paging = _paging(history.MESSAGING_SORT_FIELDS)
    history.parse_start(json_body(), history.MESSAGING_MAX_DAYS, history.ms(sb.clock.now()))
    return respond(conversations_page(account_id, paging, root_url()))
