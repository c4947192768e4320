"""Accounts and what they hold: users (human and bot), skills, campaigns, engagements."""
from dataclasses import dataclass, field

from .errors import BadRequest
from .surveys import Survey

HUMAN, BOT = "human", "bot"
ROOT_GROUP_ID, ROOT_GROUP_NAME = "-1", "Main Group"  # every account's root agent group
STATUS_REASON_STATES = ("Online", "Occupied", "Away")


@dataclass
class AppKeySet:
    """The four OAuth1 values of an API key; a bot user logs in with them (application login)."""

    app_key: str
    secret: str
    access_token: str
    access_token_secret: str


@dataclass(frozen=True)
class ApiKey:
    """An API key: the four OAuth 1.0a values that sign requests to the data APIs (Account Config,
    ...). The account's own keys (`apiKeys` in the config, LivePerson's "Data Sources" keys) carry
    a name and permissions; a user's `appKeys` set acts as that user (`user_id`)."""

    app_key: str  # oauth_consumer_key
    secret: str
    access_token: str  # oauth_token
    access_token_secret: str
    name: str = ""
    permissions: tuple[str, ...] = ()  # e.g. accountConfigReadWrite; none: read-only
    user_id: str | None = None


@dataclass
class Application:
    """An installed Conversational Cloud application: an OAuth 2.0 client of Sentinel, whose
    client_id is also the Monitoring API's app installation id."""

    client_id: str
    client_secret: str
    client_name: str = ""
    grant_types: list[str] = field(default_factory=lambda: ["client_credentials"])
    redirect_uris: list[str] = field(default_factory=list)
    scope: str = ""


@dataclass
class AuthConnector:
    """The account's authentication server for authenticated chat (implicit flow: the ssoKey is a
    JWT the brand signs with RS256; the public key and issuer are configured here)."""

    connector_id: str
    issuer: str
    public_key: str  # PEM (or the bare base64 of an X.509 SubjectPublicKeyInfo)


@dataclass
class Skill:
    """A routing skill: chats requested on it ring agents who have it."""

    id: str
    name: str
    description: str = ""
    deleted: bool = False
    max_wait_time: int = 120
    can_transfer: bool = True
    transfer_list: list[str] | None = None
    updated: float = 0.0


@dataclass
class AgentGroup:
    """An agent group (the Agent Groups API): groups form one tree under the root, "Main Group"
    (id -1, the only group without a parent); every user belongs to one."""

    id: str
    name: str
    parent_group_id: str | None = ROOT_GROUP_ID
    description: str = ""
    enabled: bool = True
    deleted: bool = False
    updated: float = 0.0


@dataclass
class StatusReason:
    """A reason an agent can give with a state (the Agent Status Reason API): "Lunch" for Away."""

    id: str
    text: str
    state: str = "Away"  # Online, Occupied or Away
    enabled: bool = True
    deleted: bool = False
    updated: float = 0.0


@dataclass
class User:
    """A login user: a human agent, a bot, or an administrator."""

    id: str
    login_name: str
    password: str | None
    user_type: str = HUMAN
    nickname: str = ""
    full_name: str = ""
    email: str = ""
    picture_url: str = ""
    max_chats: int = -1
    skill_ids: list[str] = field(default_factory=list)
    is_admin: bool = False
    enabled: bool = True
    pid: str = ""
    app_keys: list[AppKeySet] = field(default_factory=list)
    agent_group_id: str = "-1"
    deleted: bool = False
    updated: float = 0.0

    @property
    def agent_name(self) -> str:
        """The name visitors see (LivePerson's nickname)."""
        return self.nickname or self.full_name or self.login_name

    @property
    def display_name(self) -> str:
        """The name shown in agent lists."""
        return self.full_name or self.nickname or self.login_name


@dataclass
class Engagement:
    """A live-chat entry point of a campaign; it names the skill its chats route to."""

    id: str
    campaign_id: str
    name: str
    skill_id: str | None
    description: str = ""
    enabled: bool = True
    language: str = "en-US"
    window_id: str = ""
    deleted: bool = False
    authenticated: bool = False  # chats on it need Visitor Authentication (conversation.json)
    created: float = 0.0
    updated: float = 0.0


