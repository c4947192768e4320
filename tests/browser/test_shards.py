"""The pages on a sandbox of two shards (python -m mock_server --shards 2): a page opened on the
shard that does not own its account follows CSDS to the one that does. The demo account
12345678 lives on shard 1 (mock_server/shards.py), so shard 0 sends the browser on."""
import pytest

from tests.support.browser import expect
from tests.support.constants import ACCOUNT, BOT_ENGAGEMENT_ID, DEMO_AGENT
from tests.support.server import stop
from tests.support.shards import needs_redis, start_shards

pytestmark = needs_redis


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    running = start_shards(["--seed", "3"], tmp_path_factory.mktemp("shards"))
    yield running
    stop(running.proc)


def test_workspace_login_and_consumer_page_follow_csds_to_the_owner(browser, shards):
    context = browser.new_context()
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # the workspace: log in on shard 0; its Login Service does not know the account, its
        # Domain API names shard 1; the form comes back there, filled in
        page.goto(f"{shards.first}/workspace")
        page.get_by_label("Username").fill(DEMO_AGENT.login)
        page.get_by_label("Password").fill(DEMO_AGENT.password)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{shards.second}/workspace?account={ACCOUNT}&user={DEMO_AGENT.login}")
        expect(page.get_by_label("Account")).to_have_value(ACCOUNT)
        page.get_by_label("Password").fill(DEMO_AGENT.password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        # the consumer page without ?account= (the demo account by default) moves on too
        customer = context.new_page()
        customer.on("pageerror", lambda exc: errors.append(str(exc)))
        customer.goto(f"{shards.first}/consumer")
        expect(customer).to_have_url(f"{shards.second}/consumer?account={ACCOUNT}")
        expect(customer.locator(f'[data-engagement="{BOT_ENGAGEMENT_ID}"]')).to_contain_text("Chat with the bot")
    finally:
        context.close()
    assert not errors
