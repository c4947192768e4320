"""Login and agent sessions in the model (operations/login.py, auth.py, agents.py): credentials,
bearer, csrf, refresh, logout, and who may use which agent session."""
import pytest

from mock_server.model.errors import BadRequest, Forbidden, NotFound, Unauthorized
from tests.support.constants import (ACCOUNT, BOT_APP_KEYS, BOT_ID, DEMO_AGENT, DEMO_BOT, OTHER_ACCOUNT,
                                     SHOP_BOT)
from tests.unit.conftest import advance, agent, log_in, make_sandbox


def refused(call, *args, error=Unauthorized):
    with pytest.raises(error) as caught:
        call(*args)
    return caught.value.internal_code


def test_password_login_opens_a_session(sandbox):
    login = log_in(sandbox, DEMO_BOT)
    assert (login.account_id, login.user.id) == (ACCOUNT, BOT_ID)
    assert len(login.bearer) == 64 and len(login.csrf) == 64 and login.bearer != login.csrf
    assert login.created == login.last_seen == sandbox.clock.now()
    assert sandbox.query.live_login(bearer=login.bearer) is login
    assert sandbox.query.live_login(cookie=login.session_id) is login
    assert sandbox.authenticate(ACCOUNT, login.bearer) is login


def test_app_key_login(sandbox):
    account = sandbox.account(ACCOUNT)
    login = sandbox.login(account, {"username": DEMO_BOT.login, **BOT_APP_KEYS})
    assert login.user.id == BOT_ID
    wrong = {"username": DEMO_BOT.login, **BOT_APP_KEYS, "secret": "nope"}
    assert refused(sandbox.login, account, wrong) == 3


@pytest.mark.parametrize("body, error, code", [
    ({"username": DEMO_BOT.login, "password": "wrong"}, Unauthorized, 3),
    ({"username": "nobody", "password": "x"}, Unauthorized, 3),
    ({"username": DEMO_BOT.login}, BadRequest, 1),
    ({"password": DEMO_BOT.password}, BadRequest, 1),
    ({"username": "", "password": "x"}, BadRequest, 1),
], ids=["wrong-password", "unknown-user", "no-credentials", "no-username", "blank-username"])
def test_bad_logins_are_refused_and_open_nothing(sandbox, body, error, code):
    assert refused(sandbox.login, sandbox.account(ACCOUNT), body, error=error) == code
    assert sandbox.logins.by_bearer == {}


def test_a_user_of_another_account_cannot_log_in_here(sandbox):
    assert refused(sandbox.login, sandbox.account(ACCOUNT), SHOP_BOT.credentials) == 3
    assert log_in(sandbox, SHOP_BOT, OTHER_ACCOUNT).account_id == OTHER_ACCOUNT


def test_a_disabled_user_is_locked(sandbox):
    account = sandbox.account(ACCOUNT)
    sandbox.save_user(account, {"isEnabled": False}, account.user_by_login(DEMO_AGENT.login))
    assert refused(log_in, sandbox, DEMO_AGENT) == 4


def test_a_bearer_is_good_only_on_its_account(sandbox):
    login = log_in(sandbox, DEMO_BOT)
    assert refused(sandbox.authenticate, OTHER_ACCOUNT, login.bearer) == 2
    assert refused(sandbox.authenticate, ACCOUNT, None) == 2
    assert refused(sandbox.authenticate, ACCOUNT, "not-a-bearer") == 11


def test_every_authenticated_call_keeps_the_login_alive(sandbox):
    login = log_in(sandbox, DEMO_BOT)
    for _ in range(3):
        advance(sandbox, 1000)  # under the idle TTL (1800 s) each time
        sandbox.authenticate(ACCOUNT, login.bearer)
    assert not login.ended and login.last_seen == sandbox.clock.now()
    advance(sandbox, 1801)
    assert login.ended


