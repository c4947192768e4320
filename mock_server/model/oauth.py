"""Sentinel, LivePerson's authorization server for installed applications (OAuth 2.0, RFC 6749),
built on oauthlib: the grants, the client checks and the RFC's error bodies are oauthlib's; this
module says what the sandbox stores and what a token is.

* client_credentials (`/app/token`): the access token is an AppJWT, a JWT signed RS256 with the
  sandbox's key (`/sentinel/well-known/jwks`), claims `aud` (the account), `azp` (the client_id),
  `scope`, `iss` "Sentinel", `iat`, `exp` (one hour), as the Connector API docs decode it.
* authorization_code and refresh_token (`/token`): the access token is a Login Service bearer of
  the user who authorized (a login session opened for them), so every API that takes a bearer
  takes it; the answer adds a `refresh_token` and (code grant) an `id_token` JWT (`sub`, `aud`,
  `iss` "sentinel", `iat`, `exp`, `is_admin`, `is_lpa`). A refresh opens a new session and ends
  the old one; revoking ends the session and forgets the refresh token.
"""
import base64
import binascii
import hmac
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oauthlib.oauth2 import (AuthorizationCodeGrant, AuthorizationEndpoint, BearerToken,
                             ClientCredentialsGrant, RefreshTokenGrant, RequestValidator,
                             RevocationEndpoint, TokenEndpoint)

from .accounts import Account, Application
from .auth import LoginSession, Logins
from .clock import Clock
from .ids import IdGenerator

APP_JWT_TTL = 3600  # "An AppJWT is valid for one hour"
ID_TOKEN_TTL = 600  # the docs' example id_token: exp - iat = 600
CODE_TTL = 600  # seconds an authorization code can be exchanged
KID = "sandbox-sentinel-1"


class Signer:
    """The sandbox's RS256 key (made on first use) and its JWKS."""

    def __init__(self):
        self._key = None

    @property
    def key(self):
        if self._key is None:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._key

    def __getstate__(self) -> dict:
        """A data dir keeps the key as PEM, so tokens signed before a restart still verify."""
        if self._key is None:
            return {"pem": None}
        return {"pem": self._key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption())}

    def __setstate__(self, state: dict) -> None:
        pem = state.get("pem")
        self._key = serialization.load_pem_private_key(pem, password=None) if pem else None

    def sign(self, claims: dict) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID, "typ": "JWT"})

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}


@dataclass
class Code:
    """An authorization code, until it is exchanged (once) or expires."""

    code: str
    client_id: str
    user_id: str
    redirect_uri: str | None  # only when the authorization request named one
    scopes: list
    expires: float
    challenge: str | None = None
    challenge_method: str | None = None


@dataclass
class Refresh:
    """A refresh token and the access token (login session bearer) it last gave."""

    token: str
    account_id: str
    client_id: str
    user_id: str
    scopes: list
    bearer: str


