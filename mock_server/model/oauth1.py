"""API keys: requests signed with OAuth 1.0a (RFC 5849) in the Authorization header, HMAC-SHA1,
as LivePerson's data APIs and Account Config take them ("server authorization via an API key").

An API key is four values: the app key (`oauth_consumer_key`), its secret, an access token
(`oauth_token`) and its secret. An account's keys are its `apiKeys` (account-level keys with a name
and permissions) and the `appKeys` sets of its enabled users (such a set acts as its user).
oauthlib's ResourceEndpoint checks the signature; this module says which keys exist, what time it
is and which nonces were used. No HTTP here: the caller hands over the method, URL, headers and
body as the client sent them.
"""
import string
import time
from dataclasses import dataclass

from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, RequestValidator, ResourceEndpoint
from oauthlib.oauth1.rfc5849 import errors as oauth_errors

from .accounts import Account, ApiKey, User
from .clock import Clock
from .errors import BadRequest, SandboxError, Unauthorized

TIMESTAMP_WINDOW = 600  # seconds either side of now; oauthlib's default, LivePerson names none
KEY_CHARS = frozenset(string.ascii_letters + string.digits + "-_")  # Account Config's app keys
MAX_KEY_CHARS = 128
MAX_NONCE_CHARS = 128
MAX_NONCES = 100_000  # remembered at most; the oldest go first beyond that
BAD_KEY, REPLAY = 3, 12  # internalCodes: unknown key or bad signature; stale timestamp or used nonce
READ_WRITE = "accountConfigReadWrite"  # the permission that lets an account API key write config


@dataclass(frozen=True)
class Principal:
    """Who is calling a data API: a Login Service login (bearer) or an API key (OAuth1)."""

    account_id: str
    user: User | None = None  # the login's user, or the user whose appKeys set signed
    api_key: ApiKey | None = None  # the key that signed; None for a bearer
    login: object = None  # the LoginSession of a bearer; None for an API key

    @property
    def is_admin(self) -> bool:
        """An administrator's login, or a key set of an administrator."""
        return self.user is not None and self.user.is_admin

    def has(self, permission: str) -> bool:
        """Does the API key carry this permission (its `permissions` in the config)?"""
        return self.api_key is not None and permission in self.api_key.permissions

    @property
    def may_write_config(self) -> bool:
        """May change the account configuration: an administrator, or a read/write API key."""
        return self.is_admin or self.has(READ_WRITE)


def keys_of(account: Account):
    """Every API key of the account that can sign: its own, then its enabled users' key sets
    (a set bound through `allowedAppKeys` has no secrets, so it cannot sign)."""
    yield from account.api_keys
    for user in account.users.values():
        if user.deleted or not user.enabled:
            continue
        for keys in user.app_keys:
            if keys.secret and keys.access_token and keys.access_token_secret:
                yield ApiKey(keys.app_key, keys.secret, keys.access_token, keys.access_token_secret,
                             name=user.login_name, user_id=user.id)


def _text(description) -> str:
    """An oauthlib error description as one line of text (some are tuples)."""
    if isinstance(description, tuple):
        try:
            return str(description[0]) % description[1:]
        except TypeError:
            return " ".join(map(str, description))
    return str(description)


class _Validator(RequestValidator):
    """oauthlib's questions, answered from one account's keys and the sandbox's nonce store."""

    enforce_ssl = False  # the sandbox serves http too
    allowed_signature_methods = (SIGNATURE_HMAC_SHA1,)  # the one LivePerson documents
    safe_characters = KEY_CHARS
    client_key_length = access_token_length = (1, MAX_KEY_CHARS)
    # oauthlib measures the timestamp on the wall clock: ApiKeys does, on the sandbox's clocks.
    timestamp_lifetime = float("inf")
    dummy_client = "dummy-app-key"
    dummy_access_token = "dummy-access-token"

    def __init__(self, store: "ApiKeys", account: Account):
        super().__init__()
        self.store, self.account = store, account
        self.keys = list(keys_of(account))
        self.problem: SandboxError | None = None  # why the request was refused, when known

    def key(self, client_key, token) -> ApiKey | None:
        """The account's key with this app key and access token."""
        return next((k for k in self.keys if k.app_key == client_key and k.access_token == token),
                    None)

    def check_nonce(self, nonce) -> bool:
        # Clients make nonces their own way (LivePerson's example is a UUID): any visible ASCII.
        return 0 < len(nonce) <= MAX_NONCE_CHARS and nonce.isascii() and nonce.isprintable() \
            and " " not in nonce

    def check_access_token(self, request_token) -> bool:
        ok = super().check_access_token(request_token)
        if not ok:
            self.problem = BadRequest("oauth_token must be 1 to 128 letters, digits, '-' or '_'", 1)
        return ok

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                     request_token=None, access_token=None) -> bool:
        self.problem = self.store.replay_problem(client_key, access_token, timestamp, nonce)
        return self.problem is None

    def validate_client_key(self, client_key, request) -> bool:
        return any(k.app_key == client_key for k in self.keys)

    def validate_access_token(self, client_key, token, request) -> bool:
        return self.key(client_key, token) is not None

    def validate_realms(self, client_key, token, request, uri=None, realms=None) -> bool:
        return True  # LivePerson's keys have no realms

    def get_client_secret(self, client_key, request) -> str:
        key = self.key(client_key, request.resource_owner_key) or next(
            (k for k in self.keys if k.app_key == client_key), None)
        return key.secret if key else "dummy-secret"

    def get_access_token_secret(self, client_key, token, request) -> str:
        key = self.key(client_key, token)
        return key.access_token_secret if key else "dummy-secret"


