// A Server Chat API client for the consumer page: engagements, surveys, chat request, events, lines, typing, end.

// It works as LivePerson's JS chat SDK does: same origin, an app key instead of a login, and
// every chat call under the chat's own URL (the Location of the chat request). Two calls are the
// sandbox's own helpers, not LivePerson's: the made-up persona and the engagement list.
import { ApiError, DEFAULT_ACCOUNT, GLOBAL_APP_KEY, request, withQuery } from "./common.js";

export class ConsumerApi {
  constructor(account = DEFAULT_ACCOUNT, appKey = GLOBAL_APP_KEY) {
    this.account = account;
    this.appKey = appKey;
  }

  get base() {
    return `/api/account/${encodeURIComponent(this.account)}`;
  }

  headers() {
    return { Authorization: `LivePerson appKey=${this.appKey}` };
  }

  call(url, options = {}) {
    return request(url, { ...options, headers: { ...this.headers(), ...(options.headers || {}) } });
  }

  /** A made-up customer (Faker) to fill the persona form. */
  async persona() {
    return (await request("/_sandbox/persona")).json.persona;
  }

  /** The account's published engagements with their live availability, and its agents
   * (nickname, userType, pictureUrl) so lines can show who wrote them. */
  async engagements() {
    const { json } = await this.call(`/_sandbox/accounts/${encodeURIComponent(this.account)}/engagements`);
    return { engagements: json.engagements || [], agents: json.agents || [] };
  }

  /** The pre-chat survey, or null when none is configured. */
  async preSurvey() {
    return (await this.call(withQuery(`${this.base}/chat/preSurvey`))).json?.survey;
  }

  /** Ask for a chat ({engagementId, campaignId, persona, survey}); returns the chat's URL, the
   * root of every other chat call. */
  async requestChat(details) {
    const response = await this.call(withQuery(`${this.base}/chat/request`), { method: "POST", body: { request: details } });
    const chatUrl = response.headers.get("Location");
    if (!chatUrl) throw new ApiError(500, "The chat request returned no chat location");
    return chatUrl;
  }

  async setVisitorName(chatUrl, name) {
    await this.call(withQuery(`${chatUrl}/info/visitorName`), { method: "PUT", body: { visitorName: name.slice(0, 100) } });
  }

  /** A page of events; `url` is the previous page's `next` link, as handed back. */
  async events(url) {
    return (await this.call(url)).json?.events;
  }

  async info(chatUrl) {
    return (await this.call(withQuery(`${chatUrl}/info`))).json?.info;
  }

  /** Send a line; returns the new event's id (from its Location), or null if none is given. */
  async sendLine(chatUrl, text) {
    const response = await this.call(withQuery(`${chatUrl}/events`), {
      method: "POST", body: { event: { "@type": "line", text, textType: "plain" } } });
    const match = /\/events\/(\d+)/.exec(response.headers.get("Location") || "");
    return match ? Number(match[1]) : null;
  }

  async setTyping(chatUrl, value) {
    await this.call(withQuery(`${chatUrl}/info/visitorTyping`), { method: "PUT", body: { visitorTyping: value } });
  }

  async end(chatUrl) {
    await this.call(withQuery(`${chatUrl}/events`), { method: "POST", body: { event: { "@type": "state", state: "ended" } } });
  }

  /** The exit survey of an ended chat (null without one). */
  async exitSurvey(chatUrl) {
    return (await this.call(withQuery(`${chatUrl}/exitSurvey`))).json?.survey;
  }

  /** `question`: [{id, answer}], an answer being a value or (check boxes) a list of them. */
  async submitExitSurvey(chatUrl, surveyId, question) {
    await this.call(withQuery(`${chatUrl}/exitSurvey`), { method: "PUT", body: { survey: { id: surveyId, question } } });
  }
}
