"""The shard map (mock_server/shards.py): ownership by static map and by hash, the config's
`shards:` checks, and what the launcher passes on to each shard."""
import pytest

from mock_server.model.seed import ConfigError
from mock_server.shard_launcher import _passed_on, shard_command
from mock_server.shards import (Shard, ShardMap, from_json, hash_index, hostname_of, local_shards,
                                parse_shards)


def test_the_hash_is_stable_and_spreads():
    assert [hash_index(a, 2) for a in ("12345678", "87654321", "70000001", "70000004")] == [1, 0, 0, 1]
    assert {hash_index(str(n), 4) for n in range(100)} == {0, 1, 2, 3}


def test_a_static_map_wins_over_the_hash_and_the_rest_hash():
    shards = parse_shards([{"host": "a.example", "port": 8443, "accounts": ["12345678"]},
                           {"host": "b.example", "port": 8443}])
    m = ShardMap(shards, 1)
    whole = {"accounts": [{"id": "12345678"}, {"id": "87654321"}, {"id": "70000004"}]}
    assert m.owner("12345678") is None  # an account is known once a config names it
    m.learn(whole)
    config = m.owned_config(whole)
    assert m.owner("12345678").host == "a.example"  # its hash says 1; the map says 0
    assert m.owner_index("70000004") == 1 and m.owner("99") is None
    assert [a["id"] for a in config["accounts"]] == ["70000004"]  # what shard 1 builds
    assert m.by_shard() == {0: ["12345678", "87654321"], 1: ["70000004"]}
    assert m.shards[0].authority("localhost:9") == "a.example:8443"


def test_a_local_shard_is_named_on_the_host_the_client_used():
    shard = local_shards([8081])[0]
    assert shard.authority("127.0.0.1:8080") == "127.0.0.1:8081"
    assert shard.authority("[::1]:8080") == "[::1]:8081"
    assert shard.authority("localhost") == "localhost:8081"
    assert hostname_of("example.com:443") == "example.com"


@pytest.mark.parametrize("raw, message", [
    ([], "non-empty list"),
    ([{"port": 0}], "port number"),
    ([{"port": 1, "host": "http://x"}], "without scheme"),
    ([{"port": 1, "accounts": ["1"]}, {"port": 2, "accounts": ["1"]}], "already on shards[0]"),
    ([{"port": 1}, {"port": 1}], "listed twice"),
    ([{"port": 1, "zone": "va"}], "unknown key"),
])
def test_a_bad_shards_section_says_where(raw, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_shards(raw)


def test_two_maps_have_their_own_redis_channels():
    one, two = ShardMap((Shard(0, 1), Shard(1, 2)), 0), ShardMap((Shard(0, 3), Shard(1, 4)), 0)
    assert one.channel() != two.channel() and one.channel() == ShardMap(one.shards, 1).channel()


def test_the_launcher_sets_port_data_dir_and_redis_per_shard():
    argv = ["--shards", "2", "--port=0", "--tls", "--data-dir", "d", "--redis", "redis://x", "--seed", "7"]
    common = _passed_on(argv)
    assert common == ["--tls", "--seed", "7"]
    shard_map = ShardMap(local_shards([9000, 9001]), 0)
    cmd = shard_command(common, 1, shard_map, "redis://r:1/0", "d")
    assert cmd[1:] == ["-m", "mock_server", "--tls", "--seed", "7", "--port", "9001", "--shard", "1",
                       "--shard-map", shard_map.to_json(), "--redis", "redis://r:1/0",
                       "--data-dir", "d/shard-1"]
    assert from_json(shard_map.to_json(), 1).shard == Shard(1, 9001)  # what the shard reads back
    assert "--data-dir" not in shard_command(common, 0, shard_map, "redis://r:1/0", None)
