"""Account Config API: skills, users, campaigns, engagements, by admin bearer, with revisions;
and the seed's set-up steps done through it, ending in a chat a bot answers."""
import pytest
import requests

from simulator.brains import make_brain
from simulator.customer import ScriptedCustomer, VisitorClient as ConsumerClient
from simulator.login import Credentials

from tests.support.constants import (ACCOUNT, BOT_B_SKILL, BOT_ENGAGEMENT_ID, BOT_SKILL, BOT_SKILL_ID, CAMPAIGN_ID,
                                     DEMO_ADMIN, DEMO_AGENT, DEMO_BOT, GLOBAL_KEY, HUMAN_ENGAGEMENT_ID,
                                     HUMAN_SKILL, HUMAN_SKILL_ID)
from tests.support.sim import run_bot
from tests.support.waiting import WAIT
from tests.support.wire import bearer_headers, login


@pytest.fixture
def admin(live):
    """demo-admin's bearer headers and the configuration base URL."""
    bearer = login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"]
    return bearer_headers(bearer), f"{live.url}/api/account/{ACCOUNT}/configuration"


def test_read_skills_users_campaigns(live, admin):
    headers, base = admin
    r = requests.get(f"{base}/le-users/skills?v=2.0", headers=headers)
    assert r.status_code == 200 and r.headers["ETag"] == r.headers["ac-revision"]
    assert {s["name"] for s in r.json()} == {BOT_SKILL, HUMAN_SKILL, BOT_B_SKILL}
    skill = requests.get(f"{base}/le-users/skills/{BOT_SKILL_ID}?v=2.0", headers=headers).json()
    assert skill["id"] == int(BOT_SKILL_ID) and skill["canTransfer"] is True and skill["deleted"] is False
    users = {u["loginName"]: u for u in requests.get(f"{base}/le-users/users?v=4.0", headers=headers).json()}
    assert users[DEMO_BOT.login]["userTypeId"] == 2 and users[DEMO_BOT.login]["maxChats"] == "5"
    assert users[DEMO_BOT.login]["skillIds"] == [int(BOT_SKILL_ID)] and users[DEMO_AGENT.login]["userTypeId"] == 1
    campaigns = requests.get(f"{base}/le-campaigns/campaigns?v=3.4", headers=headers).json()
    assert campaigns[0]["status"] == 1
    assert campaigns[0]["engagementIds"] == [int(BOT_ENGAGEMENT_ID), int(HUMAN_ENGAGEMENT_ID)]
    engagements = requests.get(f"{base}/le-campaigns/campaigns/{CAMPAIGN_ID}/engagements", headers=headers).json()
    assert [(e["skillName"], e["channel"]) for e in engagements] == [(BOT_SKILL, 1), (HUMAN_SKILL, 1)]


def test_writes_need_an_admin(live):
    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    base = f"{live.url}/api/account/{ACCOUNT}/configuration"
    assert requests.get(f"{base}/le-users/skills", headers=bearer_headers(bearer)).status_code == 200
    r = requests.post(f"{base}/le-users/skills", json={"name": "x"}, headers=bearer_headers(bearer))
    assert r.status_code == 403 and r.json()["error"]["responseStatus"] == "FORBIDDEN"
    assert requests.get(f"{base}/le-users/skills").status_code == 401


def test_revisions_guard_updates(live, admin):
    headers, base = admin
    revision = requests.get(f"{base}/le-users/skills", headers=headers).headers["ETag"]
    r = requests.put(f"{base}/le-users/skills/{HUMAN_SKILL_ID}", json={"description": "Humans"},
                     headers={**headers, "If-Match": revision})
    assert r.status_code == 200 and r.json()["description"] == "Humans"
    assert int(r.headers["ETag"]) == int(revision) + 1
    stale = requests.put(f"{base}/le-users/skills/{HUMAN_SKILL_ID}", json={"description": "again"},
                         headers={**headers, "If-Match": revision})
    assert stale.status_code == 412 and stale.json()["error"]["responseStatus"] == "PRECONDITION_FAILED"


def test_bad_config_writes(live, admin):
    headers, base = admin
    assert requests.post(f"{base}/le-users/skills", json={"name": BOT_SKILL}, headers=headers).status_code == 400
    assert requests.post(f"{base}/le-users/skills", json={}, headers=headers).status_code == 400
    assert requests.post(f"{base}/le-users/users", json={"loginName": "x", "fullName": "X", "nickname": "X",
                                                         "passwordSh": "p", "skillIds": [999]}, headers=headers).status_code == 404
    assert requests.post(f"{base}/le-users/users", json={"loginName": "y"}, headers=headers).status_code == 400
    assert requests.get(f"{base}/le-users/users/42", headers=headers).status_code == 404
    assert requests.post(f"{base}/le-campaigns/campaigns/{CAMPAIGN_ID}/engagements",
                         json={"name": "e", "skillId": 999}, headers=headers).status_code == 404
    assert requests.put(f"{base}/le-campaigns/campaigns/{CAMPAIGN_ID}", json={"status": 7}, headers=headers).status_code == 400


