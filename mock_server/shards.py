"""The shard map: which process (host:port) owns which account, as LivePerson places each account
on one pod and CSDS names it.

Each shard owns the accounts a static map names for it (the config's `shards:` list) and, of
the others, those whose stable hash falls on it: `sha1(account id) mod N`. Any stable hash would
do (never Python's `hash()`, which changes from run to run); on SHA-1 the demo's two accounts
land on different shards at N = 2, so a 2-shard demo shows both sides. Plain data, no Flask.
"""
import hashlib
import json
from dataclasses import dataclass, field

from .model.seed import ConfigError

MAX_SHARDS = 64  # one process each: far more than one machine runs


@dataclass(frozen=True)
class Shard:
    """One process: where it listens and the accounts a static map gave it."""

    index: int
    port: int
    host: str | None = None  # None: the host the client used, with this port (one machine)
    accounts: tuple[str, ...] = ()

    def authority(self, request_host: str) -> str:
        """`host:port` of this shard as a client should call it: the map's host, or the host
        name the client reached the answering shard on (`localhost`, `127.0.0.1`, `[::1]`)."""
        return f"{self.host or hostname_of(request_host)}:{self.port}"

    def to_json(self) -> dict:
        return {"host": self.host, "port": self.port, "accounts": list(self.accounts)}


@dataclass
class ShardMap:
    """Every shard, this process's index among them, and every account of the sandbox."""

    shards: tuple[Shard, ...]
    me: int
    accounts: list[str] = field(default_factory=list)  # of the whole config, in its order
    known: frozenset[str] = frozenset()  # the same, to look up

    @property
    def shard(self) -> Shard:
        """This process's shard."""
        return self.shards[self.me]

    def owner_index(self, account_id: str) -> int:
        """The index of the shard that owns the account (named in the map, else by hash)."""
        for shard in self.shards:
            if account_id in shard.accounts:
                return shard.index
        return hash_index(account_id, len(self.shards))

    def owner(self, account_id: str) -> Shard | None:
        """The shard owning a configured account; None for an account no shard has."""
        if account_id not in self.known:
            return None
        return self.shards[self.owner_index(account_id)]

    def owns(self, account_id: str) -> bool:
        """Does this process serve the account?"""
        return self.owner_index(account_id) == self.me

    def learn(self, config: dict) -> None:
        """Know every account of `config`: the Domain API answers for all of them."""
        self.accounts = [str(a.get("id")) for a in config.get("accounts", []) if isinstance(a, dict)]
        self.known = frozenset(self.accounts)

    def owned_config(self, config: dict) -> dict:
        """The part of `config` this shard serves: the same config with only its own accounts."""
        mine = [a for a in config["accounts"] if isinstance(a, dict) and self.owns(str(a.get("id")))]
        return {**config, "accounts": mine}

    def by_shard(self) -> dict[int, list[str]]:
        """Shard index -> the accounts it owns, in the config's order."""
        out: dict[int, list[str]] = {s.index: [] for s in self.shards}
        for account in self.accounts:
            out[self.owner_index(account)].append(account)
        return out

    def channel(self) -> str:
        """A Redis channel prefix of this shard map only: two sandboxes sharing one Redis
        never hear each other's control requests."""
        text = json.dumps([s.to_json() for s in self.shards], sort_keys=True)
        return "cc-sandbox:" + hashlib.sha1(text.encode()).hexdigest()[:12]

    def to_json(self) -> str:
        """The map as the launcher hands it to each shard (--shard-map)."""
        return json.dumps({"shards": [s.to_json() for s in self.shards]}, separators=(",", ":"))


def hash_index(account_id: str, count: int) -> int:
    """`sha1(account id) mod count`: the same on every machine and every run."""
    return int.from_bytes(hashlib.sha1(account_id.encode()).digest(), "big") % count


def hostname_of(host: str) -> str:
    """The host name of a `Host` header without its port (`[::1]:8080` -> `[::1]`)."""
    if host.startswith("["):
        return host[:host.find("]") + 1] or host
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host


def parse_shards(raw) -> tuple[Shard, ...]:
    """The config's `shards:` list (`{host, port, accounts}` each), checked; ConfigError says
    what is wrong and where."""
    if not isinstance(raw, list) or not raw:
        raise ConfigError("'shards' must be a non-empty list of {host, port, accounts}")
    if len(raw) > MAX_SHARDS:
        raise ConfigError(f"'shards' may list at most {MAX_SHARDS} shards")
    shards, seen_accounts, seen_places = [], {}, set()
    for i, item in enumerate(raw):
        where = f"shards[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} must be a mapping with host, port and accounts")
        unknown = sorted(set(item) - {"host", "port", "accounts"})
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
        port = item.get("port")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigError(f"{where}.port must be a port number (1-65535)")
        host = item.get("host")
        if host is not None and (not isinstance(host, str) or not host.strip() or "/" in host
                                 or any(c.isspace() for c in host)):
            raise ConfigError(f"{where}.host must be a host name or address, without scheme or port")
        accounts = item.get("accounts") or []
        if not isinstance(accounts, list):
            raise ConfigError(f"{where}.accounts must be a list of account ids")
        accounts = tuple(str(a) for a in accounts)
        for account in accounts:
            if account in seen_accounts:
                raise ConfigError(f"{where}: account {account} is already on shards[{seen_accounts[account]}]")
            seen_accounts[account] = i
        place = (host, port)
        if place in seen_places:
            raise ConfigError(f"{where}: {host or '(any host)'}:{port} is listed twice")
        seen_places.add(place)
        shards.append(Shard(i, port, host, accounts))
    return tuple(shards)


def local_shards(ports: list[int]) -> tuple[Shard, ...]:
    """Shards on this machine, one per port, accounts by hash."""
    return tuple(Shard(i, port) for i, port in enumerate(ports))


def from_json(text: str, me: int) -> ShardMap:
    """The map the launcher passed (--shard-map), for shard `me`."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"--shard-map is not JSON: {exc}") from None
    shards = parse_shards(data.get("shards") if isinstance(data, dict) else None)
    return _checked(ShardMap(shards, me))


def from_config(config: dict, me: int) -> ShardMap:
    """The config's static map (`shards:`), for shard `me`."""
    if "shards" not in config:
        raise ConfigError("--shard needs a shard map: a top-level 'shards:' list in the config "
                          "(or start every shard at once with --shards N)")
    return _checked(ShardMap(parse_shards(config["shards"]), me))


def _checked(shard_map: ShardMap) -> ShardMap:
    if not 0 <= shard_map.me < len(shard_map.shards):
        raise ConfigError(f"--shard {shard_map.me}: the map has shards 0 to {len(shard_map.shards) - 1}")
    return shard_map


def for_process(args, config: dict) -> tuple[ShardMap, dict]:
    """`--shard I` (with the launcher's `--shard-map`, or the config's `shards:`): this
    process's map, and the config cut down to the accounts it owns."""
    shard_map = from_json(args.shard_map, args.shard) if args.shard_map else from_config(config, args.shard)
    if len(shard_map.shards) > 1 and not args.redis:
        raise ConfigError("--shard needs --redis URL: the shards reset and move their clocks "
                          "together over it")
    shard_map.learn(config)
    return shard_map, shard_map.owned_config(config)
