"""Contract fuzzing: schemathesis over /openapi.json against a live sandbox (tests/fuzz.py).

Every operation gets FUZZ_EXAMPLES generated requests (positive and negative data, after
schemathesis's coverage cases and the description's examples), seeded, with the checks
not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance, plus one of ours: an XML answer must parse (an error's root being
<error>). On top of what schemathesis generates, deterministically: one request in five asks for
XML, one JSON body in seven carries a lone surrogate, one in six is sent as XML. Afterwards the
chats still open are ended and a normal chat must work end to end (`fuzz.check_normal_chat`).
About 3,500 requests, 1-2 minutes on 2 cores. FUZZ_COLLECT=1 lists every distinct failure at
the end instead of stopping each operation at its first.

By default it fuzzes a fresh in-process sandbox (wall clock, like `python -m mock_server`);
`python -m tests.fuzz --url URL` points it at any running sandbox instead.
"""
import os
import threading
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from mock_server.app import create_app

from tests import fuzz
from tests.support.server import LiveSandbox

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or fuzz.DEFAULT_EXAMPLES)
SEED = int(os.environ.get("FUZZ_SEED") or fuzz.DEFAULT_SEED)
COLLECT = bool(os.environ.get("FUZZ_COLLECT"))
MIN_REQUESTS = 3000  # with the default examples


class Run:
    """What the run did: requests sent per operation, failures (in --collect mode)."""

    requests: dict[str, int] = {}
    statuses: dict[str, dict[int, int]] = {}  # operation -> status -> count
    failures: dict[tuple, str] = {}
    xml = 0  # answers in XML
    mutations: dict[str, dict[int, int]] = {}  # lone surrogate / XML body -> status -> count
    started = time.monotonic()
    pool: fuzz.Pool
    lock = threading.Lock()


@pytest.fixture(scope="module")
def target():
    url = os.environ.get("FUZZ_URL")
    server = None
    if not url:
        server = LiveSandbox(create_app(seed=1234, async_mode="threading"), clock=None)
        url = server.url
    prepared = fuzz.prepare(url)
    fuzz.SandboxAuth.target = prepared
    Run.pool = fuzz.Pool(prepared)
    Run.started = time.monotonic()
    yield prepared
    if server is not None:
        server.stop()


@pytest.fixture(scope="module")
def api(target):
    config = schemathesis.Config.from_dict(fuzz.config(target, EXAMPLES, SEED))
    loaded = schemathesis.openapi.from_dict(target.description, config=config)
    loaded.auth()(fuzz.SandboxAuth)
    return loaded


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
@pytest.mark.timeout(max(600, EXAMPLES * 20))  # one pytest item for the whole run
@settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck), print_blob=False)
def test_fuzz(case):
    operation_id = case.operation.definition.raw.get("operationId", "")
    Run.pool.aim(operation_id, case.path_parameters)
    mutation = ("surrogate" if fuzz.add_lone_surrogate(case)
                else "xml body" if fuzz.send_body_as_xml(case) else None)
    if fuzz.wants_xml(case):
        case.headers = {**(case.headers or {}), "Accept": "application/xml"}
    response = case.call(timeout=30)
    Run.pool.after(operation_id, response.status_code)
    with Run.lock:
        Run.requests[case.operation.label] = Run.requests.get(case.operation.label, 0) + 1
        counts = Run.statuses.setdefault(case.operation.label, {})
        counts[response.status_code] = counts.get(response.status_code, 0) + 1
        if "xml" in "".join(response.headers.get("content-type", [])):
            Run.xml += 1
        if mutation:
            counts = Run.mutations.setdefault(mutation, {})
            counts[response.status_code] = counts.get(response.status_code, 0) + 1
    try:
        case.validate_response(response, additional_checks=[fuzz.xml_well_formed])
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis's FailureGroup is the latter
        if not COLLECT:
            raise
        with Run.lock:
            kinds = tuple(sorted(getattr(e, "title", type(e).__name__)
                                 for e in getattr(exc, "exceptions", [exc])))
            key = (case.operation.label, response.status_code, kinds)
            Run.failures.setdefault(key, str(exc))  # schemathesis's text ends with a curl command


def test_after_fuzzing_a_normal_chat_still_works(target):
    """Run after test_fuzz (file order): enough requests, no failures, a chat end to end."""
    total = sum(Run.requests.values())
    elapsed = time.monotonic() - Run.started
    print(f"\nfuzzing: {total} requests ({Run.xml} answered in XML) over {len(Run.requests)} "
          f"operations in {elapsed:.0f} s (seed {SEED}, {EXAMPLES} examples per operation)")
    for mutation, counts in Run.mutations.items():
        print(f"  {mutation}: " + ", ".join(f"{k}x{v}" for k, v in sorted(counts.items())))
    if os.environ.get("FUZZ_VERBOSE"):
        for label, counts in sorted(Run.statuses.items()):
            print(f"  {label}: " + ", ".join(f"{k}x{v}" for k, v in sorted(counts.items())))
    if Run.failures:
        pytest.fail(f"{len(Run.failures)} distinct failures:\n\n" + "\n\n---\n\n".join(
            f"{label} -> {status}: {text}" for (label, status, *_), text in Run.failures.items()))
    if EXAMPLES >= fuzz.DEFAULT_EXAMPLES and Run.requests:
        assert total >= MIN_REQUESTS, f"only {total} requests were generated"
    fuzz.end_open_chats(target.url)
    fuzz.logout(target.url, target.agent_bearer, target.agent_csrf)
    fuzz.check_normal_chat(target.url)
