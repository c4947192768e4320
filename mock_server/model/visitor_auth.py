"""Visitor Authentication (authenticated chat): an ssoKey for a participantId and conversationId.

The account's authentication server (`authentication` in the config: connectorId, issuer,
jwtPublicKey) works in the implicit flow: the ssoKey is the brand's JWT, signed RS256 with the
key whose public half is configured, with the mandatory claims `iss` (the configured issuer),
`iat` and `exp`, and `sub` (the consumer id, which the identity comes from). Standard claims
(`given_name`, `family_name`, `email`, `phone_number`, `preferred_username`, `gender`) and
`lp_sdes` are kept and shown to the agent. The pair it gives is good for one chat request,
until the token's `exp`.
"""
import base64
from dataclasses import dataclass, field
from functools import lru_cache

import jwt
from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

from .accounts import Account, Engagement
from .clock import Clock
from .errors import BadRequest, Unauthorized
from .ids import IdGenerator
from .numbers import is_int_text
from .text import text

STANDARD_CLAIMS = ("sub", "given_name", "family_name", "email", "gender", "preferred_username",
                   "phone_number")
MAX_SSO_KEY = 16_384
LEEWAY = 60  # seconds of clock skew allowed on iat and nbf
# internalCode values of Visitor Authentication
NOT_CONFIGURED, BAD_CONNECTOR, BAD_SSO_KEY, BAD_FIELD, NEEDS_AUTH, BAD_PAIR = 100, 101, 102, 103, 24, 25


@lru_cache(maxsize=32)
def public_key_of(value: str):
    """The RSA public key of a PEM text, or of bare base64 X.509 (as LivePerson's form takes it);
    ValueError when it is neither."""
    value = value.strip()
    if value.startswith("-----BEGIN"):
        return load_pem_public_key(value.encode())
    try:
        return load_der_public_key(base64.b64decode("".join(value.split()), validate=True))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a PEM or base64 X.509 public key: {exc}") from None


@dataclass
class AuthenticatedVisitor:
    """A consumer the brand's token vouched for, until a chat request uses the pair."""

    account_id: str
    participant_id: str
    conversation_id: str
    issuer: str
    subject: str
    claims: dict
    expires: float
    engagement_id: str | None = None
    letag: dict = field(default_factory=dict)
    chat_id: str | None = None  # the chat that used the pair

    def persona(self) -> dict:
        """Persona fields the token gives (name, email, phone)."""
        c = self.claims
        name = " ".join(p for p in (c.get("given_name"), c.get("family_name")) if p) \
            or c.get("preferred_username")
        out = {"name": name, "email": c.get("email"), "phone": c.get("phone_number")}
        return {k: v.strip() for k, v in out.items()
                if isinstance(v, str) and v.strip() and len(v) <= 255 and v.isprintable()}

    def as_dict(self) -> dict:
        """What the agent sees of the authentication (the visit's `authentication`)."""
        return {"customerId": self.subject, "issuer": self.issuer,
                "claims": {k: v for k, v in self.claims.items()
                           if k in STANDARD_CLAIMS or k == "lp_sdes"}}


