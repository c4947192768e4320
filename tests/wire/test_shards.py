"""Accounts sharded across processes (python -m mock_server --shards N): each shard's Domain API
names the owner of every account, a shard refuses the others' accounts, the simulator's bot and
customer reach the second shard through the first's CSDS, reset and the clock reach every
shard over Redis, pages send the browser to the owner; the launcher's errors and --tls.

With SHA-1 (mock_server/shards.py) the demo config's accounts fall on both shards at N = 2:
12345678 (the demo) on shard 1, 87654321 (the shop) on shard 0.
"""
import os
import socket
import subprocess
import sys
from types import SimpleNamespace

import pytest
import requests
import yaml

from mock_server.model.seed import DEFAULT_CONFIG
from mock_server.shards import hash_index
from simulator.customer import ScriptedCustomer
from simulator.visitor import VisitorClient

from tests.support.constants import (ACCOUNT, BOT_ENGAGEMENT_ID, BOT_NAME, DEMO_BOT, GLOBAL_KEY,
                                     OTHER_ACCOUNT, UNKNOWN_ACCOUNT)
from tests.support.paths import ROOT
from tests.support.server import stop
from tests.support.shards import needs_redis, start_shards
from tests.support.sim import WatchedReporter, rules_bot
from tests.support.waiting import wait_until

pytestmark = needs_redis
CONSUMER = {"Authorization": f"LivePerson appKey={GLOBAL_KEY}"}


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """Two shards of the demo config on free ports, with a movable clock and their own Redis."""
    running = start_shards(["--seed", "7", "--movable-clock"], tmp_path_factory.mktemp("shards"))
    yield running
    stop(running.proc)


def authority(url: str) -> str:
    return url.split("://", 1)[1]


def chats(url: str) -> list:
    """Every chat the shard at `url` holds."""
    state = requests.get(f"{url}/_sandbox/state?events=false").json()
    return [c for account in state["accounts"] for c in account["chats"]]


def test_the_hash_puts_the_demo_accounts_on_both_shards(shards):
    assert hash_index(ACCOUNT, 2) == 1 and hash_index(OTHER_ACCOUNT, 2) == 0
    assert shards.owned == {0: [OTHER_ACCOUNT], 1: [ACCOUNT]}


def test_every_shard_names_the_owner_of_every_account(shards):
    owner = {ACCOUNT: authority(shards.second), OTHER_ACCOUNT: authority(shards.first)}
    for url in (shards.first, shards.second):
        for account, host in owner.items():
            one = requests.get(f"{url}/api/account/{account}/service/agentVep/baseURI.json?version=1.0")
            assert one.json() == {"service": "agentVep", "account": account, "baseURI": host}
            every = requests.get(f"{url}/csdr/account/{account}/service/baseURI.json?version=1.0").json()
            assert {item["baseURI"] for item in every["baseURIs"]} == {host}
            jsonp = requests.get(f"{url}/api/account/{account}/service/conversationVep/baseURI.lpCsds?cb=cb")
            assert f'"lpServer":"{host}"' in jsonp.text
        unknown = requests.get(f"{url}/api/account/{UNKNOWN_ACCOUNT}/service/agentVep/baseURI.json")
        assert unknown.status_code == 404
        assert unknown.json()["error"]["message"] == f"Account {UNKNOWN_ACCOUNT} was not found"


def test_a_shard_answers_for_an_account_it_does_not_own_as_for_an_unknown_one(shards):
    login = requests.post(f"{shards.first}/api/account/{ACCOUNT}/login?v=1.3", json=DEMO_BOT.credentials)
    unknown = requests.post(f"{shards.first}/api/account/{UNKNOWN_ACCOUNT}/login?v=1.3",
                            json=DEMO_BOT.credentials)
    assert login.status_code == unknown.status_code == 401
    assert login.json()["error"]["internalCode"] == unknown.json()["error"]["internalCode"]
    chat = requests.post(f"{shards.first}/api/account/{ACCOUNT}/chat/request.json?v=1&NC=true",
                         headers=CONSUMER, json={"request": {"skill": "support-bot"}})
    assert chat.status_code == 404
    assert chat.json()["error"] | {"time": None} == {
        "time": None, "message": f"Account {ACCOUNT} was not found", "internalCode": 5,
        "responseStatus": "NOT_FOUND"}
    state = requests.get(f"{shards.first}/_sandbox/state?events=false").json()
    assert [a["id"] for a in state["accounts"]] == [OTHER_ACCOUNT]


