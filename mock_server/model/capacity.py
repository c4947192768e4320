"""Who is on duty and how much room there is: available agents, slots, estimated wait time."""
from .accounts import Account, User
from .agents import OCCUPIED, ONLINE, STATE_NUMBER, AgentSession
from .chats import ENDED, WAITING
from .errors import BadRequest


def _skill_id(account: Account, skill) -> str | None:
    """The id of a skill named by id or name; "" for a skill that does not exist."""
    if skill in (None, ""):
        return None
    found = account.skills.get(str(skill)) or account.skill_by_name(str(skill))
    return found.id if found else ""


def _sessions(sb, account: Account) -> list[AgentSession]:
    return [s for s in sb.agents.by_id.values() if s.account_id == account.id and not s.ended]


def available_agents(sb, account: Account, skill=None, chat_state=None,
                     voice_state=None) -> list[tuple[User, str, int, float]]:
    """Every enabled user of the account as (user, chat state, chats held, since), filtered."""
    skill_id = account.find_skill(skill).id if skill not in (None, "") else None
    states = {"1": "Offline", "2": "Online", "3": "Occupied", "4": "Away"}
    wanted = states.get(str(chat_state), chat_state) if chat_state else None
    if wanted and wanted not in STATE_NUMBER:
        raise BadRequest(f"Invalid chatState '{chat_state}'", 70)
    if voice_state and states.get(str(voice_state), voice_state) != "Offline":
        return []  # nobody is on voice in a chat-only sandbox
    result = []
    for user in account.users.values():
        if not user.enabled or (skill_id and skill_id not in user.skill_ids):
            continue
        sessions = sb.agents.for_user(user)
        state = sessions[-1].availability if sessions else "Offline"
        if wanted and state != wanted:
            continue
        since = sessions[-1].state_since if sessions else sb.started
        result.append((user, state, sb.load(user), since))
    return result


def available_slots(sb, account: Account, skill=None, max_wait_time=None, agent=None) -> int:
    """Free concurrent-chat capacity of Online agents (per skill or agent); -1 is unlimited."""
    if agent:
        user = account.user_by_login(agent)
        sessions = sb.agents.for_user(user) if user else []
    else:
        skill_id = _skill_id(account, skill)  # an unknown skill matches no session: 0 slots
        sessions = [s for s in _sessions(sb, account)
                    if skill_id is None or skill_id in s.user.skill_ids]
    total, seen = 0, set()
    for session in sessions:
        if session.availability != ONLINE or session.user.id in seen:
            continue
        seen.add(session.user.id)
        free = sb.router.free_slots(session)
        if free is None:
            return -1
        total += free
    if max_wait_time is None or int(max_wait_time) == 0:
        return total
    # With a wait allowed, chats that will end within it free their slots too: the queue ahead
    # of a new chat is subtracted from what the estimate says can be served in time.
    queued = sum(1 for c in sb.chats.values() if c.account_id == account.id and c.state == WAITING)
    return max(total - queued, 0) if total else 0


def estimated_wait_time(sb, account: Account, skill=None) -> int:
    """Seconds until an agent is free: 0 now, -1 nobody online, -2 not enough data."""
    skill_id = _skill_id(account, skill)  # an unknown skill has nobody online: -1
    on_duty = [s for s in _sessions(sb, account) if s.availability in (ONLINE, OCCUPIED)
               and (skill_id is None or skill_id in s.user.skill_ids)]
    if not any(s.availability == ONLINE for s in on_duty):
        return -1
    if any(sb.router.free_slots(s) != 0 for s in on_duty if s.availability == ONLINE):
        return 0
    handled = [c.ended_time - c.accepted_time for c in sb.chats.values()
               if c.account_id == account.id and c.state == ENDED and c.accepted_time
               and (skill_id is None or c.skill_id == skill_id)]
    if not handled:
        return -2
    queued = sum(1 for c in sb.chats.values() if c.account_id == account.id and c.state == WAITING
                 and (skill_id is None or c.skill_id == skill_id))
    agents = len({s.user.id for s in on_duty})
    return int(round(sum(handled) / len(handled) * (queued + 1) / agents))
