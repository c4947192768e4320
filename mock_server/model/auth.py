"""Login sessions of the Login Service API: bearer, csrf, cookie, idle and absolute TTL."""
from dataclasses import dataclass

from .accounts import Account, User
from .errors import BadRequest, Unauthorized

BAD_AUTH = "Bad Authentication (invalid site or agent)"
CSRF_INVALID = ("CSRF token invalid! The CSRF token on request does not match the CSRF token "
                "on the session")
SESSION_EXPIRED = "Session expired"


@dataclass
class LoginSession:
    """One successful login: what the Login Service API hands back and checks later."""

    account_id: str
    user: User
    bearer: str
    csrf: str
    session_id: str
    wsuk: str
    created: float
    last_seen: float
    ended: bool = False

    def expired(self, now: float, idle_ttl: float, absolute_ttl: float) -> bool:
        """True once the session is logged out, idle too long or past its absolute TTL."""
        return (self.ended or now - self.last_seen > idle_ttl
                or now - self.created > absolute_ttl)


class Logins:
    """Every login session of a sandbox, indexed by bearer and by cookie."""

    def __init__(self, sandbox):
        self.sb = sandbox
        self.by_bearer: dict[str, LoginSession] = {}
        self.by_cookie: dict[str, LoginSession] = {}

    @property
    def idle_ttl(self) -> float:
        return float(self.sb.settings["login_idle_ttl_seconds"])

    @property
    def absolute_ttl(self) -> float:
        return float(self.sb.settings["login_absolute_ttl_seconds"])

    def login(self, account: Account, body: dict) -> LoginSession:
        """User login (username+password) or application login (username+appKey set)."""
        username = body.get("username")
        if not isinstance(username, str) or not username:
            raise BadRequest("Bad request: username is required", 1)
        user = account.user_by_login(username)
        if "password" in body:
            ok = user is not None and user.password is not None and body["password"] == user.password
        elif "appKey" in body:
            ok = user is not None and any(self._key_matches(k, body) for k in user.app_keys)
        else:
            raise BadRequest("Bad request: password or appKey is required", 1)
        if not ok:
            raise Unauthorized(BAD_AUTH, 3)
        if not user.enabled:
            raise Unauthorized("User is locked", 4)
        return self.open_session(account, user)

    def open_session(self, account: Account, user: User) -> LoginSession:
        """A new login session of `user` (after a login, or an OAuth 2.0 code grant's token)."""
        ids, now = self.sb.ids, self.sb.clock.now()
        session = LoginSession(account_id=account.id, user=user, bearer=ids.hex(32),
                               csrf=ids.hex(32), session_id=ids.token(32), wsuk=ids.digits(18),
                               created=now, last_seen=now)
        self.by_bearer[session.bearer] = session
        self.by_cookie[session.session_id] = session
        self.sb.publish("login", account.id, user_id=user.id, login_name=user.login_name)
        return session

    @staticmethod
    def _key_matches(key, body: dict) -> bool:
        # The four values of the key set must all match where the body gives them;
        # the appKey itself is mandatory.
        if body.get("appKey") != key.app_key:
            return False
        for field, value in (("secret", key.secret), ("accessToken", key.access_token),
                             ("accessTokenSecret", key.access_token_secret)):
            # A key bound through Account Config knows only its appKey: nothing else to check.
            if field in body and value and body[field] != value:
                return False
        return True

    def _live(self, session: LoginSession | None) -> LoginSession:
        if session is None:
            raise Unauthorized(SESSION_EXPIRED, 11)
        if session.expired(self.sb.clock.now(), self.idle_ttl, self.absolute_ttl):
            self._end(session)
            raise Unauthorized(SESSION_EXPIRED, 11)
        return session

    def authenticate(self, account_id: str, bearer: str | None) -> LoginSession:
        """The live session of this bearer on this account, touching its idle timer."""
        if not bearer:
            raise Unauthorized("Authorization header with a Bearer token is required", 2)
        session = self._live(self.by_bearer.get(bearer))
        if session.account_id != account_id:
            # A bearer is only good on the account it logged in to.
            raise Unauthorized(BAD_AUTH, 2)
        session.last_seen = self.sb.clock.now()
        return session

    def _by_csrf(self, account_id: str, cookie: str | None, csrf, bearer: str | None):
        """Find the session a refresh/logout means: by cookie, else by bearer, else by csrf."""
        if cookie:
            session = self._live(self.by_cookie.get(cookie))
        elif bearer:
            session = self._live(self.by_bearer.get(bearer))
        else:
            # Clients without a cookie jar still name their session by its csrf.
            session = next((s for s in self.by_cookie.values() if s.csrf == csrf and csrf), None)
            if session is None:
                raise Unauthorized(CSRF_INVALID, 10)
            session = self._live(session)
        if session.account_id != account_id:
            raise Unauthorized(BAD_AUTH, 2)
        if not csrf or csrf != session.csrf:
            raise Unauthorized(CSRF_INVALID, 10)
        return session

    def refresh(self, account_id: str, cookie: str | None, csrf, bearer: str | None = None):
        """Keep a session alive (needs its csrf); returns the session."""
        session = self._by_csrf(account_id, cookie, csrf, bearer)
        session.last_seen = self.sb.clock.now()
        return session

    def logout(self, account_id: str, cookie: str | None, csrf, bearer: str | None = None):
        """End a session (needs its csrf): bearer, csrf and cookie die at once."""
        session = self._by_csrf(account_id, cookie, csrf, bearer)
        self._end(session)
        return session

    def live(self, bearer: str | None = None, cookie: str | None = None) -> LoginSession | None:
        """The live session of this bearer (else this cookie), or None; touches nothing."""
        session = (self.by_bearer.get(bearer) if bearer else None) or (
            self.by_cookie.get(cookie) if cookie else None)
        if session is None or session.expired(self.sb.clock.now(), self.idle_ttl, self.absolute_ttl):
            return None
        return session

    def end(self, session: LoginSession) -> None:
        """End a session as a logout does (an OAuth 2.0 token revocation)."""
        self._end(session)

    def _end(self, session: LoginSession) -> None:
        if session.ended:
            return
        session.ended = True
        self.by_bearer.pop(session.bearer, None)
        self.by_cookie.pop(session.session_id, None)
        self.sb.agents.end_for_login(session)
        self.sb.publish("logout", session.account_id, user_id=session.user.id,
                        login_name=session.user.login_name)

    def expire_idle(self) -> None:
        """End every session past its TTL (called by the sandbox's tick)."""
        now = self.sb.clock.now()
        for session in list(self.by_bearer.values()):
            if session.expired(now, self.idle_ttl, self.absolute_ttl):
                self._end(session)