def test_the_bot_and_a_customer_reach_the_second_shard_through_the_first(shards):
    """The acceptance chat: the simulator's rules bot and scripted customer get only the first
    shard's URL; every call after the Domain API goes to the second, which owns the account."""
    for url in (shards.first, shards.second):
        requests.delete(f"{url}/_sandbox/journal")
    runner, thread, _ = rules_bot(SimpleNamespace(url=shards.first))
    try:
        customer = ScriptedCustomer(VisitorClient(shards.first, ACCOUNT), report=WatchedReporter("customer"))
        chat = customer.request(engagement_id=BOT_ENGAGEMENT_ID, persona={"name": "Jamie Rivera"})

        def agent_line(pattern):
            customer.poll()
            return next((e for e in customer.events if e.is_agent_line and pattern in e.plain_text), None)

        welcome = wait_until(lambda: agent_line("Hi Jamie!"))
        assert welcome and welcome.by == BOT_NAME
        customer.say("hello")
        assert wait_until(lambda: agent_line("How can I help you today?"))
        assert chat.url.startswith(f"{shards.second}/api/account/{ACCOUNT}/chat/")
    finally:
        runner.stop()
        thread.join(20)
    journal = requests.get(f"{shards.second}/_sandbox/journal?account={ACCOUNT}").json()["entries"]
    apis = {e["api"] for e in journal}
    assert {"login", "chat_agent", "server_chat"} <= apis
    first = requests.get(f"{shards.first}/_sandbox/journal?account={ACCOUNT}").json()["entries"]
    assert first and {e["api"] for e in first} == {"domain"}  # the first shard only named the host


def test_reset_and_the_clock_reach_every_shard(shards):
    r = requests.post(f"{shards.second}/api/account/{ACCOUNT}/chat/request?v=1&NC=true",
                      headers=CONSUMER, json={"request": {"skill": "support-bot"}})
    assert r.status_code == 200, r.text
    assert chats(shards.second)

    reset = requests.post(f"{shards.first}/_sandbox/reset")
    assert reset.status_code == 200, reset.text
    # answered only once shard 1 has replayed it: nothing to wait for
    assert chats(shards.second) == []

    before = [requests.get(f"{url}/_sandbox/clock").json()["now"] for url in (shards.first, shards.second)]
    moved = requests.post(f"{shards.second}/_sandbox/clock/advance", json={"seconds": 3600})
    assert moved.status_code == 200, moved.text
    after = [requests.get(f"{url}/_sandbox/clock").json()["now"] for url in (shards.first, shards.second)]
    assert all(a - b >= 3_600_000 for a, b in zip(after, before))
    assert abs(after[0] - after[1]) < 60_000  # the same hour on both, give or take the calls

    refused = requests.post(f"{shards.first}/_sandbox/clock/advance", json={"seconds": -1})
    assert refused.status_code == 400  # refused here: never published


def test_a_seed_config_is_split_over_the_shards(shards):
    demo = yaml.safe_load(DEFAULT_CONFIG.read_text())
    only_demo = {**demo, "accounts": [a for a in demo["accounts"] if a["id"] == ACCOUNT]}
    try:
        seeded = requests.post(f"{shards.first}/_sandbox/seed", json={"seed": 9, "config": only_demo})
        assert seeded.status_code == 200, seeded.text
        assert seeded.json()["accounts"] == []  # shard 0 owns none of it
        state = requests.get(f"{shards.second}/_sandbox/state?events=false").json()
        assert state["seed"] == 9 and [a["id"] for a in state["accounts"]] == [ACCOUNT]
        for url in (shards.first, shards.second):  # the shop is gone from every Domain API
            gone = requests.get(f"{url}/api/account/{OTHER_ACCOUNT}/service/agentVep/baseURI.json")
            assert gone.status_code == 404
    finally:
        back = requests.post(f"{shards.second}/_sandbox/seed", json={"seed": 7, "config": demo})
        assert back.status_code == 200, back.text
    assert requests.get(f"{shards.first}/_sandbox/state?events=false").json()["accounts"][0]["id"] == OTHER_ACCOUNT


