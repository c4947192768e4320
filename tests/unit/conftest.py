"""Builders of the unit tier: a Sandbox (mock_server/model, no HTTP) on a ManualClock with a seed,
and the few steps every test repeats: log in, start an agent session and go Online, ask for a
chat, accept it, move the clock (and apply its timeouts), keep a party alive.

Tests import the helpers from here (`from tests.unit.conftest import ...`); the fixtures are
`sandbox` (the demo config, mock_server/config/sandbox.yaml) and `team` (the demo config plus
three more human agents and a skill, for routing among several agents)."""
import copy

import pytest

from mock_server.model.agents import AgentSession
from mock_server.model.auth import LoginSession
from mock_server.model.bus import Event
from mock_server.model.chats import Chat
from mock_server.model.clock import ManualClock
from mock_server.model.sandbox import Sandbox
from mock_server.model.seed import load_config
from tests.support.constants import ACCOUNT, BOT_SKILL, HUMAN_SKILL, User

START = 1_790_000_000.0  # where every unit sandbox's clock starts (as tests/support/server.py)
SEED = 1234  # ids repeat from run to run

DEMO_CONFIG = load_config()  # parsed once; each sandbox gets its own deep copy

# --- the team config: the demo account with more human agents ------------------------------------
BLAKE = User("agent-b", "agent-b-pass")  # "Blake", maxChats 2, support-human
CASEY = User("agent-c", "agent-c-pass")  # "Casey", maxChats 1, support-human
ELASTIC = User("elastic", "elastic-pass")  # "Elastic", unlimited maxChats (-1), skill overflow
BLAKE_ID, CASEY_ID, ELASTIC_ID = "3001010", "3001011", "3001012"
OVERFLOW_SKILL, OVERFLOW_SKILL_ID = "overflow", "2001009"


def team_config(**settings) -> dict:
    """The demo config plus agent-b, agent-c (support-human) and elastic (overflow, unlimited);
    `settings` override the timing settings."""
    config = copy.deepcopy(DEMO_CONFIG)
    config["settings"] = {**config.get("settings", {}), **settings}
    demo = next(a for a in config["accounts"] if str(a["id"]) == ACCOUNT)
    demo["skills"].append({"id": OVERFLOW_SKILL_ID, "name": OVERFLOW_SKILL})
    demo["users"] += [
        {"id": BLAKE_ID, "loginName": BLAKE.login, "password": BLAKE.password, "nickname": "Blake",
         "maxChats": 2, "skills": [HUMAN_SKILL]},
        {"id": CASEY_ID, "loginName": CASEY.login, "password": CASEY.password, "nickname": "Casey",
         "maxChats": 1, "skills": [HUMAN_SKILL]},
        {"id": ELASTIC_ID, "loginName": ELASTIC.login, "password": ELASTIC.password,
         "nickname": "Elastic", "maxChats": -1, "skills": [OVERFLOW_SKILL]},
    ]
    return config


def make_sandbox(config: dict | None = None, seed: int = SEED, start: float = START) -> Sandbox:
    """A Sandbox of `config` (default: the demo config) on a ManualClock at `start`."""
    config = copy.deepcopy(DEMO_CONFIG) if config is None else config
    return Sandbox(config, clock=ManualClock(start), seed=seed)


@pytest.fixture
def sandbox() -> Sandbox:
    """A fresh sandbox of the demo config: seed 1234, a ManualClock at START."""
    return make_sandbox()


@pytest.fixture
def team() -> Sandbox:
    """A fresh sandbox of the team config (demo config + agent-b, agent-c, elastic)."""
    return make_sandbox(team_config())


# --- steps ------------------------------------------------------------------------------------------

def log_in(sb: Sandbox, user: User, account_id: str = ACCOUNT) -> LoginSession:
    """A Login Service login with username and password."""
    return sb.login(sb.account(account_id), user.credentials)


def agent(sb: Sandbox, user: User, availability: str | None = "Online",
          login: LoginSession | None = None) -> AgentSession:
    """Log in (unless `login` is given), start an agent session and set its availability
    (None: leave it Away, as a new session starts)."""
    session = sb.start_agent_session(login or log_in(sb, user))
    if availability is not None:
        sb.set_agent_availability(session, availability)
    return session


def ask(sb: Sandbox, skill: str | None = BOT_SKILL, account_id: str = ACCOUNT, **fields) -> Chat:
    """A visitor's chat request on `skill` (None: no skill, any Online agent may take it)."""
    request = dict(fields)
    if skill is not None:
        request["skill"] = skill
    return sb.request_chat(sb.account(account_id), request)


def chatting(sb: Sandbox, session: AgentSession, skill: str | None = BOT_SKILL, **fields) -> Chat:
    """A chat requested on `skill` and accepted by `session` (it must be the one ringing first)."""
    chat = ask(sb, skill, session.account_id, **fields)
    assert sb.accept_chat(session) is chat
    return chat


def advance(sb: Sandbox, seconds: float) -> None:
    """Move the sandbox's ManualClock and apply the timeouts that fall due (the tick)."""
    sb.clock.advance(seconds)
    sb.tick()


def keep_alive(sb: Sandbox, *parties) -> None:
    """What polling does: a chat's visitor calls (visitor_chat), an agent session calls
    (agent_session), a login authenticates its bearer."""
    for party in parties:
        if isinstance(party, Chat):
            sb.visitor_chat(sb.account(party.account_id), party.id)
        elif isinstance(party, AgentSession):
            sb.agent_session(party.login, party.id)
        elif isinstance(party, LoginSession):
            sb.authenticate(party.account_id, party.bearer)
        else:
            raise TypeError(f"cannot keep {party!r} alive")


def wait(sb: Sandbox, seconds: float, *parties, step: float = 10) -> None:
    """Let `seconds` pass in steps of `step`, the `parties` polling after every step (keep `step`
    under the timeouts that must not fire: a chat's visitor timeout is 40 s by default)."""
    while seconds > 0:
        moved = min(step, seconds)
        advance(sb, moved)
        keep_alive(sb, *parties)
        seconds -= moved


def ringing_ids(sb: Sandbox, session: AgentSession) -> list[str]:
    """Ids of the chats a session sees ringing (its incomingRequests), in accept order."""
    return [chat.id for chat in sb.query.ringing_at(session)]


def waiting_ids(sb: Sandbox, account_id: str = ACCOUNT) -> list[str]:
    """Ids of the account's waiting chats, in queue order."""
    return [chat.id for chat in sb.query.waiting(sb.account(account_id))]


def shape(events) -> list[tuple]:
    """Events as (type, state, system message id, sub type), for exact comparisons."""
    return [(e.type, e.state, e.system_message_id, e.sub_type if e.type == "line" else None)
            for e in events]


def record(sb: Sandbox) -> list[Event]:
    """Subscribe a list to the sandbox's bus; every event published from now on lands in it."""
    seen: list[Event] = []
    sb.bus.subscribe(seen.append)
    return seen