class _Endpoint(ResourceEndpoint):
    """oauthlib's resource endpoint, keeping the reason of a malformed request for the answer."""

    def _check_mandatory_parameters(self, request):
        try:
            super()._check_mandatory_parameters(request)
        except oauth_errors.OAuth1Error as exc:
            self.request_validator.problem = BadRequest(f"OAuth: {_text(exc.description)}", 1)
            raise

    def _create_request(self, *args):
        try:
            return super()._create_request(*args)
        except oauth_errors.OAuth1Error as exc:
            self.request_validator.problem = BadRequest(f"OAuth: {_text(exc.description)}", 1)
            raise


class ApiKeys:
    """Checks OAuth1-signed requests against an account's keys; remembers the nonces it took.

    The timestamp must be within TIMESTAMP_WINDOW of the sandbox clock (which tests move) or of
    the wall clock (which the client's signing library reads, whatever the sandbox clock says)."""

    def __init__(self, clock: Clock, window: float = TIMESTAMP_WINDOW):
        self.clock, self.window = clock, window
        self._seen: dict[tuple, int] = {}  # (app key, token, timestamp, nonce) -> timestamp
        self._sweep_at = 1024

    def verify(self, account: Account, method: str, uri: str, headers: dict,
               body: str = "") -> Principal:
        """The principal of a signed request, or the error to answer (400 malformed, 401)."""
        validator = _Validator(self, account)
        try:
            ok, request = _Endpoint(validator).validate_protected_resource_request(
                uri, http_method=method, body=body, headers=headers)
        except (ValueError, TypeError, UnicodeError):  # oauthlib's parsing of a hostile header or URL
            raise BadRequest("The OAuth Authorization header or the URL could not be read", 1) from None
        if not ok:
            raise self._refusal(validator, request, account)
        self._remember(request)
        key = validator.key(request.client_key, request.resource_owner_key)
        return Principal(account.id, user=account.users.get(key.user_id) if key.user_id else None,
                         api_key=key)

    @staticmethod
    def _refusal(validator: _Validator, request, account: Account) -> SandboxError:
        if validator.problem is not None:
            return validator.problem
        if request is None or not request.resource_owner_key:
            return BadRequest("OAuth: oauth_consumer_key, oauth_token, oauth_signature_method "
                              "(HMAC-SHA1), oauth_timestamp, oauth_nonce and oauth_signature are "
                              "required", 1)
        found = request.validator_log
        if not found.get("client") or not found.get("resource_owner"):
            return Unauthorized(f"The app key and access token are not an API key of account "
                                f"{account.id} (oauth_problem=consumer_key_unknown)", BAD_KEY)
        return Unauthorized("The OAuth signature is invalid (oauth_problem=signature_invalid): "
                            "sign the method and the URL as sent, with the key's secrets", BAD_KEY)

    def replay_problem(self, client_key, token, timestamp, nonce) -> SandboxError | None:
        """Why a request with this timestamp and nonce must be refused, or None."""
        ts = int(timestamp)  # oauthlib checked: ten digits
        now, wall = self.clock.now(), time.time()
        if abs(ts - now) > self.window and abs(ts - wall) > self.window:
            return Unauthorized(f"oauth_timestamp {ts} is more than {self.window:g} s from the "
                                f"sandbox clock ({int(now)}) and from the wall clock ({int(wall)}) "
                                f"(oauth_problem=timestamp_refused)", REPLAY)
        if (client_key, token, ts, nonce) in self._seen:
            return Unauthorized("This oauth_nonce was used before with this key and timestamp "
                                "(oauth_problem=nonce_used)", REPLAY)
        return None

    def _remember(self, request) -> None:
        """Keep the nonce while its timestamp is in the window; forget the rest now and then."""
        ts = int(request.timestamp)
        self._seen[(request.client_key, request.resource_owner_key, ts, request.nonce)] = ts
        if len(self._seen) < self._sweep_at:
            return
        now, wall = self.clock.now(), time.time()
        self._seen = {entry: t for entry, t in self._seen.items()
                      if abs(t - now) <= self.window or abs(t - wall) <= self.window}
        if len(self._seen) > MAX_NONCES:  # only a flood gets here: the oldest go first
            self._seen = dict(list(self._seen.items())[-MAX_NONCES:])
        self._sweep_at = max(1024, 2 * len(self._seen))