class Sentinel:
    """The authorization server's state for every account of a sandbox."""

    def __init__(self, clock: Clock, ids: IdGenerator, logins: Logins):
        self.clock, self.ids, self.logins = clock, ids, logins
        # Login sessions a revocation or a rotation closed: the Sandbox ends them for good
        # (their agent sessions too) once the oauthlib call returns (take_ended).
        self.ended: list[LoginSession] = []
        self.signer = Signer()
        self.codes: dict[tuple[str, str], Code] = {}  # (account, code)
        self.refresh: dict[tuple[str, str], Refresh] = {}  # (account, refresh token)

    # --- tokens ---------------------------------------------------------------------------------

    def app_jwt(self, account: Account, app: Application, scopes: list) -> str:
        now = int(self.clock.now())
        return self.signer.sign({"aud": account.id, "azp": app.client_id, "scope": " ".join(scopes),
                                 "iss": "Sentinel", "exp": now + APP_JWT_TTL, "iat": now})

    def id_token(self, app: Application, user) -> str:
        now = int(self.clock.now())
        return self.signer.sign({"is_admin": user.is_admin, "sub": user.id, "aud": app.client_id,
                                 "is_lpa": False, "iss": "sentinel", "exp": now + ID_TOKEN_TTL,
                                 "iat": now})

    def end_grant(self, grant: Refresh) -> None:
        """Forget a refresh token and end the login session it gave."""
        self.refresh.pop((grant.account_id, grant.token), None)
        session = self.logins.by_bearer.get(grant.bearer)
        if session is not None:
            self.ended.append(session)

    def take_ended(self) -> list[LoginSession]:
        """The login sessions ended since the last call (to be ended by the Sandbox)."""
        ended, self.ended = self.ended, []
        return ended

    # --- oauthlib endpoints, bound to one account -------------------------------------------------

    def _bearer(self, validator: "SentinelValidator") -> BearerToken:
        account = validator.account

        def access_token(request):
            if request.grant_type == "client_credentials":
                return self.app_jwt(account, request.client, request.scopes or [])
            return self.logins.open_session(account, request.user).bearer

        def expires_in(request):
            return APP_JWT_TTL if request.grant_type == "client_credentials" \
                else int(self.logins.idle_ttl)

        return BearerToken(validator, token_generator=access_token, expires_in=expires_in,
                           refresh_token_generator=lambda request: self.ids.hex(48))

    def app_token_endpoint(self, account: Account) -> TokenEndpoint:
        """`/app/token`: the client_credentials grant only."""
        validator = SentinelValidator(self, account)
        grant = ClientCredentialsGrant(validator)
        grant.register_token_modifier(_without_empty_scope)
        return TokenEndpoint("client_credentials", self._bearer(validator),
                             {"client_credentials": grant})

    def token_endpoint(self, account: Account) -> TokenEndpoint:
        """`/token`: authorization_code and refresh_token."""
        validator = SentinelValidator(self, account)
        code = AuthorizationCodeGrant(validator)
        code.register_token_modifier(
            lambda token, handler, request: _without_empty_scope(
                {**token, "id_token": self.id_token(request.client, request.user)}))
        refresh = RefreshTokenGrant(validator)
        refresh.register_token_modifier(lambda token, handler, request: _without_empty_scope(token))
        return TokenEndpoint("authorization_code", self._bearer(validator),
                             {"authorization_code": code, "refresh_token": refresh})

    def authorization_endpoint(self, account: Account) -> AuthorizationEndpoint:
        """`/authorize`: response_type=code."""
        validator = SentinelValidator(self, account)
        code = AuthorizationCodeGrant(validator)
        code.register_code_modifier(
            lambda grant, handler, request: {**grant, "code": self.ids.token(30)})
        return AuthorizationEndpoint("code", self._bearer(validator), {"code": code})

    def revocation_endpoint(self, account: Account) -> RevocationEndpoint:
        return RevocationEndpoint(SentinelValidator(self, account))


def _without_empty_scope(token: dict) -> dict:
    if not token.get("scope"):
        token.pop("scope", None)
    return token


def _basic(header: str | None) -> tuple[str, str] | None:
    """(client_id, client_secret) of an `Authorization: Basic` header (RFC 6749 2.3.1)."""
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


