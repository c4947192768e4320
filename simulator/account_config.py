"""Account Config API, read side (services accountConfigReadOnly): skills, users, campaigns,
engagements — what a check needs to know where chats for a skill come in."""
from dataclasses import dataclass

from .client import AgentClient
from .responses import as_bool
from .transport import with_query


def _num(value) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ConfigSkill:
    """A skill of the account."""

    id: str
    name: str


@dataclass(frozen=True)
class ConfigUser:
    """A user of the account (agent or bot)."""

    id: str
    login_name: str
    nickname: str
    skill_ids: tuple[str, ...]
    is_bot: bool
    enabled: bool


@dataclass(frozen=True)
class Campaign:
    """A campaign: published (status 1) or not, and its engagements."""

    id: str
    name: str
    published: bool
    engagement_ids: tuple[str, ...]


@dataclass(frozen=True)
class Engagement:
    """An engagement: a way into chat that routes to one skill."""

    id: str
    name: str
    campaign_id: str
    skill_id: str
    skill_name: str
    enabled: bool


class AccountConfig:
    """Read the account's configuration with a logged-in user's bearer."""

    def __init__(self, client: AgentClient):
        self.client = client

    def _get(self, path: str, version: str):
        base = self.client.domains.url("accountConfigReadOnly")
        url = f"{base}/api/account/{self.client.account}/configuration/{path}"
        # Account Config has no `.json` suffix convention: the URL goes as documented.
        return self.client.bearer_call("GET", with_query(url, v=version))

    def skills(self) -> list[ConfigSkill]:
        """Every live skill."""
        return [ConfigSkill(_num(s.get("id")), str(s.get("name", "")))
                for s in self._get("le-users/skills", "2.0") or [] if not s.get("deleted")]

    def users(self) -> list[ConfigUser]:
        """Every live user."""
        return [ConfigUser(id=_num(u.get("id")), login_name=str(u.get("loginName", "")),
                           nickname=str(u.get("nickname", "")),
                           skill_ids=tuple(_num(s) for s in u.get("skillIds") or []),
                           is_bot=str(u.get("userTypeId")) == "2", enabled=as_bool(u.get("isEnabled", True)))
                for u in self._get("le-users/users", "4.0") or [] if not as_bool(u.get("deleted"))]

    def campaigns(self) -> list[Campaign]:
        """Every live campaign."""
        return [Campaign(id=_num(c.get("id")), name=str(c.get("name", "")),
                         published=str(c.get("status")) == "1",
                         engagement_ids=tuple(_num(e) for e in c.get("engagementIds") or []))
                for c in self._get("le-campaigns/campaigns", "3.4") or [] if not c.get("isDeleted")]

    def engagements(self, campaign_id: str) -> list[Engagement]:
        """The live engagements of a campaign."""
        return [Engagement(id=_num(e.get("id")), name=str(e.get("name", "")), campaign_id=campaign_id,
                           skill_id=_num(e.get("skillId")), skill_name=str(e.get("skillName", "")),
                           enabled=as_bool(e.get("enabled", True)))
                for e in self._get(f"le-campaigns/campaigns/{campaign_id}/engagements", "3.4") or []
                if not e.get("deleted")]

    def engagements_for_skill(self, skill_id: str) -> tuple[list[Engagement], int]:
        """Enabled engagements of published campaigns that route to `skill_id`, and how many
        engagements were looked at."""
        found, seen = [], 0
        for campaign in self.campaigns():
            engagements = self.engagements(campaign.id)
            seen += len(engagements)
            if campaign.published:
                found += [e for e in engagements if e.skill_id == skill_id and e.enabled]
        return found, seen
