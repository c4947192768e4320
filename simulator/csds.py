"""Domain API (CSDS): find the host of a LivePerson service for an account."""
from .transport import LivePersonError, Transport, normalise_base, service_url


class DomainLookup:
    """Resolves service names (agentVep, conversationVep, ...) to base URLs, with a small cache."""

    def __init__(self, csds_url: str, account: str, transport: Transport):
        self.csds_url = normalise_base(csds_url)
        self.account = account
        self.transport = transport
        self._hosts: dict[str, str] = {}
        self._sources: dict[str, str] = {}  # service -> where its host came from (for errors)

    def host(self, service: str) -> str:
        """The bare `host[:port]` CSDS gives for `service` (case-sensitive name)."""
        if service not in self._hosts:
            url = (f"{self.csds_url}/csdr/account/{self.account}/service/{service}"
                   f"/baseURI.json?version=1.0")
            base = self.transport.get_json(url).get("baseURI")
            if not base:
                # node-agent-sdk treats a missing baseURI as "could not fetch domains" too.
                raise LivePersonError(f"CSDS gave no baseURI for {service} of account {self.account}")
            self._hosts[service] = base
            self._sources[service] = f"the Domain API at {self.csds_url}"
        return self._hosts[service]

    def all_services(self) -> dict[str, str]:
        """Every service of the account in one call: `{service name: host}` (and cached)."""
        url = f"{self.csds_url}/csdr/account/{self.account}/service/baseURI.json?version=1.0"
        self.learn(self.transport.get_json(url).get("baseURIs") or [],
                   f"the Domain API at {self.csds_url}")
        return dict(self._hosts)

    def url(self, service: str) -> str:
        """`scheme://host[:port]` of `service`, on the scheme of the CSDS URL."""
        return service_url(self.csds_url, self.host(service))

    def learn(self, base_uris: list[dict], source: str = "the login's csdsCollectionResponse") -> None:
        """Take the services a login returned (csdsCollectionResponse) so no lookup is needed."""
        for item in base_uris or []:
            if item.get("service") and item.get("baseURI"):
                self._hosts[item["service"]] = item["baseURI"]
                self._sources[item["service"]] = source

    def source(self, service: str) -> str:
        """Where the cached host of `service` came from (the Domain API or a login)."""
        return self._sources.get(service, "nothing yet")

    def forget(self, service: str) -> None:
        """Drop the cached host of `service`: the next lookup asks the Domain API again."""
        self._hosts.pop(service, None)
        self._sources.pop(service, None)
