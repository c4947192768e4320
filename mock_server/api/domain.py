"""Domain API (CSDS): every service of an account resolves to the host:port that serves it: this
server, or, when the sandbox runs as shards (mock_server/shards.py), the shard owning the account."""
from flask import Blueprint, current_app, request

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


def service_host(account_id: str | None = None) -> str:
    """The host every service of the account resolves to: the one the request reached, or the
    shard owning the account (under the control plane's `domain_host` fault, the host it names)."""
    faulted = request.environ.get("sandbox.domain_host")
    if faulted:
        return faulted
    shards = current_app.extensions.get("sandbox.shards")
    if shards is not None and account_id is not None:
        owner = shards.owner(account_id)
        if owner is not None and owner.index != shards.me:
            return owner.authority(request.host)
    return request.host


def check_account(account_id: str) -> None:
    """NotFound unless the sandbox has the account: this server's, or any shard's."""
    shards = current_app.extensions.get("sandbox.shards")
    if shards is None:
        sandbox().account(account_id)
    elif shards.owner(account_id) is None:
        raise NotFound(f"Account {account_id} was not found", 5)  # as Sandbox.account words it


def base_uris(account_id: str) -> list[dict]:
    """One `{service, account, baseURI}` item per service: all on the host serving the account."""
    host = service_host(account_id)
    return [{"service": s, "account": account_id, "baseURI": host} for s in SERVICES]


@bp.get("/api/account/<account_id>/service/<service>/baseURI")
@bp.get("/csdr/account/<account_id>/service/<service>/baseURI")
@locked
def one_service(account_id, service):
    """The host of one service for an account."""
    check_account(account_id)
    if service not in SERVICES:
        # Service names are case-sensitive: agentvep is not agentVep.
        raise NotFound(f"Service {service} was not found for account {account_id}", 5)
    return respond({"service": service, "account": account_id, "baseURI": service_host(account_id)})


@bp.get("/api/account/<account_id>/service/baseURI")
@bp.get("/csdr/account/<account_id>/service/baseURI")
@locked
def all_services(account_id):
    """The hosts of every service for an account."""
    check_account(account_id)
    return respond({"baseURIs": base_uris(account_id)})
