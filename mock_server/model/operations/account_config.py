"""Account Config API operations: skills, users, campaigns, engagements.

Validation is model/admin.py's: it checks a whole request and returns the changes, raising
before anything is touched; these operations apply them, draw ids and publish."""
from ..accounts import Account, AgentGroup, Campaign, Engagement, Skill, StatusReason, User
from ..admin import (MAX_BULK, _apply, _bot_skill_warnings, _campaign_changes, _engagement_changes,
                     _group_changes, _group_delete_problem, _reason_changes, _skill_changes,
                     _user_changes, log)
from ..errors import BadRequest
from ..followups import FollowUps
from ..seed import _pid


class AccountConfigOperations(FollowUps):
    """Writes of Account Config; reads are the account's own collections."""

    def _apply_skill(self, account: Account, changes: dict, skill: Skill | None, now: float) -> Skill:
        """Store validated changes: a new skill (with a fresh id) or the updated one."""
        skill = skill or Skill(id=self.ids.digits(10), name=changes["name"])
        _apply(skill, changes)
        skill.updated = now
        account.skills[skill.id] = skill
        self.publish("config.skill", account.id, skillId=skill.id, name=skill.name)
        return skill

    def save_skill(self, account: Account, data: dict, skill: Skill | None = None) -> Skill:
        """Create a skill (skill=None) or update one; names are unique."""
        changes = _skill_changes(account, data, skill)
        skill = self._apply_skill(account, changes, skill, self.clock.now())
        account.revisions["skills"] += 1
        return skill

    def save_skills(self, account: Account, items: list) -> list[Skill]:
        """Create a list of skills: all of them (one write, one revision) or, if one is bad, none."""
        if not items:
            raise BadRequest("A bulk create needs at least one skill", 80)
        if len(items) > MAX_BULK:
            raise BadRequest(f"A bulk create may hold at most {MAX_BULK} skills", 80)
        all_changes, names = [], set()
        for item in items:
            changes = _skill_changes(account, item, taken=frozenset(names))
            names.add(changes["name"])
            all_changes.append(changes)
        now = self.clock.now()
        created = [self._apply_skill(account, changes, None, now) for changes in all_changes]
        account.revisions["skills"] += 1
        return created

    def delete_skill(self, account: Account, skill: Skill) -> None:
        """Delete a skill (kept, marked deleted, as LivePerson does)."""
        skill.deleted, skill.updated = True, self.clock.now()
        account.revisions["skills"] += 1

    def save_user(self, account: Account, data: dict, user: User | None = None) -> tuple[User, list[str]]:
        """Create or update a user; returns the user and warnings for the developer."""
        changes, skills = _user_changes(account, data, user)
        user = user or User(id=self.ids.digits(10), login_name=changes["login_name"], password=None,
                            pid=_pid(self.ids))
        _apply(user, changes)
        user.updated = self.clock.now()
        account.users[user.id] = user
        account.revisions["users"] += 1
        warnings = _bot_skill_warnings(user, skills)
        for warning in warnings:
            log.warning("account %s: %s", account.id, warning)
        self.publish("config.user", account.id, userId=user.id, loginName=user.login_name)
        self.router.dispatch(account.id)  # new skills may let waiting chats ring
        return user, warnings

    def delete_user(self, account: Account, user: User, acting: User | None = None) -> None:
        """Delete a user: its sessions end and it can no longer log in."""
        if acting is not None and user.id == acting.id:
            raise BadRequest("An administrator cannot delete themself", 86)
        user.deleted, user.enabled, user.updated = True, False, self.clock.now()
        for session in self.agents.for_user(user):
            self.end_agent_session(session, "user deleted")
        for login in self.logins.of_user(user):  # its bearers die too: no new session
            self.end_login(login)
        account.revisions["users"] += 1

    def save_campaign(self, account: Account, data: dict, campaign: Campaign | None = None) -> Campaign:
        """Create or update a campaign; `status` 1 publishes it, 0 unpublishes."""
        changes = _campaign_changes(data, campaign)
        # New campaigns start unpublished, unless the body says otherwise.
        campaign = campaign or Campaign(id=self.ids.digits(10), name=changes["name"], status=0)
        _apply(campaign, changes)
        campaign.updated = self.clock.now()
        account.campaigns[campaign.id] = campaign
        account.revisions["campaigns"] += 1
        self.publish("config.campaign", account.id, campaignId=campaign.id, status=campaign.status)
        return campaign

    def delete_campaign(self, account: Account, campaign: Campaign) -> None:
        """Delete a campaign and, with it, its engagements."""
        campaign.deleted, campaign.updated = True, self.clock.now()
        for engagement_id in campaign.engagement_ids:
            account.engagements[engagement_id].deleted = True
        account.revisions["campaigns"] += 1

    def save_engagement(self, account: Account, campaign: Campaign, data: dict,
                        engagement: Engagement | None = None) -> Engagement:
        """Create or update a live-chat engagement of a campaign; it routes to `skillId`."""
        changes = _engagement_changes(account, data, engagement)
        now = self.clock.now()
        if engagement is None:
            engagement = Engagement(id=self.ids.digits(10), campaign_id=campaign.id, name=changes["name"],
                                    skill_id=None, window_id=self.ids.digits(10), created=now)
            campaign.engagement_ids.append(engagement.id)
        _apply(engagement, changes)
        engagement.updated = now
        account.engagements[engagement.id] = engagement
        account.revisions["campaigns"] += 1
        return engagement

    def delete_engagement(self, account: Account, engagement: Engagement) -> None:
        """Delete an engagement (kept, marked deleted; it stays in its campaign's engagementIds)."""
        engagement.deleted, engagement.updated = True, self.clock.now()
        account.revisions["campaigns"] += 1

    # --- agent groups and status reasons: one or a list, all or nothing -----------------------

    def _bulk(self, items: list, kind: str, check) -> list[dict]:
        """The validated changes of every item of a bulk create (`check(item, taken_names)`)."""
        if not items:
            raise BadRequest(f"A bulk create needs at least one {kind}", 80)
        if len(items) > MAX_BULK:
            raise BadRequest(f"A bulk create may hold at most {MAX_BULK} {kind}s", 80)
        all_changes, names = [], set()
        for item in items:
            changes = check(item, frozenset(names))
            names.add(changes.get("name") or changes.get("text"))
            all_changes.append(changes)
        return all_changes

    def save_agent_groups(self, account: Account, items: list) -> list[AgentGroup]:
        """Create agent groups (a list of one or more): all of them or, if one is bad, none."""
        all_changes = self._bulk(items, "agent group",
                                 lambda item, taken: _group_changes(account, item, taken=taken))
        now, created = self.clock.now(), []
        for changes in all_changes:
            group = AgentGroup(id=self.ids.digits(10), name=changes["name"])
            _apply(group, changes)
            group.updated = now
            account.agent_groups[group.id] = group
            created.append(group)
        account.revisions["agentGroups"] += 1
        self.publish("config.agentGroup", account.id, groupIds=[g.id for g in created])
        return created

    def save_agent_group(self, account: Account, data: dict, group: AgentGroup) -> AgentGroup:
        """Update an agent group (name, description, parent, enabled)."""
        changes = _group_changes(account, data, group)
        _apply(group, changes)
        group.updated = self.clock.now()
        account.revisions["agentGroups"] += 1
        self.publish("config.agentGroup", account.id, groupIds=[group.id])
        return group

    def delete_agent_group(self, account: Account, group: AgentGroup) -> None:
        """Delete an agent group (kept, marked deleted); only an empty one, never the root."""
        problem = _group_delete_problem(account, group)
        if problem:
            raise BadRequest(problem, 87)
        group.deleted, group.updated = True, self.clock.now()
        account.revisions["agentGroups"] += 1

    def save_status_reasons(self, account: Account, items: list) -> list[StatusReason]:
        """Create status reasons (a list of one or more): all of them or, if one is bad, none."""
        all_changes = self._bulk(items, "status reason",
                                 lambda item, taken: _reason_changes(account, item, taken=taken))
        now, created = self.clock.now(), []
        for changes in all_changes:
            reason = StatusReason(id=self.ids.digits(9), text=changes["text"])
            _apply(reason, changes)
            reason.updated = now
            account.status_reasons[reason.id] = reason
            created.append(reason)
        account.revisions["statusReasons"] += 1
        return created

    def save_status_reason(self, account: Account, data: dict, reason: StatusReason) -> StatusReason:
        """Update a status reason (text, state, enabled)."""
        changes = _reason_changes(account, data, reason)
        _apply(reason, changes)
        reason.updated = self.clock.now()
        account.revisions["statusReasons"] += 1
        return reason

    def delete_status_reason(self, account: Account, reason: StatusReason) -> None:
        """Delete a status reason (kept, marked deleted)."""
        reason.deleted, reason.updated = True, self.clock.now()
        account.revisions["statusReasons"] += 1
