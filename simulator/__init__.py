"""LivePerson live-chat clients: agent bots with pluggable brains, scripted customers, checks.

Modules, by layer:

- transport.py: the HTTP client plumbing (session, TLS, retries, LivePerson's error envelope).
- responses.py: parsed API responses, typed views of the JSON the APIs answer.
  (mock_server/wire/ is the server's counterpart: it renders that JSON from mock_server/model/.)
- csds.py, login.py, client.py, visitor.py, account_config.py: one client per API (Domain,
  Login Service, Chat Agent, Server Chat, Account Config).
- bot.py, chat_worker.py, brains/: the agent bot. customer.py, scripts.py: the customer.
  check.py, demo.py: the programs built on both. personas.py, mix.py, load.py, load_summary.py:
  the load generator (generated customers, played by the one customer engine). report.py: the
  one event reporter (log lines, chat events, pass/fail verdicts) all of them use.

Naming: one word per layer for the person on the other side of the agent.

- "visitor" in everything that speaks an API: LivePerson's Server Chat API and wire protocol call
  that side the visitor (`source: visitor`, `visitorName`, `visitorTyping`), and so do the
  Server Chat client (visitor.py: VisitorClient, VisitorChat) and what the bot reads of a chat
  (chat_worker.py, brains: `visitor_lines`, `visitor_name`).
- "customer" for the simulated person who plays the visitor role: customer.py's
  ScriptedCustomer (the simulator's one visitor engine), its scripts and results, the
  `customer` role of its log lines.
- "consumer" only for LivePerson's browser chat window, the sandbox's consumer page
  (mock_server); the simulator does not use it, except that the CLI command keeps its old
  name, `python -m simulator consumer`, for compatibility (it runs a customer).
"""
