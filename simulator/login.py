"""Login Service API (service agentVep): user/application login, refresh, logout, keep-alive."""
import threading
from dataclasses import dataclass

from .csds import DomainLookup
from .report import Report, silent
from .responses import LoginResult
from .transport import ConnectionFailed, LivePersonError, Transport, Unauthorized

COOKIE = "Session_id"
REFRESH_EVERY = 300.0  # LivePerson's keep-alive guide: refresh every 5 minutes


@dataclass(frozen=True)
class Credentials:
    """Who logs in: a password (user login) or an API key set (application login)."""

    username: str
    password: str | None = None
    app_key: str | None = None
    secret: str | None = None
    access_token: str | None = None
    access_token_secret: str | None = None

    def body(self) -> dict:
        """The login body; the server tells the variants apart by `password` vs `appKey`."""
        if self.password is not None:
            return {"username": self.username, "password": self.password}
        if not self.app_key:
            raise ValueError("a login needs a password or an app key")
        body = {"username": self.username, "appKey": self.app_key}
        for key, value in (("secret", self.secret), ("accessToken", self.access_token),
                           ("accessTokenSecret", self.access_token_secret)):
            if value is not None:
                body[key] = value
        return body

    @property
    def kind(self) -> str:
        """`user` (password) or `application` (API key set)."""
        return "user" if self.password is not None else "application"


class LoginSession:
    """One login of one user: bearer and csrf, the Session_id cookie, and the refresh timer."""

    def __init__(self, domains: DomainLookup, transport: Transport, report: Report = silent):
        self.domains = domains
        self.account = domains.account
        self.transport = transport
        self.report = report
        self.credentials: Credentials | None = None
        self.result: LoginResult | None = None
        self.generation = 0  # bumped at every login: agent sessions of older ones are gone
        self._base: str | None = None
        self._lock = threading.Lock()
        self._relogin_lock = threading.Lock()  # one re-login at a time, however many calls got 401
        self._stop: threading.Event | None = None

    @property
    def bearer(self) -> str:
        """The bearer of the current login (raises if not logged in)."""
        if self.result is None:
            raise LivePersonError("not logged in")
        return self.result.bearer

    def _url(self, method: str) -> str:
        return f"{self._base}/api/account/{self.account}/{method}"

    def login(self, credentials: Credentials) -> LoginResult:
        """Find the login host through CSDS (agentVep) and log in."""
        self._base = self.domains.url("agentVep")
        try:
            body = self.transport.post_json(self._url("login?v=1.3"), credentials.body(),
                                            need_body=True, login=True)
        except ConnectionFailed as exc:
            # Name the service, the host and who said so; forget it, so the next login asks the
            # Domain API afresh (a moved or wrong host heals, as node-agent-sdk's reconnect does).
            host, source = self.domains.host("agentVep"), self.domains.source("agentVep")
            self.domains.forget("agentVep")
            raise ConnectionFailed(f"agentVep (the Login Service) of account {self.account} is at "
                                   f"{host} per {source}, which cannot be reached: {exc}") from exc
        result = LoginResult.from_json(body, self.transport.cookie(COOKIE))
        # Later lookups (a re-login, other services) use what the login said.
        self.domains.learn([{"service": s, "baseURI": b} for s, b in result.services.items()])
        with self._lock:
            self.credentials, self.result = credentials, result
            self.generation += 1
        self.report("login", user=result.login_name, kind=credentials.kind,
                    userId=result.user_id)
        return result

    def relogin(self) -> LoginResult:
        """Log in again with the same credentials (the old session expired or was lost)."""
        if self.credentials is None:
            raise LivePersonError("cannot re-login: never logged in")
        return self.login(self.credentials)

    def relogin_after(self, refused_bearer: str) -> bool:
        """Log in again because `refused_bearer` got a 401, unless another thread already did.

        Returns False when there is nothing to log in again with (never logged in, or logged out).
        """
        with self._relogin_lock:
            if self.credentials is None or self.result is None:
                return False
            if self.result.bearer == refused_bearer:
                self.report("session.relogin", user=self.credentials.username)
                self.relogin()
            return True

    def _csrf_call(self, method: str) -> None:
        if self.result is None:
            raise LivePersonError(f"cannot {method}: not logged in")
        # The cookie jar sends Session_id back; the body carries the csrf of the login.
        self.transport.call("POST", self._url(method), {"csrf": self.result.csrf})

    def refresh(self) -> None:
        """Keep the session alive (200, empty body); Unauthorized once it has expired."""
        self._csrf_call("refresh")
        self.report("session.refreshed")

    def logout(self) -> None:
        """End the session: bearer, csrf and cookie die together."""
        self.stop_keepalive()
        name = self.result.login_name if self.result else None
        try:
            self._csrf_call("logout")
            self.report("logout", user=name)
        except Unauthorized as exc:
            # The session had already expired: it is over either way.
            self.report("logout", user=name, note="session already expired", error=exc.message)
        finally:
            with self._lock:
                self.result = None

    def keep_alive(self) -> str:
        """Refresh; if the session is already dead, log in again. Returns what was done."""
        bearer = self.bearer
        try:
            self.refresh()
            return "refreshed"
        except Unauthorized as exc:
            self.report("session.expired", error=exc.message)
            self.relogin_after(bearer)
            return "relogged"

    def start_keepalive(self, interval: float = REFRESH_EVERY) -> None:
        """Call keep_alive() every `interval` seconds on a daemon thread until stopped."""
        self.stop_keepalive()
        stop = self._stop = threading.Event()
        thread = threading.Thread(target=self._keepalive_loop, args=(interval, stop),
                                  name="lp-keepalive", daemon=True)
        thread.start()

    def stop_keepalive(self) -> None:
        """Stop the refresh timer (no-op when none runs)."""
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def _keepalive_loop(self, interval: float, stop: threading.Event) -> None:
        while not stop.wait(interval):
            try:
                self.keep_alive()
            except LivePersonError as exc:
                # A network blip must not kill the timer: the next tick tries again.
                self.report("session.refresh_failed", error=str(exc))
