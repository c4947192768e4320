"""Security headers over the wire: every HTML response (the home page, the consumer page, the
workspace, their files under /static, and any later page such as /docs) carries the same
Content-Security-Policy, `nosniff` and Referrer-Policy; every response at all carries `nosniff`.
"""
import pytest
import requests

from tests.support.constants import ACCOUNT, BOT_SKILL, DEMO_AGENT, GLOBAL_KEY
from tests.support.paths import STATIC
from tests.support.wire import JSON, bearer_headers, login

# Written out, not imported: loosening the policy must fail this test.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer"}
PAGES = ["/", "/consumer", "/workspace"]


def _html_candidates(live) -> list[str]:
    """The pages, every HTML file of static/, and every GET route without parameters."""
    static_pages = [f"/static/{p.relative_to(STATIC).as_posix()}" for p in STATIC.rglob("*.html")]
    routes = [rule.rule for rule in live.app.url_map.iter_rules()
              if "GET" in rule.methods and not rule.arguments]
    return sorted(set(PAGES) | set(static_pages) | set(routes))


def _assert_page_headers(r: requests.Response, path: str) -> None:
    for name, value in PAGE_HEADERS.items():
        assert r.headers.get(name) == value, (path, name, r.headers.get(name))


def test_every_html_response_carries_the_page_headers(live):
    candidates = _html_candidates(live)
    assert {"/static/consumer.html", "/static/workspace.html"} <= set(candidates)
    html = []
    for path in candidates:
        r = requests.get(f"{live.url}{path}", timeout=10)
        assert r.headers.get("X-Content-Type-Options") == "nosniff", path
        if r.headers.get("Content-Type", "").startswith("text/html"):
            html.append(path)
            assert r.status_code == 200, path
            _assert_page_headers(r, path)
    # the pages and their static files are HTML, and so is any later page (e.g. /docs)
    expected = set(PAGES) | {p for p in candidates if p.startswith("/static/")}
    assert expected <= set(html), expected - set(html)
    # the same on HEAD, on a revalidation (304) and with the `.json` suffix LivePerson clients add
    for path in ("/", "/consumer", "/static/workspace.html"):
        _assert_page_headers(requests.head(f"{live.url}{path}", timeout=10), path)
    first = requests.get(f"{live.url}/static/consumer.html", timeout=10)
    again = requests.get(f"{live.url}/static/consumer.html", timeout=10,
                         headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    _assert_page_headers(again, "/static/consumer.html (304)")
    r = requests.get(f"{live.url}/workspace.json", timeout=10)
    if r.headers.get("Content-Type", "").startswith("text/html"):
        _assert_page_headers(r, "/workspace.json")


@pytest.mark.parametrize("method, path, headers, body", [
    ("GET", "/_sandbox/health", {}, None),
    ("GET", f"/api/account/{ACCOUNT}/service/agentVep/baseURI.json?version=1.0", {}, None),
    ("GET", f"/csdr/account/{ACCOUNT}/service/baseURI.xml?version=1.0", {}, None),
    ("GET", f"/api/account/{ACCOUNT}/service/agentVep/baseURI?version=1.0",
     {"Accept": "application/xml"}, None),
    ("POST", f"/api/account/{ACCOUNT}/login?v=1.3", JSON,
     {"username": DEMO_AGENT.login, "password": "wrong"}),
    ("POST", f"/api/account/{ACCOUNT}/login?v=1.3", JSON, "not json"),
    ("GET", f"/api/account/{ACCOUNT}/agentSession/x", JSON, None),
    ("GET", "/no/such/url", {}, None),
    ("DELETE", "/_sandbox/health", {}, None),
    ("GET", f"/api/account/{ACCOUNT}/chat/availability?v=1&skill={BOT_SKILL}",
     {**JSON, "Authorization": f"LivePerson appKey={GLOBAL_KEY}"}, None),
    ("GET", "/_sandbox/persona?seed=3", {}, None),
    ("GET", "/static/js/common.js", {}, None),
    ("GET", "/static/css/base.css", {}, None),
    ("GET", "/static/img/bot.svg", {}, None),
    ("GET", "/static/no-such-file.js", {}, None),
    ("GET", "/vendor/socket.io.min.js", {}, None),
    ("GET", "/vendor/not-a-library.js", {}, None),
    ("GET", "/socket.io/?EIO=4&transport=polling", {}, None),
    ("GET", "/socket.io/?EIO=4&transport=nope", {}, None),
    ("GET", "/socket.io/?EIO=4&transport=polling", {"Origin": "http://evil.example"}, None),
])
def test_every_response_carries_nosniff(live, method, path, headers, body):
    kwargs = {"json": body} if isinstance(body, dict) else {"data": body}
    r = requests.request(method, f"{live.url}{path}", headers=headers, timeout=10, **kwargs)
    assert r.headers.get("X-Content-Type-Options") == "nosniff", (r.status_code, dict(r.headers))
    if r.headers.get("Content-Type", "").startswith("image/svg+xml"):
        _assert_page_headers(r, path)  # an SVG opened on its own is a document too


def test_answers_of_a_logged_in_agent_carry_nosniff(live):
    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession?v=1&NC=true",
                      json={"loginData": ""}, headers=bearer_headers(bearer), timeout=10)
    assert r.status_code == 200 and r.headers["X-Content-Type-Options"] == "nosniff"
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/live", headers=bearer_headers(bearer),
                     timeout=10)
    assert r.status_code == 200 and r.headers["X-Content-Type-Options"] == "nosniff"
