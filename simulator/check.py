"""`python -m simulator check`: the seed's Step 4 tests against a running sandbox (or LivePerson).

Five steps, each PASS or FAIL with what was seen:

1. a conversation reaches the bot's skill: the Account Config API names an engagement that
   routes to the bot's skill; a customer (Server Chat API) asks for a chat through it, the chat
   lands on that skill and the bot answers.
2. the bot's conversation can be watched while it runs: the sandbox's live view (Socket.IO)
   shows that chat's lines while it is open (a sandbox feature; LivePerson has no such API).
3. skill routing is right: the bot's chat went to the bot, and a chat for the human skill
   rings at the human agent, not at the bot.
4. the bot appears in the agent list: the human agent's availableAgents lists the bot Online.
5. escalation reaches a human agent: the customer says the escalation word; the chat is
   transferred to the human skill, rings at the human agent, who accepts it, sees the whole
   history with the transfer message and the bot's reason, and replies; the customer sees it.

The human side uses the Login and Chat Agent APIs with a human agent's credentials, as a real
agent workspace would; the check goes Online as that agent for the duration.
"""
import threading
import time
from dataclasses import dataclass, field

from .account_config import AccountConfig, ConfigUser
from .client import AgentChat, AgentClient, AgentSession, LivePersonError
from .customer import ScriptedCustomer
from .live_view import LiveView
from .report import Reporter, verdict_line
from .responses import TRANSFERRED
from .visitor import GLOBAL_APP_KEY, VisitorClient

STEPS = ("a conversation reaches the bot's skill",
         "the bot's conversation can be watched while it runs",
         "skill routing is right",
         "the bot appears in the agent list",
         "escalation reaches a human agent")


@dataclass
class CheckOptions:
    """Where the sandbox is, who the agents are, how long to wait."""

    url: str
    account: str = "12345678"
    agent_user: str = "demo-agent"
    agent_password: str = "demo-agent-pass"
    bot_user: str = "demo-bot"
    human_skill: str = "support-human"
    escalate_text: str = "agent"
    app_key: str = GLOBAL_APP_KEY
    verify: bool | str = True
    timeout: float = 20.0  # deadline of each wait
    poll: float = 0.5


@dataclass
class StepOutcome:
    """One step's verdict."""

    number: int
    title: str
    status: str = "SKIP"  # PASS, FAIL, SKIP
    detail: str = ""


class StepFailed(Exception):
    """The current step failed; the message says what was seen."""


@dataclass
class _State:
    bot: ConfigUser | None = None
    bot_skill: str | None = None
    engagement: str | None = None
    customer: ScriptedCustomer | None = None  # the customer who chats with the bot
    extra_chats: list = field(default_factory=list)  # other VisitorChats to end at the end

    @property
    def chat(self):
        """The customer's VisitorChat with the bot."""
        return self.customer.chat if self.customer else None


