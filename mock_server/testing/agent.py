"""The fixture's human agent: Login Service user login and the Chat Agent API
(simulator/client.py), Online in an agent session."""
from simulator.client import AgentChat, AgentClient
from simulator.transport import RetryPolicy

from .lines import ChatSide

HTTP_TIMEOUT = 30.0


class HumanAgent:
    """A human agent logged in, with an agent session, Online."""

    def __init__(self, control, url: str, account: str, verify: bool | str, login: str,
                 password: str, skill_id):
        self._control = control
        self._skill_id = skill_id  # name or id -> id, from the sandbox's config
        self.login = login
        self.account = account
        self.client = AgentClient(url, account, verify=verify, timeout=HTTP_TIMEOUT,
                                  retry=RetryPolicy.none(), relogin_on_401=False)
        self.client.login_user(login, password)
        self.session = self.client.start_agent_session()
        self.session.set_availability("Online")
        self.chats: list[HumanChat] = []

    def accept(self, timeout: float = 5) -> "HumanChat":
        """Accept the next chat that rings here (waiting up to `timeout` seconds for one)."""
        self._control.wait("ring", timeout, agent=self.login, account=self.account)
        ring = self.session.incoming_requests()
        chat = HumanChat(self._control, self.session.accept(ring.accept_url), self._skill_id)
        self.chats.append(chat)
        return chat

    def set_availability(self, value: str) -> str:
        """Online, Away or Occupied; the availability the server answered."""
        return self.session.set_availability(value).chat

    def logout(self) -> None:
        """Log out (the agent session ends with the login)."""
        self.client.logout()

    def close(self) -> None:
        """Drop pooled connections (stays logged in)."""
        self.client.close()


class HumanChat(ChatSide):
    """A chat the human agent holds; wait_for_line waits for the visitor's lines."""

    other = "visitor"

    def __init__(self, control, chat: AgentChat, skill_id):
        super().__init__(control, chat.id)
        self.chat = chat
        self._skill_id = skill_id

    def say(self, text: str, text_type: str = "plain") -> int:
        """Say a line (plain or html); its event id."""
        return self.chat.add_line(text, text_type)

    def transfer(self, skill: str, text: str | None = None) -> None:
        """Hand the chat to a skill (name or id), with a note for the next agent."""
        self.chat.transfer(skill_id=self._skill_id(skill), text=text)

    def end(self) -> int:
        """End the chat; the `ended` event's id."""
        return self.chat.end()

    @property
    def info(self):
        """The chat's info as the agent sees it (a simulator ChatInfo)."""
        return self.chat.info()
