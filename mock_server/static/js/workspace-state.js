// The workspace's state: the agent, their own chats, the live view, what is selected, and what changes them.

// Nothing here touches the page. A change marks what it makes stale (a chat's key in
// `dirtyChats`, or `dirtyLists` for the lists, the team and the ring) and workspace-render.js
// redraws just that, at most once a frame, so a burst of live events costs one redraw.
import { asList } from "./common.js";
import { chatKind } from "./workspace-filters.js";

const LIVE_KEEP = 500; // events kept per chat by the live view

export class WorkspaceState {
  constructor() {
    this.api = null; // the AgentApi of the logged-in agent
    this.running = false; // logged in: the loops go on while this holds
    this.me = { agentName: null, userId: null, maxChats: null, skills: [], takesChats: true, availability: "Away" };
    this.mine = new Map(); // chat id -> my chat (Chat Agent API)
    this.live = { socket: null, seq: 0, ready: false, buffer: [], chats: new Map(), agents: [], queues: {},
      clockOffset: 0, skills: [], canned: [] };
    this.view = { tab: "mine", selected: null, paneKey: null, paneShown: new Set() }; // paneShown: event ids drawn
    this.ringing = { count: 0, acceptUrl: null };
    this.dirtyChats = new Set(); // "mine:<id>" / "live:<id>": the open pane redraws if it shows one
    this.dirtyLists = false;
  }

  // --- what is stale ------------------------------------------------------------------------

  markChat(key) {
    this.dirtyChats.add(key);
  }

  markLists() {
    this.dirtyLists = true;
  }

  /** Everything is stale (the open pane too: it is drawn again from its first event). */
  markAll() {
    this.dirtyLists = true;
    this.view.paneKey = null;
  }

  // --- the agent's session ------------------------------------------------------------------

  /** The agent's profile (Chat Agent API info); an agent with no skill and no chat takes none. */
  setAgent(info) {
    const skills = asList(info.skillsInfo?.skillInfo).map((s) => s.name);
    Object.assign(this.me, { agentName: info.agentName, userId: String(info.id), maxChats: Number(info.maxChats), skills,
      takesChats: skills.length > 0 || Number(info.maxChats) !== 0 });
  }

  /** Logged out: the session, the chats and the live view are dropped. */
  endSession() {
    this.running = false;
    this.api = null;
    if (this.live.socket) { this.live.socket.disconnect(); this.live.socket = null; }
    this.mine.clear();
    this.live.chats.clear();
    this.live.agents = [];
    this.live.queues = {};
    this.live.ready = false;
    this.view.selected = null;
    this.view.paneKey = null;
    this.ringing = { count: 0, acceptUrl: null };
  }

  /** The sandbox's time: its clock may run apart from this browser's (a movable clock, say). */
  sandboxNow() {
    return Date.now() + this.live.clockOffset;
  }

  // --- rings ----------------------------------------------------------------------------------

  /** One ringing chat was taken: the next poll says how many still ring. */
  accepted() {
    this.ringing = { count: Math.max(this.ringing.count - 1, 0), acceptUrl: this.ringing.acceptUrl };
  }

  /** The live summaries of the chats ringing at this agent session. */
  ringingChats() {
    return [...this.live.chats.values()].map((c) => c.summary)
      .filter((s) => s.state === "waiting" && s.ringingSessionId && this.api?.sessionUrl?.endsWith(`/${s.ringingSessionId}`));
  }

  // --- my chats (Chat Agent API) --------------------------------------------------------------

  /** A chat just accepted (or held from before a reload), before its first events. */
  addMyChat(id, url) {
    const chat = { id, url, nextUrl: `${url}/events?from=0&v=1&NC=true`, events: [], info: null, visit: null,
      status: "open", closedText: "", visitorTyping: "not-typing", unread: false };
    this.mine.set(id, chat);
    return chat;
  }

  /** The chat resource (info, events, links); returns the visit's link, if it has one. */
  loadMyChat(chat, resource) {
    chat.info = resource.info;
    this.addMyEvents(chat, resource.events);
    const visitLink = asList(resource.link).find((l) => l["@rel"] === "visit-id");
    chat.surveyUrl = asList(resource.link).find((l) => l["@rel"] === "agent-survey")?.["@href"] || null;
    return visitLink ? visitLink["@href"] : null;
  }

  setVisit(chat, visit) {
    chat.visit = visit;
    this.markChat(`mine:${chat.id}`);
  }

  /** A page of events: the new ones are kept, and `next` says where the following page starts. */
  addMyEvents(chat, events) {
    if (!events) return;
    const next = asList(events.link).find((l) => l["@rel"] === "next");
    if (next) chat.nextUrl = next["@href"] + (next["@href"].includes("v=") ? "" : "&v=1&NC=true");
    const list = asList(events.event);
    const known = chat.events.length ? Number(chat.events.at(-1)["@id"]) : -1;
    for (const event of list) {
      if (Number(event["@id"]) <= known) continue;
      chat.events.push(event);
      if (event["@type"] === "state" && event.state === "ended") chat.status = "ended";
    }
    if (list.length) {
      if (!this.isSelected("mine", chat.id)) chat.unread = true;
      this.markChat(`mine:${chat.id}`);
      this.markLists();
    }
  }

  /** One round of the chat's poll: its new events and its info. */
  polledMyChat(chat, events, info) {
    this.addMyEvents(chat, events);
    chat.info = info;
    if (chat.visitorTyping !== info.visitorTyping) {
      chat.visitorTyping = info.visitorTyping;
      this.markChat(`mine:${chat.id}`);
    }
    if (info.state === "ended") chat.status = "ended";
  }

