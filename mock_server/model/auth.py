"""Login sessions of the Login Service API: bearer, csrf, cookie, idle and absolute TTL."""
from dataclasses import dataclass
from typing import Callable

from .accounts import Account, User
from .clock import Clock
from .errors import BadRequest, Unauthorized
from .ids import IdGenerator

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


class LoginExpired(Unauthorized):
    """The session named is past its TTL: refused, and the caller ends it (with its agent
    sessions) before the refusal leaves."""

    def __init__(self, session: LoginSession):
        super().__init__(SESSION_EXPIRED, 11)
        self.session = session


class Logins:
    """Every live login session of a sandbox, indexed by bearer and by cookie.

    A store: it opens, finds and closes sessions; what follows from a session ending (its
    agent sessions end, their chats move) is the Sandbox's (model/followups.py)."""

    def __init__(self, clock: Clock, ids: IdGenerator, settings: dict,
                 publish: Callable[..., None]):
        self.clock, self.ids, self.publish = clock, ids, publish
        self.idle_ttl = float(settings["login_idle_ttl_seconds"])
        self.absolute_ttl = float(settings["login_absolute_ttl_seconds"])
        self.by_bearer: dict[str, LoginSession] = {}
        self.by_cookie: dict[str, LoginSession] = {}

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
        ids, now = self.ids, self.clock.now()
        session = LoginSession(account_id=account.id, user=user, bearer=ids.hex(32),
                               csrf=ids.hex(32), session_id=ids.token(32), wsuk=ids.digits(18),
                               created=now, last_seen=now)
        self.by_bearer[session.bearer] = session
        self.by_cookie[session.session_id] = session
        self.publish("login", account.id, user_id=user.id, login_name=user.login_name)
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
        if self.is_expired(session):
            raise LoginExpired(session)
        return session

    def is_expired(self, session: LoginSession) -> bool:
        """Logged out, idle too long or past its absolute TTL?"""
        return session.expired(self.clock.now(), self.idle_ttl, self.absolute_ttl)

    def authenticate(self, account_id: str, bearer: str | None) -> LoginSession:
        """The live session of this bearer on this account, touching its idle timer."""
        if not bearer:
            raise Unauthorized("Authorization header with a Bearer token is required", 2)
        session = self._live(self.by_bearer.get(bearer))
        if session.account_id != account_id:
            # A bearer is only good on the account it logged in to.
            raise Unauthorized(BAD_AUTH, 2)
        session.last_seen = self.clock.now()
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
        session.last_seen = self.clock.now()
        return session

    def logout(self, account_id: str, cookie: str | None, csrf, bearer: str | None = None):
        """The session a logout (with its csrf) ends; the caller ends it."""
        return self._by_csrf(account_id, cookie, csrf, bearer)

    def live(self, bearer: str | None = None, cookie: str | None = None) -> LoginSession | None:
        """The live session of this bearer (else this cookie), or None; touches nothing."""
        session = (self.by_bearer.get(bearer) if bearer else None) or (
            self.by_cookie.get(cookie) if cookie else None)
        if session is None or self.is_expired(session):
            return None
        return session

    def close(self, session: LoginSession) -> bool:
        """Close a session in the store: bearer, csrf and cookie die at once. False when it
        was closed already."""
        if session.ended:
            return False
        session.ended = True
        self.by_bearer.pop(session.bearer, None)
        self.by_cookie.pop(session.session_id, None)
        return True

    def of_user(self, user: User) -> list[LoginSession]:
        """The open login sessions of a user."""
        return [s for s in self.by_bearer.values() if s.user.id == user.id]

    def expired(self) -> list[LoginSession]:
        """Every session past its TTL (the tick ends them)."""
        return [s for s in self.by_bearer.values() if self.is_expired(s)]