def test_pages_send_the_browser_to_the_owning_shard(shards):
    for page in ("consumer", "workspace", "dashboard"):
        r = requests.get(f"{shards.first}/{page}?account={ACCOUNT}&appKey=x", allow_redirects=False)
        assert r.status_code == 302
        assert r.headers["Location"] == f"{shards.second}/{page}?account={ACCOUNT}&appKey=x"
        assert requests.get(f"{shards.second}/{page}?account={ACCOUNT}", allow_redirects=False).status_code == 200
    assert requests.get(f"{shards.first}/consumer?account={UNKNOWN_ACCOUNT}", allow_redirects=False).status_code == 200
    home = requests.get(f"{shards.first}/").text
    assert f"Account {OTHER_ACCOUNT}" in home and "Accounts on other shards" in home
    assert f'{ACCOUNT}</code>: shard 1, <a href="{shards.second}/"' in home


def test_the_launcher_refuses_what_it_cannot_run(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "mock_server", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)

    one = run("--shards", "1")
    assert one.returncode == 2 and "--shards must be from 2" in one.stderr
    alone = run("--shard", "0")
    assert alone.returncode == 2 and "'shards:'" in alone.stderr
    # a shard that cannot listen dies at start: the launcher says so, stops the other, exits 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        died = run("--shards", "2", "--port", str(port - 1), "--log-level", "WARNING")
    assert died.returncode == 1, died.stderr
    assert f"port {port}" in died.stderr and "exited at start" in died.stderr


def test_a_static_map_over_tls_serves_one_certificate(tmp_path):
    """The config's `shards:` map names where each shard listens and what it owns (here the
    two demo accounts swapped, against their hash); both shards serve the launcher's certificate."""
    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    config = yaml.safe_load(DEFAULT_CONFIG.read_text())
    config["shards"] = [{"port": ports[0], "accounts": [ACCOUNT]}, {"port": ports[1], "accounts": [OTHER_ACCOUNT]}]
    path = tmp_path / "sharded.yaml"
    path.write_text(yaml.safe_dump(config))
    running = start_shards(["--config", str(path), "--tls", "--tls-dir", str(tmp_path / "tls")], tmp_path)
    urls, owned = running.urls, running.owned
    try:
        assert owned == {0: [ACCOUNT], 1: [OTHER_ACCOUNT]}
        assert urls == {0: f"https://localhost:{ports[0]}", 1: f"https://localhost:{ports[1]}"}
        ca = str(tmp_path / "tls" / "ca.pem")
        for url in urls.values():
            r = requests.get(f"{url}/api/account/{OTHER_ACCOUNT}/service/agentVep/baseURI.json", verify=ca)
            assert r.json()["baseURI"] == f"localhost:{ports[1]}"
        login = requests.post(f"{urls[0]}/api/account/{ACCOUNT}/login?v=1.3", json=DEMO_BOT.credentials,
                              verify=ca)
        assert login.status_code == 200
    finally:
        stop(running.proc)


def test_each_shard_keeps_its_own_data_dir_across_a_restart(tmp_path):
    """--shards 2 --data-dir DIR: shard i keeps DIR/shard-<i>; after a restart the demo bot's
    bearer, issued by the shard owning the demo account, still works there."""
    args = ["--seed", "7", "--data-dir", str(tmp_path / "data")]
    running = start_shards(args, tmp_path)
    try:
        owner = running.urls[1]
        bearer = requests.post(f"{owner}/api/account/{ACCOUNT}/login?v=1.3",
                               json={"username": DEMO_BOT.login, "password": DEMO_BOT.password}
                               ).json()["bearer"]
    finally:
        stop(running.proc)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["shard-0", "shard-1"]
    running = start_shards(args, tmp_path)
    try:
        r = requests.post(f"{running.urls[1]}/api/account/{ACCOUNT}/agentSession?v=1&NC=true",
                          json={"loginData": ""}, headers={"Authorization": f"Bearer {bearer}"})
        assert r.status_code == 200 and "agentSessionLocation" in r.json(), r.text
        other = requests.post(f"{running.urls[0]}/api/account/{OTHER_ACCOUNT}/agentSession?v=1",
                              json={"loginData": ""}, headers={"Authorization": f"Bearer {bearer}"})
        assert other.status_code == 401  # the other shard never issued it
    finally:
        stop(running.proc)
