"""The demo config's values (mock_server/config/sandbox.yaml), written out once for every test.

They are public and stable: the README, the docs and outside checks rely on them, and the tests
assert these exact values. Change one only together with sandbox.yaml (and the README).
"""
from typing import NamedTuple


class User(NamedTuple):
    """A login of the demo config; `login(url, ACCOUNT, *DEMO_BOT)` passes name and password."""

    login: str
    password: str

    @property
    def credentials(self) -> dict:
        """The Login Service body: {"username": ..., "password": ...}."""
        return {"username": self.login, "password": self.password}


# --- accounts --------------------------------------------------------------------------------
ACCOUNT = "12345678"  # Demo Account
OTHER_ACCOUNT = "87654321"  # Second Account (the shop)
UNKNOWN_ACCOUNT = "99999999"  # no such account

# --- Server Chat API keys --------------------------------------------------------------------
GLOBAL_KEY = "721c180b09eb463d9f3191c41762bb68"  # LivePerson's global key: good on every account
ACCOUNT_KEY = "d841ae91af32ff9cd08f76ea4daff5a7"  # the demo account's own
OTHER_ACCOUNT_KEY = "fa07120214c5be4a34d944c4ea68733c"  # the second account's own

# --- users of the demo account ---------------------------------------------------------------
DEMO_BOT = User("demo-bot", "demo-bot-pass")  # bot, maxChats 5, skill support-bot
DEMO_AGENT = User("demo-agent", "demo-agent-pass")  # human "Alex", maxChats 3, skill support-human
DEMO_ADMIN = User("demo-admin", "demo-admin-pass")  # administrator, takes no chats
BOT_ID, AGENT_ID, ADMIN_ID = "3001001", "3001002", "3001003"
DEMO_BOT_B = User("demo-bot-b", "demo-bot-b-pass")  # bot B (A/B tests), maxChats 5, skill support-bot-b
BOT_B_ID, BOT_B_NAME = "3001004", "Demo Bot B"
BOT_NAME = "Demo Bot"  # demo-bot's nickname and full name
AGENT_NAME = "Alex"  # demo-agent's nickname
# demo-bot's app key set (the Login Service's appKey login)
BOT_APP_KEYS = {"appKey": "a11ea3bc37718ed531bd4a1de1d65275", "secret": "8e2c38508a25ca8e",
                "accessToken": "cc2d7b97268c5adfcf6b1d59743e32ff", "accessTokenSecret": "6109677e51b1b80e"}

# --- users of the second account -------------------------------------------------------------
SHOP_BOT = User("shop-bot", "shop-bot-pass")
SHOP_AGENT = User("shop-agent", "shop-agent-pass")
SHOP_ADMIN = User("shop-admin", "shop-admin-pass")

# --- skills, campaign and engagements of the demo account ------------------------------------
BOT_SKILL, BOT_SKILL_ID = "support-bot", "2001001"
HUMAN_SKILL, HUMAN_SKILL_ID = "support-human", "2001002"
BOT_B_SKILL, BOT_B_SKILL_ID = "support-bot-b", "2001003"  # demo bot B's (no engagement of its own)
SHOP_BOT_SKILL = "sales-bot"  # the second account's bot skill
CAMPAIGN_ID = "4001001"  # "Live chat support"
BOT_ENGAGEMENT_ID = "5001001"  # "Chat with the bot", on support-bot
HUMAN_ENGAGEMENT_ID = "5001002"  # "Chat with a human", on support-human

# --- installed applications (Sentinel's OAuth clients; the Monitoring API's app ids) ----------
APP_ID = "5c1f0b9e-7a3d-4e62-9b8f-2d4c6a1e3f70"  # the demo account's application (client_id)
APP_SECRET = "k7h2m9q4w8e3r6t1y5u0i2o7"
APP_CALLBACK = "http://localhost:3000/callback"  # its one redirect URI
SHOP_APP_ID = "8e2a4c6d-1f3b-4a5c-8d7e-9f0a1b2c3d4e"  # the second account's application
SHOP_APP_SECRET = "p3s8d1f6g9h2j5k0l4z7x2c5"

# --- API keys (OAuth 1.0a; `apiKeys` in the config) --------------------------------------------
# the demo account's read-only key and its read/write one (accountConfigReadWrite)
REPORTING_KEY = {"appKey": "09dd9db69fcf705541ac7b66cab3d6a3", "secret": "4ee83925f7828f15",
                 "accessToken": "5e1ba3539d2ab164fc143c8c1bf6d787",
                 "accessTokenSecret": "a5f6baff46fdb5dc"}
PROVISIONING_KEY = {"appKey": "e4f6aaf19c09da6aeb2130e1593fc3e9", "secret": "3e9604a43ba52bc7",
                    "accessToken": "41b0eb000ff861262a6ab77352e82d56",
                    "accessTokenSecret": "deb074d1942392e2"}
SHOP_REPORTING_KEY = {"appKey": "450e4390bd72a2798d8f20979db7a17c", "secret": "c01697afc7efd14e",
                      "accessToken": "ec2191c77b81f327f1826445f336bb20",
                      "accessTokenSecret": "48e26f4dddaa239a"}  # the second account's

# --- agent groups and status reasons of the demo account -----------------------------------
ROOT_GROUP_ID, BOTS_GROUP_ID, SUPPORT_GROUP_ID = "-1", "6001001", "6001002"  # demo-bot, demo-agent
LUNCH_REASON_ID = "7001001"  # "Lunch", Away