class SentinelValidator(RequestValidator):
    """oauthlib's questions, answered from one account's installed applications."""

    def __init__(self, sentinel: Sentinel, account: Account):
        super().__init__()
        self.sentinel, self.account, self.clock = sentinel, account, sentinel.clock

    def _app(self, client_id) -> Application | None:
        return self.account.applications.get(client_id) if isinstance(client_id, str) else None

    def _user(self, user_id: str):
        user = self.account.users.get(user_id)
        return user if user is not None and user.enabled and not user.deleted else None

    # --- clients ------------------------------------------------------------------------------------

    def client_authentication_required(self, request, *args, **kwargs):
        return True

    def authenticate_client(self, request, *args, **kwargs):
        client_id, secret = request.client_id, request.client_secret
        basic = _basic(request.headers.get("Authorization"))
        if basic is not None:
            if client_id and client_id != basic[0]:
                return False  # two different clients in one request
            client_id, secret = basic
        app = self._app(client_id)
        if app is None or not isinstance(secret, str) or not hmac.compare_digest(
                secret.encode(), app.client_secret.encode()):
            return False
        request.client, request.client_id = app, app.client_id
        return True

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        return False  # every installed application is a confidential client

    def validate_client_id(self, client_id, request, *args, **kwargs):
        app = self._app(client_id)
        if app is not None:
            request.client = app
        return app is not None

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        return grant_type in client.grant_types

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        app = self._app(client_id)
        return app is not None and set(scopes) <= set(app.scope.split())

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        app = self._app(client_id)
        return app.scope.split() if app else []

    # --- the authorization request --------------------------------------------------------------

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        app = self._app(client_id)
        return app is not None and redirect_uri in app.redirect_uris

    def get_default_redirect_uri(self, client_id, request, *args, **kwargs):
        app = self._app(client_id)
        return app.redirect_uris[0] if app and len(app.redirect_uris) == 1 else None

    def validate_response_type(self, client_id, response_type, client, request, *args, **kwargs):
        return response_type == "code" and "authorization_code" in client.grant_types

    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        given = None if getattr(request, "using_default_redirect_uri", False) else request.redirect_uri
        self.sentinel.codes[(self.account.id, code["code"])] = Code(
            code=code["code"], client_id=client_id, user_id=request.user.id, redirect_uri=given,
            scopes=list(request.scopes or []), expires=self.clock.now() + CODE_TTL,
            challenge=getattr(request, "code_challenge", None),
            challenge_method=getattr(request, "code_challenge_method", None))

    # --- the token request ------------------------------------------------------------------------

    def _code(self, code) -> Code | None:
        grant = self.sentinel.codes.get((self.account.id, code)) if isinstance(code, str) else None
        if grant is not None and grant.expires < self.clock.now():
            del self.sentinel.codes[(self.account.id, code)]
            return None
        return grant

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        grant = self._code(code)
        user = self._user(grant.user_id) if grant else None
        if grant is None or grant.client_id != client_id or user is None:
            return False
        request.user, request.scopes = user, list(grant.scopes)
        return True

    def get_code_challenge(self, code, request):
        grant = self._code(code)
        return grant.challenge if grant else None

    def get_code_challenge_method(self, code, request):
        grant = self._code(code)
        return (grant.challenge_method or "plain") if grant else None

    def confirm_redirect_uri(self, client_id, code, redirect_uri, client, request, *args, **kwargs):
        grant = self._code(code)
        if grant is None:
            return False
        if grant.redirect_uri is not None:  # named in the authorization request: required, equal
            return (not getattr(request, "using_default_redirect_uri", False)
                    and redirect_uri == grant.redirect_uri)
        return redirect_uri is None or redirect_uri in client.redirect_uris

    def invalidate_authorization_code(self, client_id, code, request, *args, **kwargs):
        self.sentinel.codes.pop((self.account.id, code), None)

    def save_bearer_token(self, token, request, *args, **kwargs):
        if request.grant_type == "refresh_token":
            old = self.sentinel.refresh.get((self.account.id, request.refresh_token))
            if old is not None:
                self.sentinel.end_grant(old)  # rotated: the old pair is dead
        if "refresh_token" in token:
            self.sentinel.refresh[(self.account.id, token["refresh_token"])] = Refresh(
                token=token["refresh_token"], account_id=self.account.id,
                client_id=request.client.client_id, user_id=request.user.id,
                scopes=list(request.scopes or []), bearer=token["access_token"])

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        grant = self.sentinel.refresh.get((self.account.id, refresh_token)) \
            if isinstance(refresh_token, str) else None
        user = self._user(grant.user_id) if grant else None
        if grant is None or grant.client_id != client.client_id or user is None:
            return False
        request.user = user
        return True

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        grant = self.sentinel.refresh.get((self.account.id, refresh_token))
        return list(grant.scopes) if grant else []

    def rotate_refresh_token(self, request):
        return True

    # --- revocation -------------------------------------------------------------------------------

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        for grant in list(self.sentinel.refresh.values()):
            if (grant.account_id == self.account.id and grant.client_id == request.client_id
                    and token in (grant.token, grant.bearer)):
                self.sentinel.end_grant(grant)
