// A Chat Agent API client for the workspace: login, agent session, availability, rings, chats, logout.

// Every URL after the agent session comes from the links the API hands back, as LivePerson's
// workspace does.
import { asList, request, withQuery } from "./common.js";

export class AgentApi {
  constructor(account) {
    this.account = account;
    this.bearer = null;
    this.csrf = null;
    this.userId = null;
    this.loginName = null;
    this.sessionUrl = null;
  }

  get base() {
    return `/api/account/${encodeURIComponent(this.account)}`;
  }

  headers() {
    return { Authorization: `Bearer ${this.bearer}` };
  }

  call(url, options = {}) {
    return request(url, { ...options, headers: { ...this.headers(), ...(options.headers || {}) } });
  }

  /** User login (Login Service API). */
  async login(username, password) {
    const { json } = await request(`${this.base}/login?v=1.3`, { method: "POST", body: { username, password } });
    this.bearer = json.bearer;
    this.csrf = json.csrf;
    this.userId = json.config?.userId;
    this.loginName = json.config?.loginName || username;
    return json;
  }

  resume(saved) {
    Object.assign(this, { bearer: saved.bearer, csrf: saved.csrf, userId: saved.userId, loginName: saved.loginName });
  }

  saved() {
    return { account: this.account, bearer: this.bearer, csrf: this.csrf, userId: this.userId, loginName: this.loginName };
  }

  async logout() {
    try {
      await this.call(`${this.base}/logout`, { method: "POST", body: { csrf: this.csrf } });
    } finally {
      this.bearer = this.csrf = this.sessionUrl = null;
    }
  }

  /** Start an agent session; its URL is the root of everything else. */
  async startSession() {
    const { json } = await this.call(withQuery(`${this.base}/agentSession`), { method: "POST", body: { loginData: "" } });
    this.sessionUrl = json.agentSessionLocation.link["@href"];
    return this.sessionUrl;
  }

  async info() {
    return (await this.call(withQuery(`${this.sessionUrl}/info`))).json.info;
  }

  async setAvailability(value) {
    const { json } = await this.call(withQuery(`${this.sessionUrl}/availability`), {
      method: "PUT", body: { availability: { chat: value } } });
    return json.availability.chat;
  }

  /** How many chats ring here, and the link that accepts the next one. */
  async incomingRequests() {
    const { json } = await this.call(withQuery(`${this.sessionUrl}/incomingRequests`));
    const body = json.incomingRequests || {};
    const link = asList(body.link).find((l) => l["@rel"] === "accept-next-chat");
    return { count: Number(body.ringingCount || 0), acceptUrl: link ? link["@href"] : null };
  }

  /** Accept the next ringing chat; returns the chat's URL. */
  async accept(acceptUrl) {
    const { json } = await this.call(withQuery(acceptUrl || `${this.sessionUrl}/incomingRequests`), { method: "POST", body: {} });
    return json.chatLocation.link["@href"];
  }

  async chatSessions() {
    const { json } = await this.call(withQuery(`${this.sessionUrl}/chatSessions`));
    return asList(json.chatSessions?.chatSession).map((c) => ({ id: c.chatSessionKey, url: c.link["@href"] }));
  }

  /** The whole chat: links, events, info. */
  async chat(chatUrl) {
    return (await this.call(withQuery(chatUrl))).json.chat;
  }

  async events(url) {
    return (await this.call(url)).json.events;
  }

  async chatInfo(chatUrl) {
    return (await this.call(withQuery(`${chatUrl}/info`))).json.info;
  }

  async visit(url) {
    return (await this.call(withQuery(url))).json.visit;
  }

  async sendLine(chatUrl, text) {
    const { json } = await this.call(withQuery(`${chatUrl}/events`), {
      method: "POST", body: { event: { "@type": "line", text, textType: "plain" } } });
    return json;
  }

  async setTyping(chatUrl, value) {
    await this.call(withQuery(`${chatUrl}/info/agentTyping`), { method: "PUT", body: { agentTyping: value } });
  }

  /** Skills the chat can go to ({id, name, onlineAgents}). */
  async transferSkills(chatUrl) {
    const { json } = await this.call(withQuery(`${chatUrl}/transfer`));
    return asList(json.transfer?.skill);
  }

  async transfer(chatUrl, skillId, text) {
    const transfer = { skill: { id: skillId } };
    if (text) transfer.text = text;
    await this.call(withQuery(`${chatUrl}/transfer`), { method: "POST", body: { transfer } });
  }

  /** The agent survey (wrap-up) of a chat: its structure, then the answers. */
  async agentSurvey(surveyUrl) {
    return (await this.call(withQuery(surveyUrl))).json.survey;
  }

  async submitAgentSurvey(surveyUrl, surveyId, answers) {
    const question = Object.entries(answers).map(([id, answer]) => ({ id, answer }));
    await this.call(withQuery(surveyUrl), { method: "PUT", body: { survey: { id: surveyId, question } } });
  }

  async end(chatUrl) {
    await this.call(withQuery(`${chatUrl}/events`), { method: "POST", body: { event: { "@type": "state", state: "ended" } } });
  }
}
