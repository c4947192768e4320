"""Login Service API operations, and Sentinel's (OAuth 2.0) which end login sessions too."""
from ..accounts import Account
from ..auth import LoginExpired, LoginSession
from ..followups import FollowUps


class LoginOperations(FollowUps):
    """Log in, authenticate a bearer, refresh, log out; OAuth 2.0 token calls."""

    def login(self, account: Account, body: dict) -> LoginSession:
        """User login (username+password) or application login (appKey set): a new session."""
        return self.logins.login(account, body)

    def authenticate(self, account_id: str, bearer: str | None) -> LoginSession:
        """The live session of this bearer on this account (touched); an expired one ends."""
        try:
            return self.logins.authenticate(account_id, bearer)
        except LoginExpired as exc:
            self.end_login(exc.session)
            raise

    def refresh_login(self, account_id: str, cookie: str | None, csrf,
                      bearer: str | None = None) -> LoginSession:
        """Keep a session alive (needs its csrf)."""
        try:
            return self.logins.refresh(account_id, cookie, csrf, bearer)
        except LoginExpired as exc:
            self.end_login(exc.session)
            raise

    def logout(self, account_id: str, cookie: str | None, csrf,
               bearer: str | None = None) -> LoginSession:
        """End a session (needs its csrf): bearer, csrf, cookie and agent sessions die at once."""
        try:
            session = self.logins.logout(account_id, cookie, csrf, bearer)
        except LoginExpired as exc:
            self.end_login(exc.session)
            raise
        self.end_login(session)
        return session

    def expire_login(self, bearer: str | None = None, cookie: str | None = None) -> bool:
        """End the login session of this bearer (else cookie) now, as if its TTL had passed
        (the control plane's `bearer_expired` fault); False when there is none."""
        session = self.query.live_login(bearer=bearer, cookie=cookie)
        if session is None:
            return False
        self.end_login(session)
        return True

    # --- Sentinel (OAuth 2.0): oauthlib answers; a revoked or rotated grant's login ends ----------

    def oauth_token(self, account: Account, grant: str, uri: str, params: str, headers: dict):
        """A token request (`grant` "app": client_credentials, else authorization_code or
        refresh_token) as oauthlib answers it: (headers, body, status)."""
        endpoint = (self.sentinel.app_token_endpoint if grant == "app"
                    else self.sentinel.token_endpoint)(account)
        answer = endpoint.create_token_response(uri, "POST", params, headers)
        self._end_revoked_logins()
        return answer

    def revoke_oauth_token(self, account: Account, uri: str, params: str, headers: dict):
        """Revoke a token: its login session ends. (headers, body, status)."""
        answer = self.sentinel.revocation_endpoint(account).create_revocation_response(
            uri, "POST", params, headers)
        self._end_revoked_logins()
        return answer

    def _end_revoked_logins(self) -> None:
        for session in self.sentinel.take_ended():
            self.end_login(session)
