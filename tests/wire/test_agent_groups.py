"""Account Config: agent groups (le-users/agentGroups) and status reasons (le-agents/status-reasons),
as reporting clients read them (tap-liveperson: include_deleted=true, OAuth1) and admins write them."""
import pytest
import requests
from defusedxml.ElementTree import fromstring

from tests.support.constants import (ACCOUNT, AGENT_ID, BOT_ID, BOTS_GROUP_ID, DEMO_ADMIN, DEMO_AGENT,
                                     LUNCH_REASON_ID, OTHER_ACCOUNT, PROVISIONING_KEY, REPORTING_KEY,
                                     ROOT_GROUP_ID, SUPPORT_GROUP_ID)
from tests.support.wire import ApiKeyAuth, assert_envelope, bearer_headers, login

GROUPS = f"/api/account/{ACCOUNT}/configuration/le-users/agentGroups"
REASONS = f"/api/account/{ACCOUNT}/configuration/le-agents/status-reasons"


@pytest.fixture
def admin(live):
    """demo-admin's bearer headers."""
    return bearer_headers(login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"])


def test_the_seeded_groups_as_tap_liveperson_reads_them(live):
    r = requests.get(f"{live.url}{GROUPS}?include_deleted=true&v=2.0", auth=ApiKeyAuth(REPORTING_KEY))
    assert r.status_code == 200 and r.headers["ETag"] == r.headers["ac-revision"]
    groups = {g["id"]: g for g in r.json()}
    assert list(groups) == [ROOT_GROUP_ID, BOTS_GROUP_ID, SUPPORT_GROUP_ID]
    root = groups[ROOT_GROUP_ID]
    assert (root["name"], root["isEnabled"], root["deleted"]) == ("Main Group", True, False)
    assert "parentGroupId" not in root  # no parent: the key is left out, never null
    assert groups[BOTS_GROUP_ID]["parentGroupId"] == ROOT_GROUP_ID
    # the tap's schema: id string, deleted boolean, name, description, parentGroupId string, isEnabled boolean
    for group in groups.values():
        assert isinstance(group["id"], str) and isinstance(group["deleted"], bool)
        assert isinstance(group["isEnabled"], bool) and isinstance(group["description"], str)
    one = requests.get(f"{live.url}{GROUPS}/{SUPPORT_GROUP_ID}", auth=ApiKeyAuth(REPORTING_KEY))
    assert one.status_code == 200 and one.json()["name"] == "Support team"


def test_users_are_members_of_their_group(live, admin):
    users = {u["id"]: u for u in requests.get(
        f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/users", headers=admin).json()}
    assert users[BOT_ID]["memberOf"]["agentGroupId"] == BOTS_GROUP_ID
    assert users[AGENT_ID]["memberOf"]["agentGroupId"] == SUPPORT_GROUP_ID
    body = login(live.url, ACCOUNT, *DEMO_AGENT)
    names = [g["name"] for g in body["accountData"]["agentGroupsData"]["items"]]
    assert names == ["Main Group", "Bots", "Support team"]


def test_status_reasons_as_documented(live):
    r = requests.get(f"{live.url}{REASONS}?include_deleted=true", auth=ApiKeyAuth(REPORTING_KEY))
    assert r.status_code == 200 and r.headers["ac-revision"]
    reasons = {str(x["id"]): x for x in r.json()}
    assert reasons[LUNCH_REASON_ID] == {"id": int(LUNCH_REASON_ID), "text": "Lunch", "state": "Away",
                                        "enabled": True, "deleted": False}
    assert {x["state"] for x in reasons.values()} <= {"Online", "Occupied", "Away"}
    one = requests.get(f"{live.url}{REASONS}/{LUNCH_REASON_ID}.json?v=1.0", auth=ApiKeyAuth(REPORTING_KEY))
    assert one.status_code == 200 and one.json()["text"] == "Lunch"


def test_xml_forms(live, admin):
    r = requests.get(f"{live.url}{GROUPS}.xml", headers=admin)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/xml")
    root = fromstring(r.content)
    assert root.tag == "items" and [i.findtext("name") for i in root] == ["Main Group", "Bots", "Support team"]
    r = requests.get(f"{live.url}{REASONS}/{LUNCH_REASON_ID}", headers={**admin, "Accept": "application/xml"})
    assert fromstring(r.content).findtext("text") == "Lunch"
    missing = requests.get(f"{live.url}{REASONS}/42.xml", headers=admin)
    assert missing.status_code == 404 and fromstring(missing.content).tag == "error"


def test_missing_items_and_credentials(live, admin):
    for path in (f"{GROUPS}/42", f"{REASONS}/42", f"{GROUPS}/abc"):
        assert_envelope(requests.get(f"{live.url}{path}", headers=admin), 404, 82)
    for path in (GROUPS, REASONS, f"{GROUPS}/{ROOT_GROUP_ID}", f"{REASONS}/{LUNCH_REASON_ID}"):
        assert_envelope(requests.get(f"{live.url}{path}"), 401, 2)
        assert_envelope(requests.get(f"{live.url}{path}", headers={"Authorization": "Bearer nope"}), 401)
    other = f"{live.url}/api/account/{OTHER_ACCOUNT}/configuration/le-users/agentGroups"
    assert_envelope(requests.get(other, headers=admin), 401, 2)


def test_agent_group_writes_with_revisions(live, admin):
    url = f"{live.url}{GROUPS}"
    revision = requests.get(url, headers=admin).headers["ETag"]
    r = requests.post(url, json={"name": "Tier 2", "parentGroupId": SUPPORT_GROUP_ID,
                                 "description": "Escalations"}, headers={**admin, "If-Match": revision})
    assert r.status_code == 201 and r.headers["Location"].endswith(f"/agentGroups/{r.json()['id']}")
    tier2 = r.json()
    assert (tier2["parentGroupId"], tier2["isEnabled"], tier2["deleted"]) == (SUPPORT_GROUP_ID, True, False)
    assert int(r.headers["ETag"]) == int(revision) + 1
    stale = requests.put(f"{url}/{tier2['id']}", json={"name": "x"}, headers={**admin, "If-Match": revision})
    assert_envelope(stale, 412)
    r = requests.post(f"{url}/{tier2['id']}", json={"isEnabled": "false", "name": "Tier two"},
                      headers={**admin, "X-HTTP-Method-Override": "PUT"})
    assert r.status_code == 200 and (r.json()["name"], r.json()["isEnabled"]) == ("Tier two", False)
    # a member, then the group cannot go until the member moves
    r = requests.put(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/users/{AGENT_ID}",
                     json={"memberOf": {"agentGroupId": tier2["id"]}}, headers=admin)
    assert r.status_code == 200 and r.json()["memberOf"]["agentGroupId"] == tier2["id"]
    assert_envelope(requests.delete(f"{url}/{tier2['id']}", headers=admin), 400, 87)
    assert_envelope(requests.delete(f"{url}/{SUPPORT_GROUP_ID}", headers=admin), 400, 87)  # a sub-group
    requests.put(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/users/{AGENT_ID}",
                 json={"memberOf": {"agentGroupId": SUPPORT_GROUP_ID}}, headers=admin).raise_for_status()
    assert requests.delete(f"{url}/{tier2['id']}", headers=admin).status_code == 200
    assert_envelope(requests.get(f"{url}/{tier2['id']}", headers=admin), 404, 82)
    listed = {g["id"]: g for g in requests.get(f"{url}?include_deleted=true", headers=admin).json()}
    assert listed[tier2["id"]]["deleted"] is True
    assert tier2["id"] not in {g["id"] for g in requests.get(url, headers=admin).json()}


def test_bad_agent_group_writes_change_nothing(live, admin):
    url = f"{live.url}{GROUPS}"
    before = requests.get(f"{url}?include_deleted=true", headers=admin)
    for body, status, code in (
            ({"name": "No parent"}, 400, 81), ({"name": "Bots", "parentGroupId": "-1"}, 400, 83),
            ({"name": "Orphan", "parentGroupId": "42"}, 404, 82), ({"parentGroupId": "-1"}, 400, 81),
            ({"name": " ", "parentGroupId": "-1"}, 400, 81), ({"name": "x" * 256, "parentGroupId": "-1"}, 400, 80),
            ([{"name": "Twin", "parentGroupId": "-1"}, {"name": "Twin", "parentGroupId": "-1"}], 400, 83),
            ([], 400, 80)):
        assert_envelope(requests.post(url, json=body, headers=admin), status, code)
    assert_envelope(requests.put(f"{url}/{ROOT_GROUP_ID}", json={"parentGroupId": BOTS_GROUP_ID},
                                 headers=admin), 400, 80)
    assert_envelope(requests.delete(f"{url}/{ROOT_GROUP_ID}", headers=admin), 400, 87)
    agent = bearer_headers(login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"])
    assert_envelope(requests.post(url, json={"name": "Mine", "parentGroupId": "-1"}, headers=agent), 403, 90)
    assert_envelope(requests.post(url, json={"name": "Mine", "parentGroupId": "-1"},
                                  auth=ApiKeyAuth(REPORTING_KEY)), 403, 90)
    after = requests.get(f"{url}?include_deleted=true", headers=admin)
    assert after.json() == before.json() and after.headers["ETag"] == before.headers["ETag"]
    users = f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/users/{AGENT_ID}"
    assert_envelope(requests.put(users, json={"memberOf": {"agentGroupId": "42"}}, headers=admin), 404, 82)
    assert_envelope(requests.put(users, json={"memberOf": "Bots"}, headers=admin), 400, 80)


def test_no_group_can_be_put_under_itself(live, admin):
    url = f"{live.url}{GROUPS}"
    child = requests.post(url, json={"name": "Child", "parentGroupId": BOTS_GROUP_ID}, headers=admin).json()
    for parent in (BOTS_GROUP_ID, child["id"]):
        assert_envelope(requests.put(f"{url}/{BOTS_GROUP_ID}", json={"parentGroupId": parent},
                                     headers=admin), 400, 80)


def test_status_reason_writes(live, admin):
    url = f"{live.url}{REASONS}"
    r = requests.post(url, json={"text": "Coaching", "state": "Away", "enabled": True, "deleted": False},
                      headers=admin)
    assert r.status_code == 201 and r.headers["Location"].endswith(f"/status-reasons/{r.json()['id']}")
    coaching = r.json()
    bulk = requests.post(url, json=[{"text": "Break"}, {"text": "Available for chats", "state": "Online"}],
                         auth=ApiKeyAuth(PROVISIONING_KEY))
    assert bulk.status_code == 201 and [x["state"] for x in bulk.json()] == ["Away", "Online"]
    assert "Location" not in bulk.headers  # only a single created object has one
    r = requests.put(f"{url}/{coaching['id']}", json={"text": "Coaching session", "enabled": False},
                     headers=admin)
    assert r.status_code == 200 and (r.json()["text"], r.json()["enabled"]) == ("Coaching session", False)
    for body, code in (({"text": "Lunch"}, 83), ({"text": "x" * 101}, 80), ({"text": "Nap", "state": "Asleep"}, 80),
                       ({}, 81), ([{"text": "Same"}, {"text": "Same"}], 83)):
        assert_envelope(requests.post(url, json=body, headers=admin), 400, code)
    assert requests.delete(f"{url}/{coaching['id']}", headers=admin).status_code == 200
    assert_envelope(requests.get(f"{url}/{coaching['id']}", headers=admin), 404, 82)
    # documented: include_deleted on the item too
    deleted = requests.get(f"{url}/{coaching['id']}?include_deleted=true", headers=admin)
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    assert coaching["id"] not in {x["id"] for x in requests.get(url, headers=admin).json()}
    assert coaching["id"] in {x["id"] for x in requests.get(f"{url}?include_deleted=true", headers=admin).json()}