def test_refresh_needs_the_csrf_and_keeps_the_login_alive(sandbox):
    login = log_in(sandbox, DEMO_BOT)
    advance(sandbox, 1000)
    assert refused(sandbox.refresh_login, ACCOUNT, login.session_id, "wrong") == 10
    assert login.last_seen == sandbox.clock.now() - 1000
    assert sandbox.refresh_login(ACCOUNT, login.session_id, login.csrf) is login
    assert login.last_seen == sandbox.clock.now()
    assert sandbox.refresh_login(ACCOUNT, None, login.csrf, bearer=login.bearer) is login
    assert sandbox.refresh_login(ACCOUNT, None, login.csrf) is login  # no cookie jar: csrf names it


@pytest.mark.parametrize("how", ["cookie", "bearer", "csrf-alone"])
def test_logout_ends_bearer_csrf_and_cookie_at_once(sandbox, how):
    login = log_in(sandbox, DEMO_BOT)
    cookie = login.session_id if how == "cookie" else None
    bearer = login.bearer if how == "bearer" else None
    assert sandbox.logout(ACCOUNT, cookie, login.csrf, bearer) is login
    assert login.ended
    assert sandbox.query.live_login(bearer=login.bearer) is None
    assert sandbox.query.live_login(cookie=login.session_id) is None
    assert refused(sandbox.authenticate, ACCOUNT, login.bearer) == 11
    assert refused(sandbox.refresh_login, ACCOUNT, login.session_id, login.csrf) == 11


def test_logging_in_twice_gives_two_independent_sessions(sandbox):
    first, second = log_in(sandbox, DEMO_BOT), log_in(sandbox, DEMO_BOT)
    assert first.bearer != second.bearer
    sandbox.logout(ACCOUNT, first.session_id, first.csrf)
    assert sandbox.authenticate(ACCOUNT, second.bearer) is second


def test_seeded_sandboxes_repeat_their_ids():
    def run(seed):
        sb = make_sandbox(seed=seed)
        login = log_in(sb, DEMO_BOT)
        return login.bearer, agent(sb, DEMO_BOT, login=login).id

    assert run(7) == run(7)
    assert run(7) != run(8)


# --- agent sessions ----------------------------------------------------------------------------------

def test_a_new_agent_session_is_away(sandbox):
    login = log_in(sandbox, DEMO_BOT)
    session = sandbox.start_agent_session(login)
    assert (session.availability, session.user, session.login) == ("Away", login.user, login)
    assert sandbox.query.availability(login.user) == "Away"
    assert sandbox.query.sessions_of(login.user) == [session]


def test_availability_values(sandbox):
    session = agent(sandbox, DEMO_BOT, availability=None)
    for state in ("Online", "Occupied", "Away"):
        sandbox.set_agent_availability(session, state)
        assert session.availability == state
    sandbox.clock.advance(5)
    sandbox.set_agent_availability(session, "Away")  # no change: the time in state stays
    assert session.state_since == sandbox.clock.now() - 5
    for bad in ("Offline", "online", "Sleeping", None):
        assert refused(sandbox.set_agent_availability, session, bad, error=BadRequest) == 42
    assert session.availability == "Away"


def test_an_agent_session_belongs_to_its_user(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    human_login = log_in(sandbox, DEMO_AGENT)
    assert refused(sandbox.agent_session, human_login, bot.id, error=Forbidden) == 41
    assert refused(sandbox.agent_session, human_login, "123", error=NotFound) == 40
    other_login = log_in(sandbox, DEMO_BOT)  # the same user's other login may use it
    sandbox.clock.advance(3)
    assert sandbox.agent_session(other_login, bot.id) is bot
    assert bot.last_seen == sandbox.clock.now()


def test_an_ended_agent_session_is_not_found(sandbox):
    bot = agent(sandbox, DEMO_BOT)
    sandbox.end_agent_session(bot, "test")
    assert refused(sandbox.agent_session, bot.login, bot.id, error=NotFound) == 40
    assert sandbox.query.live_sessions(ACCOUNT) == []
    assert sandbox.query.availability(bot.user) == "Offline"