class Checker:
    """Runs the five steps in order; later steps that need an earlier one are skipped."""

    def __init__(self, options: CheckOptions, report: Reporter | None = None, on_step=None):
        self.o = options
        self.report = report or Reporter("check")
        # Called once per step as its verdict is known (the CLI prints it); default: a log event.
        self.on_step = on_step or (lambda o: self.report("step", number=o.number, title=o.title,
                                                         status=o.status, detail=o.detail))
        self.outcomes = [StepOutcome(n, title) for n, title in enumerate(STEPS, 1)]
        self.agent = AgentClient(options.url, options.account, options.verify, report=self.report)
        self.visitor = VisitorClient(options.url, options.account, options.app_key, options.verify)
        self.live: LiveView | None = None
        self.session: AgentSession | None = None
        self.s = _State()
        self._engagements_seen = 0
        self.live_error: str | None = None
        self._stop = threading.Event()

    def stop(self) -> None:
        """Give up waiting (Ctrl-C)."""
        self._stop.set()

    # --- running -----------------------------------------------------------------------

    def run(self) -> list[StepOutcome]:
        """Every step, then clean up (chats ended, agent logged out, live view closed)."""
        try:
            self._setup()
        except LivePersonError as exc:
            for outcome in self.outcomes:
                outcome.status, outcome.detail = "FAIL", f"could not start: {exc}"
                self.on_step(outcome)
            self._cleanup()
            return self.outcomes
        steps = [(self._reach_bot_skill, ()), (self._watched, (1,)), (self._routing, (1,)),
                 (self._agent_list, ()), (self._escalation, (1,))]
        try:
            for outcome, (step, needs) in zip(self.outcomes, steps):
                missing = [n for n in needs if self.outcomes[n - 1].status != "PASS"]
                if missing:
                    outcome.status, outcome.detail = "SKIP", f"needs step {', '.join(map(str, missing))}"
                    self.on_step(outcome)
                else:
                    self._run_step(outcome, step)
        finally:
            self._cleanup()
        return self.outcomes

    def _run_step(self, outcome: StepOutcome, step) -> None:
        try:
            outcome.detail = step()
            outcome.status = "PASS"
        except (StepFailed, LivePersonError, TimeoutError) as exc:
            outcome.status, outcome.detail = "FAIL", str(exc)
        self.on_step(outcome)

    def _setup(self) -> None:
        """Log in as the human agent (Online), read who the bot is, open the live view."""
        self.agent.login_user(self.o.agent_user, self.o.agent_password)
        self.session = self.agent.start_agent_session()
        self.session.set_availability("Online")
        config = AccountConfig(self.agent)
        skills = {s.id: s.name for s in config.skills()}
        self.s.bot = next((u for u in config.users() if u.login_name == self.o.bot_user), None)
        if self.s.bot is not None and self.s.bot.skill_ids:
            skill_id = self.s.bot.skill_ids[0]
            self.s.bot_skill = skills.get(skill_id, skill_id)
            found, self._engagements_seen = config.engagements_for_skill(skill_id)
            self.s.engagement = found[0].id if found else None
        self.live = LiveView(self.o.url, self.o.account, self.o.verify)
        try:
            self.live.connect(self.agent.bearer, self.o.timeout)
        except ConnectionError as exc:
            self.live_error = str(exc)  # only step 2 needs it (LivePerson itself has none)

    def _cleanup(self) -> None:
        for chat in [self.s.chat, *self.s.extra_chats]:
            if chat is not None:
                try:
                    if chat.info().state != "ended":
                        chat.end()
                except LivePersonError:
                    pass  # best effort: the chat may be gone already
        try:
            if self.agent.auth.result is not None:
                self.agent.logout()
        except LivePersonError as exc:
            self.report("error", stage="logout", error=str(exc))
        self.agent.close()
        self.visitor.close()
        if self.live is not None:
            self.live.close()

    # --- waiting -------------------------------------------------------------------------

    def _until(self, condition, what: str, act=None):
        """Call `act()` then `condition()` until it gives something truthy; StepFailed at the deadline."""
        deadline = time.monotonic() + self.o.timeout
        while True:
            if act is not None:
                act()
            value = condition()
            if value:
                return value
            if time.monotonic() >= deadline or self._stop.is_set():
                raise StepFailed(f"{what} did not happen within {self.o.timeout:g}s")
            self._stop.wait(self.o.poll)

    def _agent_lines_after(self, mark: int, name: str | None = None):
        return [e for e in self.s.customer.events
                if e.id > mark and e.is_agent_line and (name is None or e.by == name)]

    # --- the steps -----------------------------------------------------------------------

    def _reach_bot_skill(self) -> str:
        bot, skill = self.s.bot, self.s.bot_skill
        if bot is None:
            raise StepFailed(f"no user {self.o.bot_user} in account {self.o.account}")
        if skill is None:
            raise StepFailed(f"{self.o.bot_user} has no skill")
        if self.s.engagement is None:
            raise StepFailed(f"no engagement routes to skill {skill} (looked at "
                             f"{self._engagements_seen} engagements through the Account Config API)")
        customer = self.s.customer = ScriptedCustomer(self.visitor, poll=self.o.poll, report=self.report)
        chat = customer.request(engagement_id=self.s.engagement)
        self._until(lambda: customer.joins, "an agent joining the chat", customer.poll)
        landed = chat.info().skill_name
        if landed != skill:
            raise StepFailed(f"engagement {self.s.engagement} put the chat on skill {landed}, not {skill}")
        said = customer.say("Hi")
        answer = self._until(lambda: self._agent_lines_after(said), "an answer from the bot",
                             customer.poll)[0]
        return (f"engagement {self.s.engagement} -> skill {skill}; chat {chat.id} answered by "
                f"{answer.by}: {answer.plain_text!r}")

    def _watched(self) -> str:
        if self.live_error:
            raise StepFailed(self.live_error)
        chat_id = self.s.chat.id

        def seen(events):
            lines = [e["data"]["event"] for e in events
                     if (e.get("data") or {}).get("chatId") == chat_id and e["kind"] == "chat.event"
                     and e["data"].get("event", {}).get("@type") == "line"]
            return {line.get("source") for line in lines} >= {"visitor", "agent"}

        if not self.live.wait_for(seen, self.o.timeout):
            kinds = sorted({e["kind"] for e in self.live.chat_events(chat_id)})
            raise StepFailed(f"the live view did not show the visitor's and the bot's lines of chat "
                             f"{chat_id} (saw: {', '.join(kinds) or 'nothing'})")
        if self.s.chat.info().state == "ended":
            raise StepFailed("the chat ended before it could be watched")
        return f"live view showed {len(self.live.chat_events(chat_id))} events of chat {chat_id} while it ran"

    def _routing(self) -> str:
        bot = self.s.bot
        holder = self.s.chat.info().agent_name
        if holder != bot.nickname:
            raise StepFailed(f"the bot's chat is held by {holder}, not {bot.nickname} ({bot.login_name})")
        info = self.session.info()
        if self.o.human_skill not in {s.name for s in info.skills}:
            raise StepFailed(f"{self.o.agent_user} does not have skill {self.o.human_skill}")
        other = self.visitor.request_chat(skill=self.o.human_skill)
        self.s.extra_chats.append(other)
        accepted = self._accept_next(f"the {self.o.human_skill} chat ringing at {self.o.agent_user}",
                                     other.id)
        if accepted.id != other.id:
            raise StepFailed(f"{self.o.agent_user} was rung with chat {accepted.id}, not the "
                             f"{self.o.human_skill} chat {other.id}")
        holder_of_other = other.info().agent_name
        accepted.end()
        return (f"{self.s.bot_skill} chat held by {bot.nickname}; {self.o.human_skill} chat rang at "
                f"{self.o.agent_user} ({holder_of_other})")

    def _agent_list(self) -> str:
        agents = self.session.available_agents()
        bot = agents.by_login(self.o.bot_user)
        if bot is None:
            raise StepFailed(f"{self.o.bot_user} is not in availableAgents "
                             f"({', '.join(a.user_name for a in agents.agents)})")
        if bot.chat_state != "Online":
            raise StepFailed(f"{self.o.bot_user} is listed but {bot.chat_state}, not Online")
        skills = ", ".join(s.name or s.id for s in bot.skills)
        return f"{bot.user_name} ({bot.nickname}) listed Online with skills {skills}, {bot.chats} chat(s)"

    def _escalation(self) -> str:
        chat, customer = self.s.chat, self.s.customer
        said = customer.say(self.o.escalate_text)
        transfer = self._until(
            lambda: [e for e in customer.events if e.id > said and e.is_system_line
                     and e.system_message_id == TRANSFERRED], "a transfer announced to the customer",
            customer.poll)[0]
        if (chat.info().skill_name or "") != self.o.human_skill:
            raise StepFailed(f"the chat went to {chat.info().skill_name}, not {self.o.human_skill}")
        agent_chat = self._accept_next(f"the transferred chat ringing at {self.o.agent_user}", chat.id)
        if agent_chat.id != chat.id:
            raise StepFailed(f"{self.o.agent_user} was rung with chat {agent_chat.id}, not {chat.id}")
        history = agent_chat.resource().events.events
        texts = [e.plain_text for e in history if e.is_line]
        if not any(e.is_system_line and e.system_message_id == TRANSFERRED for e in history):
            raise StepFailed("the human agent's history lacks the transfer message (15)")
        reasons = [e for e in history if e.only_to_rep and e.by == self.s.bot.nickname]
        if not reasons:
            raise StepFailed("the transfer carried no reason for the human agent")
        if "Hi" not in texts or self.o.escalate_text not in texts:
            raise StepFailed(f"the human agent does not see the whole conversation: {texts}")
        me = self.session.info().agent_name
        reply = agent_chat.add_line(f"Hi, this is {me}. I can help from here.")
        self._until(lambda: [e for e in customer.events if e.id >= reply and e.is_agent_line and e.by == me],
                    f"the customer seeing {me}'s reply", customer.poll)
        return (f"{transfer.plain_text!r}; {self.o.agent_user} accepted, saw {len(history)} events "
                f"with the reason {reasons[0].plain_text!r}, and the customer saw {me}'s reply")

    def _accept_next(self, what: str, chat_id: str) -> AgentChat:
        """Accept the chat when it rings at our agent (a person logged in as the same agent, in
        the workspace, sees the same ring: we take it first); say why when it never rings."""
        try:
            ring = self._until(lambda: (lambda r: r if r.ringing_count > 0 else None)(
                self.session.incoming_requests()), what)
        except StepFailed as exc:
            raise StepFailed(f"{exc}: {self._why_not_ringing(chat_id)}") from None
        return self.session.accept(ring.accept_url)

    def _why_not_ringing(self, chat_id: str) -> str:
        """What the live view says about a chat that did not ring at our agent, as advice."""
        try:
            live = self.agent.transport.get_json(
                f"{self.o.url.rstrip('/')}/_sandbox/accounts/{self.o.account}/live",
                {"Authorization": f"Bearer {self.agent.bearer}"})
        except LivePersonError:
            return "(no live view to say why: is this a sandbox?)"
        chat = next((c for c in live.get("chats", []) if c.get("id") == chat_id), None)
        me = next((a for a in live.get("agents", []) if a.get("loginName") == self.o.agent_user), {})
        if chat is None:
            return "the chat is gone from the live view"
        if chat.get("ringingAgent"):
            return (f"it rang at {chat['ringingAgent']} instead, another agent of skill "
                    f"{chat.get('skill')} who was free first; set that agent Away (or log it out) "
                    f"and run check again")
        if chat.get("state") != "waiting":
            return f"it is {chat.get('state')} with {chat.get('agentName') or 'nobody'}"
        load, most = me.get("load", 0), me.get("maxChats", -1)
        if 0 <= most <= load + me.get("ringing", 0):
            return (f"{self.o.agent_user} already holds {load} of {most} chats (maxChats), so no new "
                    f"chat can ring: end a chat in the workspace, or raise maxChats, and run check again")
        queued = len(live.get("queues", {}).get(chat.get("skill") or "", []))
        return (f"it waits in the {chat.get('skill')} queue ({queued} waiting) and rings nobody; "
                f"{self.o.agent_user} is {me.get('availability', 'Offline')}")


def format_outcome(outcome: StepOutcome) -> str:
    """One step's printed verdict."""
    return verdict_line(outcome.status, outcome.number, outcome.title, outcome.detail)


def format_total(outcomes: list[StepOutcome]) -> str:
    """The closing line: the verdict over every step."""
    passed = sum(1 for o in outcomes if o.status == "PASS")
    return f"check: {'PASS' if passed == len(outcomes) else 'FAIL'} ({passed}/{len(outcomes)} passed)"
