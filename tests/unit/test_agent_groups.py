"""Agent groups and status reasons in the model, no HTTP: the config's groups, their tree, and
refused writes that change nothing."""
import copy

import pytest

from mock_server.model.clock import ManualClock
from mock_server.model.errors import BadRequest, NotFound
from mock_server.model.sandbox import Sandbox
from mock_server.model.seed import ConfigError, load_config

from tests.support.constants import ACCOUNT, AGENT_ID, BOTS_GROUP_ID, SUPPORT_GROUP_ID


def config_with(**changes) -> dict:
    config = copy.deepcopy(load_config())
    config["accounts"][0].update(changes)
    return config


def test_every_account_has_the_root_group():
    sb = Sandbox(clock=ManualClock(start=0), seed=1)
    shop = sb.accounts["87654321"]
    assert list(shop.agent_groups) == ["-1"] and shop.agent_groups["-1"].parent_group_id is None
    assert all(u.agent_group_id == "-1" for u in shop.users.values())
    demo = sb.accounts[ACCOUNT]
    assert demo.users[AGENT_ID].agent_group_id == SUPPORT_GROUP_ID
    assert demo.group_name(BOTS_GROUP_ID) == "Bots" and demo.group_name("42") == "Main Group"


@pytest.mark.parametrize("groups", [
    [{"id": "1", "name": "A", "parentGroupId": "2"}, {"id": "2", "name": "B", "parentGroupId": "1"}],
    [{"id": "1", "name": "A", "parentGroupId": "9"}],
    [{"id": "1", "name": "A"}, {"id": "2", "name": "A"}],
    [{"id": "x", "name": "A"}],
    [{"name": ""}],
])
def test_bad_group_trees_are_config_errors(groups):
    with pytest.raises(ConfigError):
        Sandbox(config_with(agentGroups=groups), clock=ManualClock(start=0))


def test_a_user_in_an_unknown_group_is_a_config_error():
    config = config_with()
    config["accounts"][0]["users"][0]["agentGroupId"] = "42"
    with pytest.raises(ConfigError):
        Sandbox(config, clock=ManualClock(start=0))


def test_refused_group_and_reason_writes_change_nothing():
    sb = Sandbox(clock=ManualClock(start=0), seed=1)
    account = sb.accounts[ACCOUNT]
    before = (copy.deepcopy(account.agent_groups), copy.deepcopy(account.status_reasons),
              dict(account.revisions))
    for call in (lambda: sb.save_agent_groups(account, [{"name": "ok", "parentGroupId": "-1"},
                                                        {"name": "bad"}]),
                 lambda: sb.save_agent_group(account, {"parentGroupId": SUPPORT_GROUP_ID},
                                             account.agent_groups["-1"]),
                 lambda: sb.delete_agent_group(account, account.agent_groups[SUPPORT_GROUP_ID]),
                 lambda: sb.save_status_reasons(account, [{"text": "fine"}, {"text": "Lunch"}]),
                 lambda: sb.save_status_reason(account, {"state": "Sleeping"},
                                               account.status_reasons["7001001"])):
        with pytest.raises((BadRequest, NotFound)):
            call()
    assert (account.agent_groups, account.status_reasons, account.revisions) == before