  /** The chat is no longer this agent's (transferred, or taken away); `text` says how. */
  closeMyChat(chat, text) {
    chat.status = "closed";
    chat.closedText = text;
    this.markChat(`mine:${chat.id}`);
    this.markLists();
  }

  endMyChat(chat) {
    chat.status = "ended";
    this.markChat(`mine:${chat.id}`);
    this.markLists();
  }

  // --- what is on screen ----------------------------------------------------------------------

  setTab(tab) {
    this.view.tab = tab;
    this.markLists();
  }

  isSelected(kind, id) {
    return this.view.selected?.kind === kind && this.view.selected.id === id;
  }

  select(kind, id) {
    // a chat of my own opens with its Chat Agent API transcript, wherever it was picked
    if (kind === "live" && this.mine.has(id) && this.mine.get(id).status === "open") kind = "mine";
    this.view.selected = { kind, id };
    if (kind === "mine") this.mine.get(id).unread = false;
    this.markLists();
  }

  /** Close the pane; a chat of my own that is over leaves "My chats" with it. */
  closeSelected() {
    if (this.view.selected?.kind === "mine") this.mine.delete(this.view.selected.id);
    this.view.selected = null;
    this.markLists();
  }

  selectedMine() {
    return this.view.selected?.kind === "mine" ? this.mine.get(this.view.selected.id) : null;
  }

  selectedVisitorName() {
    const id = this.view.selected?.id;
    const chat = id ? this.mine.get(id) : null;
    const summary = id ? this.live.chats.get(id)?.summary : null;
    return summary?.visitorName || chat?.visit?.visitorInfo?.name || "";
  }

  /** The open tab's list: my chats newest first, or every chat (waiting, chatting, ended; newest first). */
  listItems() {
    if (this.view.tab === "mine") {
      return [...this.mine.values()].reverse().map((chat) => ({ key: `mine:${chat.id}`, kind: "mine", id: chat.id }));
    }
    const order = { waiting: 0, chatting: 1, ended: 2 };
    return [...this.live.chats.values()].sort((a, b) => (order[a.summary.state] - order[b.summary.state])
      || (b.summary.lastUpdate - a.summary.lastUpdate))
      .map((c) => ({ key: `live:${c.summary.id}`, kind: "live", id: c.summary.id }));
  }

  /** The facts the filters and the search look at, for one list item. */
  filterRecord(item) {
    if (item.kind === "mine") {
      const chat = this.mine.get(item.id);
      const s = this.live.chats.get(item.id)?.summary;
      const state = chat.status === "open" ? "chatting" : chat.status === "ended" ? "ended" : (s?.state || "chatting");
      return { name: s?.visitorName || chat.visit?.visitorInfo?.name || chat.info?.visitorName, state,
        email: s?.visitor?.email || chat.visit?.visitorInfo?.email, skill: s?.skill || null,
        kind: s ? chatKind(s, this.live.agents) : "human", events: chat.events };
    }
    const entry = this.live.chats.get(item.id);
    const s = entry.summary;
    return { name: s.visitorName, email: s.visitor?.email, state: s.state, skill: s.skill,
      kind: chatKind(s, this.live.agents), events: entry.events };
  }

  // --- the live view (Socket.IO) ---------------------------------------------------------------

  agentByName(name) {
    return this.live.agents.find((a) => a.nickname === name) || null;
  }

  agentKind(name) {
    return this.agentByName(name)?.userType || "human";
  }

  /** A live event: kept until the snapshot it follows is in. False once it is applied. */
  buffer(message) {
    if (this.live.ready) return false;
    this.live.buffer.push(message);
    return true;
  }

  /** The account as the watch began, then the events that came meanwhile; true if one of them was new. */
  applySnapshot(snapshot) {
    this.live.chats.clear();
    for (const chat of snapshot.chats || []) {
      const { events, eventsOmitted, ...summary } = chat;
      this.live.chats.set(chat.id, { summary, events: events || [], omitted: eventsOmitted || 0 });
    }
    this.live.agents = snapshot.agents || [];
    this.live.queues = snapshot.queues || {};
    this.live.skills = snapshot.skills || [];
    this.live.canned = snapshot.cannedResponses || [];
    this.live.seq = snapshot.seq || 0;
    this.live.clockOffset = (snapshot.now || Date.now()) - Date.now();
    this.live.ready = true;
    this.view.paneKey = null; // redraw the open conversation from the snapshot
    let applied = false;
    for (const message of this.live.buffer.splice(0)) applied = this.applyEvent(message) || applied;
    this.markLists();
    return applied;
  }

  /** One event of the account's bus; false if the snapshot already had it. */
  applyEvent(message) {
    const live = this.live;
    if (message.seq && message.seq <= live.seq) return false;
    live.seq = Math.max(live.seq, message.seq || 0);
    if (message.time) live.clockOffset = message.time - Date.now();
    const data = message.data || {};
    if (data.agents) live.agents = data.agents;
    if (data.queues) live.queues = data.queues;
    if (data.chat) {
      const entry = live.chats.get(data.chat.id) || { summary: data.chat, events: [], omitted: 0 };
      entry.summary = data.chat;
      live.chats.set(data.chat.id, entry);
      if (message.kind === "chat.event" && data.event) {
        const last = entry.events.at(-1);
        if (!last || Number(data.event["@id"]) > Number(last["@id"])) {
          entry.events.push(data.event);
          if (entry.events.length > LIVE_KEEP) {
            const drop = entry.events.length - LIVE_KEEP;
            entry.events.splice(0, drop);
            entry.omitted += drop;
          }
        }
      }
      this.markChat(`live:${data.chat.id}`);
    }
    this.markLists();
    return true;
  }
}
