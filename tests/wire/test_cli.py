"""The real CLI: gevent server, --tls with a generated certificate, --seed, --config errors."""
import json
import os
import socket
import subprocess
import sys

import pytest
import requests

from tests.support.constants import ACCOUNT, DEMO_BOT
from tests.support.paths import ROOT
from tests.support.server import start, stop


@pytest.fixture
def stop_all():
    """Servers a test started, stopped at its end."""
    procs = []
    yield procs
    for proc in procs:
        stop(proc)


def test_tls_server_answers_real_clients(tmp_path, stop_all):
    proc, url, _ = start(["--tls", "--tls-dir", str(tmp_path / "tls")], tmp_path)
    stop_all.append(proc)
    banner = []
    while True:  # the rest of the banner names the CA
        line = proc.stdout.readline()
        banner.append(line)
        if "TLS:" in line or not line:
            break
    ca = tmp_path / "tls" / "ca.pem"
    assert url.startswith("https://localhost:")
    assert str(ca) in "".join(banner)
    host = url.split("://", 1)[1]
    r = requests.get(f"{url}/csdr/account/{ACCOUNT}/service/agentVep/baseURI.json?version=1.0", verify=str(ca))
    assert r.json() == {"service": "agentVep", "account": ACCOUNT, "baseURI": host}
    r = requests.post(f"https://{host}/api/account/{ACCOUNT}/login?v=1.2", verify=str(ca),
                      json=DEMO_BOT.credentials)
    assert r.status_code == 200
    bearer = r.json()["bearer"]
    r = requests.post(f"https://{host}/api/account/{ACCOUNT}/agentSession.json?v=1&NC=true", verify=str(ca),
                      json={"loginData": ""}, headers={"Authorization": f"Bearer {bearer}"})
    assert r.json()["agentSessionLocation"]["link"]["@href"].startswith(f"https://{host}/api/account/")


def test_seed_makes_runs_repeat(tmp_path, stop_all):
    bearers = []
    for _ in range(2):
        proc, url, _ = start(["--seed", "7"], tmp_path)
        stop_all.append(proc)
        r = requests.post(f"{url}/api/account/{ACCOUNT}/login?v=1.3",
                          json=DEMO_BOT.credentials)
        bearers.append(r.json()["bearer"])
    assert bearers[0] == bearers[1]


def test_bad_config_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts: 5\n")
    result = subprocess.run([sys.executable, "-m", "mock_server", "--config", str(bad)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=30, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert "accounts" in result.stderr and "Traceback" not in result.stderr


def test_json_config_loads(tmp_path, stop_all):
    cfg = tmp_path / "one.json"
    cfg.write_text('{"accounts": [{"id": "le42", "skills": [{"name": "bots"}], "users": ['
                   '{"loginName": "b", "password": "p", "userType": "bot", "skills": ["bots"]}]}]}')
    proc, url, _ = start(["--config", str(cfg)], tmp_path)
    stop_all.append(proc)
    r = requests.post(f"{url}/api/account/le42/login?v=1.3", json={"username": "b", "password": "p"})
    assert r.status_code == 200
    assert requests.get(f"{url}/csdr/account/{ACCOUNT}/service/agentVep/baseURI.json").status_code == 404


def _raw(port: int, data: bytes) -> tuple[int, dict]:
    """Send raw bytes to the server and read its whole answer: (status, parsed JSON body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    assert b"content-type: application/json" in head.lower(), head
    return status, json.loads(body)


def test_malformed_requests_get_the_envelope_on_the_cli_server(tmp_path, stop_all):
    proc, url, _ = start([], tmp_path)
    stop_all.append(proc)
    port = int(url.rsplit(":", 1)[1])
    cases = [
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "REQUEST_URI_TOO_LONG"),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", 431,
         "REQUEST_HEADER_FIELDS_TOO_LARGE"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(150)) + b"\r\n", 431,
         "REQUEST_HEADER_FIELDS_TOO_LARGE"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"a" * 4000) for i in range(10))
         + b"\r\n", 431, "REQUEST_HEADER_FIELDS_TOO_LARGE"),
        (b"POST /api/account/%s/login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n" % ACCOUNT.encode(), 400,
         "BAD_REQUEST"),
        (b"GARBAGE\r\n\r\n", 400, "BAD_REQUEST"),
    ]
    for data, status, name in cases:
        got, body = _raw(port, data)
        assert (got, body["error"]["responseStatus"]) == (status, name), data[:60]
        assert set(body["error"]) == {"time", "message", "internalCode", "responseStatus"}
    # a 2 MB body over the wire: 413 in the envelope, and the server carries on
    r = requests.post(f"{url}/api/account/{ACCOUNT}/login", data=b"{" + b" " * 2_000_000 + b"}",
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["responseStatus"] == "REQUEST_ENTITY_TOO_LARGE"
    assert requests.get(f"{url}/_sandbox/health").json() == {"status": "ok"}
    output = stop(proc)
    assert "Traceback" not in output
