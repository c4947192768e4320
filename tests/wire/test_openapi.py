"""The OpenAPI description: valid OpenAPI 3.1, exactly the routes Flask serves, served at
/openapi.json and browsable at /docs (Swagger UI from node_modules, under the pages' CSP)."""
import re

import requests
from openapi_spec_validator import validate

from mock_server.app import create_app
from mock_server.openapi import description
from mock_server.openapi.control import CONTROL_RESPONSES
from mock_server.openapi.paths import CONTROL, ERROR_RESPONSES, JSON_ONLY_TAGS

from tests.support.paths import SHOTS

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def _normalise(path: str) -> str:
    """`/a/<x>/b` and `/a/{y}/b` -> `/a/{}/b`; a `.json` suffix is the same resource."""
    path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", path)
    path = re.sub(r"\{[^}]+\}", "{}", path)
    return path[: -len(".json")] if path.endswith(".json") else path


def flask_routes() -> set[tuple[str, str]]:
    app = create_app(async_mode="threading")
    return {(_normalise(rule.rule), method.lower())
            for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def described_routes(flask_only: bool = True) -> list[tuple[str, str]]:
    """(path, method) of every operation; `flask_only` leaves out the Socket.IO endpoint,
    which python-engineio serves in front of Flask (marked `x-served-by`)."""
    return [(_normalise(path), method) for path, item in description()["paths"].items()
            if not (flask_only and "x-served-by" in item)
            for method in item if method in HTTP_METHODS]


def test_description_is_valid_openapi_31():
    spec = description()
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on any schema error, unresolvable $ref, duplicate operationId, ...


def test_every_flask_route_is_described_and_nothing_else():
    served, described = flask_routes(), described_routes()
    assert len(described) == len(set(described)), "a route is described twice"
    missing = sorted(served - set(described))
    invented = sorted(set(described) - served)
    assert not missing, f"Flask routes missing from the OpenAPI description: {missing}"
    assert not invented, f"described routes Flask does not serve: {invented}"


def test_operations_document_errors_and_xml():
    """Every error is the shared envelope; every JSON answer also has its XML form. The
    JSON-only APIs whose docs give their own error bodies (Monitoring and App Engagement APIs:
    `{time, message, internalCode}`; Sentinel: RFC 6749) use those shapes' components instead."""
    spec = description()
    operation_ids = set()
    for path, item in spec["paths"].items():
        if "x-served-by" in item:
            continue  # Socket.IO: its own protocol and plain-text errors
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            where = f"{method.upper()} {path}"
            assert operation["operationId"] not in operation_ids, where
            operation_ids.add(operation["operationId"])
            assert "security" in operation, f"{where}: say who may call it"
            json_only = bool(set(operation["tags"]) & set(JSON_ONLY_TAGS))
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    own = {f"#/components/responses/{name}" for name in ERROR_RESPONSES
                           if name.removeprefix("Monitoring").removeprefix("OAuth") == status
                           } if json_only else set()
                    if CONTROL in operation["tags"]:  # the control plane's own answers (wait's 408)
                        own |= {f"#/components/responses/{name}" for name in CONTROL_RESPONSES
                                if name.removeprefix("Control") == status}
                    assert set(response) == {"$ref"}, where
                    assert response["$ref"] in {f"#/components/responses/E{status}", *own}, where
                media = response.get("content", {})
                if "application/json" in media and path != "/openapi.json" and not json_only:
                    assert "application/xml" in media, f"{where} {status}: no XML form"
            if "requestBody" in operation:
                assert {"400", "413"} <= set(operation["responses"]), where
    for name, response in spec["components"]["responses"].items():
        forms = {"application/json"} if name in {**ERROR_RESPONSES, **CONTROL_RESPONSES} else {"application/json",
                                                                      "application/xml"}
        assert set(response["content"]) == forms, name


def test_served_at_openapi_json_and_docs(live):
    r = requests.get(f"{live.url}/openapi.json")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    assert r.json() == description()
    r = requests.get(f"{live.url}/openapi.xml")
    assert r.status_code == 406
    r = requests.get(f"{live.url}/openapi", headers={"Accept": "application/xml"})
    assert r.status_code == 406 and r.headers["Content-Type"].startswith("application/xml")
    r = requests.get(f"{live.url}/docs")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "<script>" not in r.text and "style=" not in r.text  # no inline script or style
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        r = requests.get(f"{live.url}/vendor/{name}")
        assert r.status_code == 200, f"{name}: run npm ci"
    assert requests.get(f"{live.url}/static/docs.js").status_code == 200


def test_socket_io_is_described_and_served(live):
    """The one endpoint outside Flask's url_map: described, and really there."""
    item = description()["paths"]["/socket.io/"]
    assert "x-served-by" in item and {"get", "post"} <= set(item)
    r = requests.get(f"{live.url}/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert r.status_code == 200 and r.text.startswith("0{")


def test_docs_page_renders_in_chromium(live, browser):
    """Swagger UI shows every tag and operation, one half of the description at a time
    (LivePerson's APIs, then the sandbox's routes), with no console error and no CSP violation."""
    from tests.support.browser import expect  # Playwright (the `browser` fixture skips without it)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live.url)
    page = context.new_page()
    problems, requested = [], []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/docs")
    page.evaluate("""() => { window.__csp = [];
        document.addEventListener('securitypolicyviolation',
            e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI)); }""")
    whole = description()
    seen_tags, seen_operations = 0, 0
    for part in ("liveperson", "sandbox"):
        if part != "liveperson":
            page.get_by_label("Show").select_option(part)
            expect(page).to_have_url(re.compile(rf"[?&]part={part}"))
        half = requests.get(f"{live.url}/openapi.json", params={"part": part}).json()
        operations = sum(1 for item in half["paths"].values() for method in item
                         if method in ("get", "post", "put", "delete", "patch"))
        expect(page.locator(".opblock-tag-section").first).to_be_visible(timeout=20_000)
        expect(page.locator(".opblock-tag")).to_have_count(len(half["tags"]))
        expect(page.locator(".opblock")).to_have_count(operations)
        seen_tags, seen_operations = seen_tags + len(half["tags"]), seen_operations + operations
        page.locator(".opblock-summary").first.click()  # open one operation: its responses render
        expect(page.locator(".responses-table").first).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"docs-{part}.png"), full_page=False)
    # the two halves are the whole description, every route once
    assert seen_tags == len(whole["tags"])
    assert seen_operations == len(described_routes(flask_only=False))
    violations = page.evaluate("window.__csp")
    context.close()
    assert not violations, violations
    assert not problems, problems
    outside = [u for u in requested if not u.startswith(live.url) and not u.startswith("data:")]
    assert not outside, f"the docs page reached outside the sandbox: {outside}"


def test_a_part_of_the_description_is_one_half_of_it(live):
    """`?part=liveperson|sandbox` split the paths by tag, with nothing lost; another part is 400."""
    whole = requests.get(f"{live.url}/openapi.json").json()
    halves = [requests.get(f"{live.url}/openapi.json", params={"part": p}).json()
              for p in ("liveperson", "sandbox")]
    assert sorted(p for half in halves for p in half["paths"]) == sorted(whole["paths"])
    assert all(t["name"].startswith("Sandbox") for t in halves[1]["tags"])
    assert not any(t["name"].startswith("Sandbox") for t in halves[0]["tags"])
    assert requests.get(f"{live.url}/openapi.json", params={"part": "all"}).status_code == 400