class VisitorAuthentication:
    """The pairs handed out by conversation.json, by participantId."""

    def __init__(self, clock: Clock, ids: IdGenerator):
        self.clock, self.ids = clock, ids
        self.by_participant: dict[tuple[str, str], AuthenticatedVisitor] = {}

    def authenticate(self, account: Account, body: dict) -> AuthenticatedVisitor:
        """Check a Visitor Authentication request and its ssoKey; a new participant/conversation."""
        connector = account.authentication
        if connector is None:
            raise BadRequest(f"Authenticated chat is not configured for account {account.id}",
                             NOT_CONFIGURED)
        conn = body.get("authChatConnId")
        conn = str(conn) if isinstance(conn, int) and not isinstance(conn, bool) else conn
        if not isinstance(conn, str) or not is_int_text(conn) or conn != connector.connector_id:
            raise BadRequest("authChatConnId must be the connectorId of the account's "
                             "authenticated engagements", BAD_CONNECTOR)
        engagement = None
        if body.get("engagementId") not in (None, ""):
            engagement = account.engagement(body["engagementId"])
        letag = {}
        for name in ("LETagVisitorId", "LETagSessionId", "LETagContextId", "redirectUri"):
            if body.get(name) not in (None, ""):
                letag[name] = text(body[name], name, 2048, BAD_FIELD)
        claims = self._verify(connector, body.get("ssoKey"))
        ids = self.ids
        visitor = AuthenticatedVisitor(
            account_id=account.id, participant_id=_uuid(ids.hex(16)),
            conversation_id=_uuid(ids.hex(16)), issuer=claims["iss"], subject=claims["sub"],
            claims=claims, expires=float(claims["exp"]),
            engagement_id=engagement.id if engagement else None, letag=letag)
        self.by_participant[(account.id, visitor.participant_id)] = visitor
        return visitor

    def _verify(self, connector, sso_key) -> dict:
        if not isinstance(sso_key, str) or not sso_key.strip() or len(sso_key) > MAX_SSO_KEY:
            raise BadRequest(f"ssoKey must be a token of at most {MAX_SSO_KEY} characters",
                             BAD_SSO_KEY)
        parts = sso_key.strip().split(".")
        if len(parts) == 5:
            raise Unauthorized("ssoKey is an encrypted JWT (JWE): the sandbox takes signed "
                               "JWTs only (RS256)", BAD_SSO_KEY)
        if len(parts) != 3:
            raise Unauthorized("ssoKey is not a JWT: the sandbox's authentication server takes "
                               "the implicit flow's id_token (code flow is not served)", BAD_SSO_KEY)
        try:
            claims = jwt.decode(sso_key.strip(), public_key_of(connector.public_key),
                                algorithms=["RS256"], issuer=connector.issuer,
                                options={"require": ["iss", "iat", "exp", "sub"],
                                         "verify_exp": False, "verify_iat": False,
                                         "verify_nbf": False, "verify_aud": False})
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"ssoKey is not valid: {exc}", BAD_SSO_KEY) from None
        now = self.clock.now()
        for name in ("exp", "iat"):
            if not isinstance(claims[name], (int, float)) or isinstance(claims[name], bool):
                raise Unauthorized(f"ssoKey is not valid: '{name}' must be a number", BAD_SSO_KEY)
        if claims["exp"] <= now:
            raise Unauthorized("ssoKey is not valid: it has expired (exp)", BAD_SSO_KEY)
        if claims["iat"] > now + LEEWAY:
            raise Unauthorized("ssoKey is not valid: it is issued in the future (iat)", BAD_SSO_KEY)
        nbf = claims.get("nbf")
        if isinstance(nbf, (int, float)) and not isinstance(nbf, bool) and nbf > now + LEEWAY:
            raise Unauthorized("ssoKey is not valid: not yet valid (nbf)", BAD_SSO_KEY)
        if not isinstance(claims["sub"], str) or not claims["sub"].strip() or len(claims["sub"]) > 255:
            raise Unauthorized("ssoKey is not valid: 'sub' must be the consumer id", BAD_SSO_KEY)
        return claims

    def for_request(self, account: Account, req: dict, engagement: Engagement | None):
        """The authenticated visitor a chat request names (participantId + conversationId), None
        for an unauthenticated request; 400 when the pair is wrong or the engagement needs one."""
        pid, cid = req.get("participantId"), req.get("conversationId")
        if pid in (None, "") and cid in (None, ""):
            if engagement is not None and engagement.authenticated:
                raise BadRequest(f"Engagement {engagement.id} is for authenticated visitors: the "
                                 "request needs participantId and conversationId", NEEDS_AUTH)
            return None
        visitor = self.by_participant.get((account.id, pid)) if isinstance(pid, str) else None
        if (visitor is None or visitor.conversation_id != cid or visitor.chat_id is not None
                or visitor.expires <= self.clock.now()):
            raise BadRequest("participantId and conversationId are not a valid pair (unknown, "
                             "already used or expired)", BAD_PAIR)
        return visitor


def _uuid(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"
