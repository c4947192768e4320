"""Domain API (CSDS): every service of every account resolves to this server's host:port."""
from flask import Blueprint, request

from ..model.errors import NotFound
from .common import locked, respond, sandbox

bp = Blueprint("domain", __name__)

# Every service name LivePerson's docs and SDKs use (spec/login-domain-api.md §1.4).
SERVICES = (
    "agentVep", "conversationVep", "smt", "engHistDomain", "msgHist", "leDataReporting",
    "agentManagerWorkspace", "accountConfigReadOnly", "accountConfigReadWrite", "acCdnDomain",
    "asyncMessagingEnt", "asyncMessaging", "idp", "sentinel", "msgEwtAPI", "msdkgw", "pusher",
    "rtbf", "auditLog", "auditlog", "swift", "liveEngageUI", "visitorFeed", "etool", "adminArea",
    "agentActivityDomain",
)


def service_host() -> str:
    """The host every service resolves to: the one the request reached (or, under the control
    plane's `domain_host` fault, the host it names)."""
    return request.environ.get("sandbox.domain_host") or request.host


def base_uris(account_id: str) -> list[dict]:
    """One `{service, account, baseURI}` item per service: all on the host the request reached."""
    host = service_host()
    return [{"service": s, "account": account_id, "baseURI": host} for s in SERVICES]


@bp.get("/api/account/<account_id>/service/<service>/baseURI")
@bp.get("/csdr/account/<account_id>/service/<service>/baseURI")
@locked
def one_service(account_id, service):
    """The host of one service for an account."""
    sandbox().account(account_id)
    if service not in SERVICES:
        # Service names are case-sensitive: agentvep is not agentVep.
        raise NotFound(f"Service {service} was not found for account {account_id}", 5)
    return respond({"service": service, "account": account_id, "baseURI": service_host()})


@bp.get("/api/account/<account_id>/service/baseURI")
@bp.get("/csdr/account/<account_id>/service/baseURI")
@locked
def all_services(account_id):
    """The hosts of every service for an account."""
    sandbox().account(account_id)
    return respond({"baseURIs": base_uris(account_id)})
