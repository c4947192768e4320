"""The Sandbox: the root of all state of one server, and the one way to change it.

Every operation an API performs is a method of the Sandbox named after it (moto's backends
are the model): Login Service in operations/login.py, Chat Agent in operations/chat_agent.py,
Server Chat in operations/server_chat.py, Account Config in operations/account_config.py,
A/B tests and the Step 5 numbers in operations/analytics.py.
Reads go through `sandbox.query` (model/queries.py). The Monitoring API and Visitor
Authentication keep their own small backends (`sandbox.monitoring`, `sandbox.visitor_auth`),
which change only their own state. No HTTP in here."""
from .operations.account_config import AccountConfigOperations
from .operations.analytics import AnalyticsOperations
from .operations.chat_agent import ChatAgentOperations
from .operations.lines import MAX_LINE_CHARS  # noqa: F401 (the line limit, for callers)
from .operations.login import LoginOperations
from .operations.server_chat import ServerChatOperations


class Sandbox(LoginOperations, ChatAgentOperations, ServerChatOperations, AccountConfigOperations,
              AnalyticsOperations):
    """All accounts, sessions and chats of one mock server, and every operation on them."""