@dataclass
class Campaign:
    """A campaign: a named, publishable group of engagements."""

    id: str
    name: str
    description: str = ""
    status: int = 1  # 1 published, 0 unpublished
    engagement_ids: list[str] = field(default_factory=list)
    deleted: bool = False
    updated: float = 0.0


@dataclass
class CannedResponse:
    """A predefined reply the agent workspace offers (`cannedResponses` in the config); the page
    fills in `{visitorName}` and `{agentName}` when the agent inserts it."""

    title: str
    text: str
    category: str = ""


@dataclass
class Account:
    """One LivePerson account (a "site") and everything configured in it."""

    id: str
    name: str = ""
    timezone: str = "UTC"
    app_keys: list[str] = field(default_factory=list)
    chat_timeout: int = 40
    skills: dict[str, Skill] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    engagements: dict[str, Engagement] = field(default_factory=dict)
    surveys: dict[str, Survey] = field(default_factory=dict)  # preChat, exit, agent, offline
    applications: dict[str, Application] = field(default_factory=dict)  # by client_id
    authentication: AuthConnector | None = None  # authenticated chat's connector, if any
    canned_responses: list[CannedResponse] = field(default_factory=list)  # the workspace's replies
    api_keys: list[ApiKey] = field(default_factory=list)  # `apiKeys`: OAuth1 keys of the account
    agent_groups: dict[str, AgentGroup] = field(default_factory=dict)  # the root "-1" first
    status_reasons: dict[str, StatusReason] = field(default_factory=dict)
    # Account Config revision of each collection: every write bumps it (ETag / If-Match).
    revisions: dict[str, int] = field(default_factory=lambda: {
        "skills": 1, "users": 1, "campaigns": 1, "agentGroups": 1, "statusReasons": 1})

    def group_name(self, group_id: str | None) -> str:
        """The name of an agent group (a deleted group keeps its name); the root's by default."""
        group = self.agent_groups.get(group_id) if group_id else None
        return group.name if group else ROOT_GROUP_NAME

    def user_by_login(self, login_name: str) -> User | None:
        """The user with this login name, or None."""
        for user in self.users.values():
            if user.login_name == login_name and not user.deleted:
                return user
        return None

    def skill_by_name(self, name: str) -> Skill | None:
        """The skill with this name, or None."""
        for skill in self.skills.values():
            if skill.name == name and not skill.deleted:
                return skill
        return None

    def skill(self, ref) -> Skill | None:
        """The live skill named by id or by name (as the APIs' `skill` parameters allow), or None."""
        ref = str(ref).strip()
        skill = self.skills.get(ref) or self.skill_by_name(ref)
        return None if skill is None or skill.deleted else skill

    def skill_name(self, skill_id: str | None) -> str | None:
        """The name of a skill id (a deleted skill keeps its name), or None."""
        skill = self.skills.get(skill_id) if skill_id else None
        return skill.name if skill else None

    def find_skill(self, ref) -> Skill:
        """The live skill named by id or by name, or BadRequest (Server Chat's internal code 20)."""
        skill = self.skill(ref)
        if skill is None:
            raise BadRequest(f"Skill '{str(ref).strip()}' does not exist in account {self.id}", 20)
        return skill

    def engagement(self, engagement_id) -> Engagement:
        """The engagement with this id, or NotFound."""
        engagement = self.engagements.get(str(engagement_id).strip())
        if engagement is None or engagement.deleted:
            raise BadRequest(f"Engagement '{engagement_id}' does not exist in account {self.id}", 21)
        campaign = self.campaigns.get(engagement.campaign_id)
        if not engagement.enabled or campaign is None or campaign.deleted or campaign.status != 1:
            raise BadRequest(f"Engagement '{engagement_id}' is not published", 22)
        return engagement