def test_bot_user_with_a_skill_lacking_bot_is_warned(live, admin, caplog):
    headers, base = admin
    r = requests.post(f"{base}/le-users/users", headers=headers, json={
        "loginName": "helper-bot", "fullName": "Helper", "nickname": "Helper", "passwordSh": "pw",
        "userTypeId": 2, "maxChats": "3", "skillIds": [int(HUMAN_SKILL_ID)]})
    assert r.status_code == 201
    assert HUMAN_SKILL in r.headers["Warning"] and "bot" in r.headers["Warning"]
    assert any(HUMAN_SKILL in rec.getMessage() for rec in caplog.records)
    ok = requests.post(f"{base}/le-users/users", headers=headers, json={
        "loginName": "fine-bot", "fullName": "Fine", "nickname": "Fine", "passwordSh": "pw",
        "userTypeId": 2, "skillIds": [int(BOT_SKILL_ID)]})
    assert ok.status_code == 201 and "Warning" not in ok.headers


def test_unpublished_engagements_take_no_chats(live, admin):
    headers, base = admin
    campaign = requests.post(f"{base}/le-campaigns/campaigns", json={"name": "Draft"}, headers=headers).json()
    engagement = requests.post(f"{base}/le-campaigns/campaigns/{campaign['id']}/engagements",
                               json={"name": "Draft chat", "skillId": int(BOT_SKILL_ID)}, headers=headers).json()
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/chat/request",
                      json={"request": {"engagementId": engagement["id"]}},
                      headers={"Authorization": f"LivePerson appKey={GLOBAL_KEY}"})
    assert r.status_code == 400 and "not published" in r.json()["error"]["message"]


def test_seed_setup_steps_end_in_a_chat_a_bot_answers(live, admin):
    headers, base = admin
    # 1. a skill with "bot" in its name
    skill = requests.post(f"{base}/le-users/skills?v=2.0", json={"name": "billing-bot", "description": "Billing bot"},
                          headers=headers)
    assert skill.status_code == 201 and skill.headers["Location"].endswith(f"/skills/{skill.json()['id']}")
    skill_id = skill.json()["id"]
    # 2. a bot user with display name and picture, on that skill, with an app key
    user = requests.post(f"{base}/le-users/users?v=4.0", headers=headers, json={
        "loginName": "billing-bot", "fullName": "Billing Bot", "nickname": "Penny", "passwordSh": "s3cret",
        "userTypeId": 2, "maxChats": "4", "skillIds": [skill_id], "pictureUrl": "https://example.com/penny.png",
        "allowedAppKeys": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "email": "penny@example.com"})
    assert user.status_code == 201 and "Warning" not in user.headers
    assert (user.json()["nickname"], user.json()["pictureUrl"]) == ("Penny", "https://example.com/penny.png")
    # 3. a campaign with a live-chat engagement on that skill, then publish it
    campaign = requests.post(f"{base}/le-campaigns/campaigns?v=3.4", json={"name": "Billing"}, headers=headers).json()
    assert campaign["status"] == 0
    engagement = requests.post(f"{base}/le-campaigns/campaigns/{campaign['id']}/engagements?v=3.4",
                               json={"name": "Billing chat", "skillId": skill_id}, headers=headers)
    assert engagement.status_code == 201 and engagement.json()["skillName"] == "billing-bot"
    published = requests.put(f"{base}/le-campaigns/campaigns/{campaign['id']}", json={"status": 1}, headers=headers)
    assert published.json()["status"] == 1
    # 4. the new bot logs in with its app key and answers a customer on the new engagement
    runner, thread, _ = run_bot(live, make_brain("transcript"), once=True,
                                credentials=Credentials("billing-bot", app_key="0f1e2d3c4b5a69788796a5b4c3d2e1f0"))
    customer = ScriptedCustomer(ConsumerClient(live.url, ACCOUNT), ["Hello", "I have a billing question"],
                                engagement_id=str(engagement.json()["id"]), timeout=20, poll=0.05)
    try:
        result = customer.run()
        assert result.answered == 2 and result.error is None
        assert "Hello" in result.replies[0].text and "How is your day" in result.replies[1].text
        chat = live.sb.chats[result.chat_id]
        assert chat.agent.login_name == "billing-bot" and chat.skill_id == str(skill_id)
        assert any(e.by == "Penny" for e in chat.events)
    finally:
        runner.stop()
        thread.join(WAIT)


def test_skills_can_be_created_in_bulk(live, admin):
    headers, base = admin
    r = requests.post(f"{base}/le-users/skills", json=[{"name": "a-bot"}, {"name": "b-bot"}], headers=headers)
    assert r.status_code == 201 and [s["name"] for s in r.json()] == ["a-bot", "b-bot"]
    assert requests.post(f"{base}/le-users/skills", data=b"[1,", headers=headers).status_code == 400
