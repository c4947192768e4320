"""Agents on the wire: availableAgents entries."""
from ..model.accounts import Account, User
from ..model.agents import STATE_NUMBER
from .formats import one_or_many


def available_agent_json(account: Account, user: User, state: str, chats: int, since: float,
                         now: float) -> dict:
    """One `agent` of availableAgents: numeric states as strings, skills one-or-many."""
    skills = [s for s in user.skill_ids if s in account.skills]
    out = {"@id": user.id, "@chatState": STATE_NUMBER[state], "@voiceState": "1",
           "@maxChats": str(user.max_chats), "userName": user.login_name,
           "nickname": user.agent_name, "email": user.email,
           "privilegeGroup": "administrators" if user.is_admin else "agents",
           "skills": {"skill": one_or_many(skills)} if skills else None,
           "skillsInfo": {"skillInfo": one_or_many(
               [{"id": s, "name": account.skills[s].name} for s in skills])} if skills else None,
           "agentGroupName": account.group_name(user.agent_group_id), "agentGroupId": user.agent_group_id,
           "elapsedTimeInState": str(max(int((now - since) * 1000), 0)),
           "userType": user.user_type}
    if chats:
        out["chats"] = str(chats)  # absent when the agent has no chat, as the sample app expects
    return out
