"""Domain API, JSONP form (`baseURI.lpCsds?cb=`), as the JavaScript Chat SDK and LivePerson's
tools call it: JavaScript with nosniff; only a safe callback name is ever echoed."""
import json
import re

import pytest
import requests

from tests.support.constants import ACCOUNT, UNKNOWN_ACCOUNT




SCRIPT = re.compile(r"^/\*\*/([A-Za-z_$][\w$.]*)\((.*)\);$", re.S)


def jsonp(live, path, **params):
    return requests.get(f"{live.url}{path}", params={"version": "1.0", **params})


def parse(r):
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    match = SCRIPT.match(r.text)
    assert match, r.text
    return match.group(1), json.loads(match.group(2))


@pytest.mark.parametrize("prefix", ["/csdr", "/api"])
def test_one_service(live, prefix):
    name, body = parse(jsonp(live, f"{prefix}/account/{ACCOUNT}/service/adminArea/baseURI.lpCsds",
                             cb="domainCallback"))
    assert name == "domainCallback"
    assert body == {"ResultSet": {"lpData": [{"lpServer": live.host}]}}  # lpData[0].lpServer


def test_all_services_and_the_default_callback(live):
    r = jsonp(live, f"/csdr/account/{ACCOUNT}/service/baseURI.lpCsds")
    name, body = parse(r)
    assert name == "lpCb"
    # the way LivePerson's own SSO tool reads it: between the first ( and the first )
    text = r.text
    assert json.loads(text[text.index("(") + 1:text.index(")")]) == body
    uris = {e["service"]: e["baseURI"] for e in body["ResultSet"]["lpData"]["baseURIs"]}
    assert uris["conversationVep"] == live.host and uris["smt"] == live.host


def test_dotted_and_jquery_callbacks(live):
    for cb in ("jQuery331012345_1700000000", "lpTag.taglets.cb", "$cb", "_"):
        name, _ = parse(jsonp(live, f"/csdr/account/{ACCOUNT}/service/smt/baseURI.lpCsds", cb=cb))
        assert name == cb


def test_unknown_account_or_service_is_lp_call_error(live):
    for path in (f"/csdr/account/{UNKNOWN_ACCOUNT}/service/adminArea/baseURI.lpCsds",
                 f"/csdr/account/{ACCOUNT}/service/agentvep/baseURI.lpCsds",  # case-sensitive
                 f"/csdr/account/{UNKNOWN_ACCOUNT}/service/baseURI.lpCsds"):
        _, body = parse(jsonp(live, path, cb="check"))
        error = body["ResultSet"]["lpCallError"]
        assert "lpData" not in body["ResultSet"]
        assert error["responseStatus"] == "NOT_FOUND" and error["internalCode"] == 5
        assert set(error) == {"time", "message", "internalCode", "responseStatus"}


@pytest.mark.parametrize("cb", ["alert(1)//", "a;alert(1)", "a b", "</script>", "1abc", "a..b",
                                "a.", "x" * 129, "a[0]", "é", "a\u2028b"])
def test_unsafe_callback_is_refused_as_json(live, cb):
    r = jsonp(live, f"/csdr/account/{ACCOUNT}/service/adminArea/baseURI.lpCsds", cb=cb)
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"]["responseStatus"] == "BAD_REQUEST"
    assert cb not in r.text  # never echoed, not even in the error


def test_bad_callback_wins_over_unknown_account(live):
    r = jsonp(live, f"/csdr/account/{UNKNOWN_ACCOUNT}/service/adminArea/baseURI.lpCsds", cb="a(b)")
    assert r.status_code == 400 and "a(b)" not in r.text


def test_json_forms_are_unchanged(live):
    r = requests.get(f"{live.url}/csdr/account/{ACCOUNT}/service/adminArea/baseURI.json")
    assert r.json() == {"service": "adminArea", "account": ACCOUNT, "baseURI": live.host}
