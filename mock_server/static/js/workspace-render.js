// The workspace's drawing: the page's elements, and the lists, team, ring and open conversation drawn from the state.

// Drawing is batched (`schedule`): whatever changed since the last frame is drawn once, from
// what the state marked stale, so the live view can send many events a second.
import { lineContent, lineText } from "./common.js";
import { emptyMineText } from "./workspace-filters.js";
import { waited } from "./workspace-notify.js";
import { deviceLabel, renderOutcome, renderVisitorPanel } from "./workspace-visitor.js";
import {
  ago, avatar, batcher, byId as $, clear, clock, el, followLatest, nearBottom, showError, typingIndicator,
} from "./ui.js";

const LIVE_SHOW = 200; // events drawn per watched chat (a chat of your own shows every event)

export const ui = {
  loginScreen: $("login-screen"), loginForm: $("login-form"), loginError: $("login-error"),
  loginButton: $("login-button"), workspace: $("workspace"), me: $("me"), meName: $("me-name"),
  meAvatar: $("me-avatar"), availability: $("availability"), availabilityDot: $("availability-dot"),
  logout: $("logout"), livePill: $("live-pill"), ring: $("ring"), ringTitle: $("ring-title"),
  ringDetail: $("ring-detail"), accept: $("accept"), agentList: $("agent-list"), agentsCount: $("agents-count"),
  queueList: $("queue-list"), queuesCount: $("queues-count"), tabMine: $("tab-mine"), tabAll: $("tab-all"),
  mineCount: $("mine-count"), allCount: $("all-count"), list: $("conversation-list"), paneEmpty: $("pane-empty"),
  paneChat: $("pane-chat"), paneAvatar: $("pane-avatar"), paneVisitor: $("pane-visitor"), paneSub: $("pane-sub"),
  paneBadges: $("pane-badges"), paneActions: $("pane-actions"), paneInfo: $("pane-info"), paneClose: $("pane-close"),
  paneBody: $("pane-body"), transcript: $("pane-transcript"), typing: $("pane-typing"), jump: $("jump"),
  composer: $("composer"), message: $("message"), send: $("send"), foot: $("pane-foot"),
  transferOpen: $("transfer-open"), endChat: $("end-chat"), transferForm: $("transfer-form"),
  transferSkill: $("transfer-skill"), transferReason: $("transfer-reason"), transferCancel: $("transfer-cancel"),
  transferSubmit: $("transfer-submit"), transferError: $("transfer-error"), toast: $("toast"),
  ringWait: $("ring-wait"), queuePill: $("queue-pill"), sound: $("sound"), favicon: $("favicon"),
  search: $("search"), filterState: $("filter-state"), filterSkill: $("filter-skill"), filterKind: $("filter-kind"),
  listTools: $("list-tools"), filterNote: $("filter-note"), filterSummary: $("filter-summary"), filterClear: $("filter-clear"),
  tabVisitor: $("tab-visitor"), tabTeam: $("tab-team"), visitorPanel: $("visitor-panel"), teamPanel: $("team-panel"),
  meNote: $("me-note"), queueTotal: $("queue-total"), outcome: $("outcome"),
  wrapup: $("wrapup"), wrapupQuestions: $("wrapup-questions"), wrapupError: $("wrapup-error"),
  wrapupSubmit: $("wrapup-submit"), wrapupHint: $("wrapup-hint"),
  canned: $("canned"), cannedList: $("canned-list"), cannedFilter: $("canned-filter"), cannedOpen: $("canned-open"),
  cannedClose: $("canned-close"),
};

function previewOf(event, visitorName) {
  if (!event) return "";
  const text = (lineText(event) || "").replace(/\s+/g, " ").slice(0, 140);
  if (event.source === "system") return text;
  const who = event.source === "visitor" ? (visitorName || event.by || "Customer") : (event.by || "Agent");
  return `${who}: ${text}`;
}

function stateBadge(summary) {
  if (summary.state === "ended") return el("span", { class: "badge", text: "Ended" });
  if (summary.state === "chatting") return el("span", { class: "badge ok", text: "Chatting" });
  const transferred = (summary.transfers || []).length > 0;
  if (summary.ringingAgent) return el("span", { class: "badge warn", text: `${transferred ? "Transferred · " : ""}Ringing ${summary.ringingAgent}` });
  return el("span", { class: "badge warn", text: transferred ? "Transferred · waiting" : "Waiting in queue" });
}

function typeBadge(kind) {
  return el("span", { class: `badge ${kind === "bot" ? "bot" : "human"}`, text: kind === "bot" ? "Bot" : "Human" });
}

export class WorkspaceView {
  /**
   * @param state the WorkspaceState
   * @param parts {notifier, listFilters, wrapup}: the modules that draw their own part
   * @param onSelect (kind, id) when a conversation of the list is picked
   */
  constructor(state, parts, onSelect) {
    Object.assign(this, { state, onSelect, ...parts });
    this.schedule = batcher(() => this.render());
    this.scrollPaneToBottom = followLatest(ui.paneBody, ui.jump);
  }

  /** Draw what the state marked stale. */
  render() {
    const state = this.state;
    if (state.dirtyLists) {
      state.dirtyLists = false;
      this.renderAgents();
      this.renderQueues();
      this.renderList();
      this.renderRing();
    }
    this.renderPane();
    state.dirtyChats.clear();
  }

  renderAll() {
    this.state.markAll();
    this.schedule();
  }

  // --- the page around the workspace -----------------------------------------------------------

  /** Logged in: the workspace replaces the login screen, with the agent's name and what they may do. */
  showWorkspace(info) {
    const me = this.state.me;
    ui.loginScreen.hidden = true;
    ui.meNote.hidden = me.takesChats;
    ui.paneEmpty.querySelector("p").textContent = me.takesChats
      ? "Pick a conversation to watch it live, or accept an incoming chat to take it."
      : "Pick a conversation under All conversations to watch it live.";
    ui.meNote.textContent = me.takesChats ? "" : `You (${info.agentName}) take no chats: you have no skill and a maximum of 0 chats, so you are not in the agent list. You can watch every conversation.`;
    ui.workspace.hidden = false;
    ui.me.hidden = false;
    ui.meName.textContent = info.agentName;
    clear(ui.meAvatar);
    ui.meAvatar.append(avatar(info.agentName, null, "human", "tiny"));
    this.showAvailability();
  }

  /** Logged out: back to the login screen, with `message` (why) under the form. */
  showLogin(message) {
    ui.workspace.hidden = true;
    ui.me.hidden = true;
    ui.loginScreen.hidden = false;
    this.setLivePill("offline", "Live view off");
    showError(ui.loginError, message || "");
  }

  showAvailability() {
    const availability = this.state.me.availability;
    ui.availability.value = availability;
    ui.availabilityDot.className = `dot ${availability}`;
  }

  setLivePill(stateName, text) {
    ui.livePill.dataset.state = stateName;
    ui.livePill.textContent = text;
  }

  // Which transport carries the live view (polling, then websocket once upgraded): shown on
  // the pill as data-transport, for whoever needs to know why the view lags (and for tests).
  showTransport(socket) {
    ui.livePill.dataset.transport = socket.io.engine?.transport?.name || "";
  }

  /** How far the view has got (the bus's sequence), on the pill as data-seq. */
  showSeq() {
    ui.livePill.dataset.seq = String(this.state.live.seq);
  }

  /** The transfer form's skill list: loading, then the skills with an agent on duty. */
  showTransferSkills(skills) {
    clear(ui.transferSkill);
    if (!skills) {
      ui.transferSkill.append(el("option", { value: "", text: "Loading…" }));
      return;
    }
    if (!skills.length) {
      ui.transferSkill.append(el("option", { value: "", text: "No skill has an agent on duty" }));
      ui.transferSubmit.disabled = true;
    } else {
      ui.transferSubmit.disabled = false;
      for (const skill of skills) {
        ui.transferSkill.append(el("option", { value: skill.id, text: `${skill.name} (${skill.onlineAgents} on duty)` }));
      }
    }
  }

  // --- the ring -------------------------------------------------------------------------------

  renderRing() {
    const { ringing, running } = this.state;
    ui.ring.hidden = !ringing.count;
    this.notifier.update(running ? ringing.count : 0);
    this.renderRingWait();
    if (!ringing.count) return;
    const chat = this.state.ringingChats()[0];
    ui.ringTitle.textContent = ringing.count > 1 ? `${ringing.count} incoming chats` : "Incoming chat";
    if (chat) {
      const transfer = (chat.transfers || []).at(-1);
      let detail = `${chat.visitorName} · ${chat.skill || "any skill"}`;
      if (transfer) detail += ` · transferred by ${transfer.from}${transfer.reason ? `: ${transfer.reason}` : ""}`;
      ui.ringDetail.textContent = detail;
    } else {
      ui.ringDetail.textContent = "A customer is waiting for you.";
    }
  }

  /** How long the ringing customer has waited (since the chat last went to the queue). */
  renderRingWait() {
    const chat = this.state.ringing.count ? this.state.ringingChats()[0] : null;
    const since = chat?.waitingSince;
    ui.ringWait.hidden = !since;
    ui.ringWait.textContent = since ? `Waiting ${waited(this.state.sandboxNow() - since)}` : "";
  }

  // --- the team: agents and queues --------------------------------------------------------------

  renderAgents() {
    const { live, me } = this.state;
    clear(ui.agentList);
    ui.agentsCount.textContent = live.agents.length ? String(live.agents.length) : "";
    if (!live.agents.length) {
      ui.agentList.append(el("li", { class: "empty", text: live.ready ? "No agents in this account." : "Waiting for the live view…" }));
      return;
    }
    const fragment = document.createDocumentFragment();
    for (const agent of live.agents) {
      const capacity = agent.maxChats < 0 ? "∞" : String(agent.maxChats);
      const state = el("span", { class: "state" },
        el("span", { class: `dot ${agent.availability}`, "aria-hidden": "true" }), agent.availability,
        el("span", { text: `· ${agent.load}/${capacity} chats` }),
        agent.ringing ? el("span", { class: "badge warn", text: `ringing ${agent.ringing}` }) : null);
      fragment.append(el("li", { class: "agent", dataset: { login: agent.loginName }, "aria-label": `${agent.nickname}, ${agent.userType}, ${agent.availability}, ${agent.load} of ${capacity} chats` },
        avatar(agent.nickname, agent.pictureUrl, agent.userType),
        el("span", { class: "name" }, el("span", { text: agent.nickname }), typeBadge(agent.userType),
          String(agent.userId) === String(me.userId) ? el("span", { class: "you", text: "You" }) : null),
        state));
    }
    ui.agentList.append(fragment);
  }

  renderQueues() {
    const live = this.state.live;
    clear(ui.queueList);
    const names = Object.keys(live.queues);
    const total = names.reduce((n, name) => n + live.queues[name].length, 0);
    ui.queuesCount.textContent = live.ready ? String(total) : "";
    ui.queueTotal.textContent = live.ready && total ? String(total) : "";
    ui.queueTotal.title = `${total} waiting in the queues`;
    ui.queuePill.hidden = !(live.ready && total);
    ui.queuePill.textContent = `${total} waiting`;
    if (!names.length) {
      ui.queueList.append(el("p", { class: "empty", text: live.ready ? "No skills." : "Waiting for the live view…" }));
      return;
    }
    const now = this.state.sandboxNow();
    for (const name of names) {
      const items = live.queues[name];
      ui.queueList.append(el("div", { class: "queue", dataset: { skill: name } },
        el("div", { class: "queue-head" }, el("span", { text: name }),
          el("span", { class: items.length ? "badge warn" : "badge", text: `${items.length} waiting` })),
        items.length ? el("ul", { class: "queue-items" }, items.map((q) => el("li", {},
          el("span", { text: `${q.visitorName}${q.transferred ? " (transferred)" : ""}` }),
          el("span", { text: q.ringing ? `ringing ${q.ringing}` : ago(q.since, now) })))) : null));
    }
  }

  // --- the conversation list ------------------------------------------------------------------

  renderList() {
    const { mine, live, view, me } = this.state;
    ui.mineCount.textContent = String([...mine.values()].filter((c) => c.status === "open").length);
    ui.allCount.textContent = String([...live.chats.values()].filter((c) => c.summary.state !== "ended").length);
    ui.tabMine.setAttribute("aria-selected", String(view.tab === "mine"));
    ui.tabAll.setAttribute("aria-selected", String(view.tab === "all"));
    clear(ui.list);
    const all = this.state.listItems();
    const { shown: items, filtering } = this.listFilters.apply(all, (item) => this.state.filterRecord(item));
    if (!items.length) {
      ui.list.append(el("li", { class: "empty", text: filtering && all.length ? "No conversation matches the search and filters."
        : view.tab === "mine" ? emptyMineText(me) : (live.ready ? "No conversations yet." : "Waiting for the live view…") }));
      return;
    }
    const fragment = document.createDocumentFragment();
    for (const item of items) fragment.append(el("li", {}, item.kind === "mine" ? this.myListItem(mine.get(item.id)) : this.liveListItem(live.chats.get(item.id))));
    ui.list.append(fragment);
  }

  myListItem(chat) {
    const summary = this.state.live.chats.get(chat.id)?.summary;
    const name = summary?.visitorName || chat.visit?.visitorInfo?.name || chat.info?.visitorName || "Visitor";
    const lastLine = [...chat.events].reverse().find((e) => e["@type"] === "line");
    const status = chat.status === "open" ? el("span", { class: "badge ok", text: "Chatting" })
      : chat.status === "ended" ? el("span", { class: "badge", text: "Ended" }) : el("span", { class: "badge warn", text: "Transferred away" });
    return el("button", { type: "button", class: `conv${chat.unread ? " unread" : ""}`, "aria-current": String(this.state.isSelected("mine", chat.id)),
      dataset: { chat: chat.id }, onclick: () => this.onSelect("mine", chat.id) },
    avatar(name, null, "visitor"),
    el("span", { class: "top", text: name }),
    el("span", { class: "time", text: lastLine ? clock(lastLine.time) : "" }),
    el("span", { class: "chips" }, status, summary?.skill ? el("span", { class: "badge info", text: summary.skill }) : null),
    el("span", { class: "preview", text: previewOf(lastLine, name) }));
  }

  liveListItem(entry) {
    const s = entry.summary;
    const lastLine = [...entry.events].reverse().find((e) => e["@type"] === "line");
    const agentName = s.agentName || s.lastAgentName;
    const agentType = s.agentType || s.lastAgentType;
    return el("button", { type: "button", class: "conv", "aria-current": String(this.state.isSelected("live", s.id)),
      dataset: { chat: s.id }, onclick: () => this.onSelect("live", s.id) },
    avatar(s.visitorName, null, "visitor"),
    el("span", { class: "top", text: s.visitorName }),
    el("span", { class: "time", text: clock(s.lastUpdate) }),
    el("span", { class: "chips" }, stateBadge(s), s.skill ? el("span", { class: "badge info", text: s.skill }) : null,
      agentName ? el("span", { class: `badge ${agentType === "bot" ? "bot" : "human"}`, text: agentName }) : null,
      s.transfers?.length ? el("span", { class: "badge warn", text: `${s.transfers.length} transfer${s.transfers.length > 1 ? "s" : ""}` }) : null),
    el("span", { class: "preview", text: previewOf(lastLine, s.visitorName) }));
  }

  // --- the open conversation --------------------------------------------------------------------

  renderPane() {
    const { view, mine, live, me, dirtyChats } = this.state;
    const selected = view.selected;
    const key = selected ? `${selected.kind}:${selected.id}` : null;
    ui.paneEmpty.hidden = !!selected;
    ui.paneChat.hidden = !selected;
    ui.workspace.toggleAttribute("data-selected", !!selected);
    if (!selected) {
      renderVisitorPanel(ui.visitorPanel, null, null, me.agentName); // its empty state
      view.paneKey = null;
      return;
    }
    const myChat = selected.kind === "mine" ? mine.get(selected.id) : null;
    const entry = live.chats.get(selected.id);
    if (!myChat && !entry) return;
    const fresh = view.paneKey !== key;
    if (!fresh && !dirtyChats.has(key) && !dirtyChats.has(`live:${selected.id}`)) return;
    this.renderPaneHead(myChat, entry);
    renderVisitorPanel(ui.visitorPanel, entry?.summary, myChat, me.agentName);
    renderOutcome(ui.outcome, entry?.summary || (myChat?.status === "ended" ? { state: "ended" } : null), myChat, me.agentName);
    this.wrapup.show(myChat && myChat.status === "ended" ? myChat : null);
    const events = myChat ? myChat.events : entry.events;
    const omitted = myChat ? 0 : entry.omitted;
    const stick = fresh || nearBottom(ui.paneBody);
    if (fresh) {
      view.paneKey = key;
      view.paneShown = new Set();
      clear(ui.transcript);
    }
    this.appendEvents(events, omitted, !myChat);
    this.renderPaneTyping(myChat, entry);
    if (stick) this.scrollPaneToBottom(); else ui.jump.hidden = false;
  }

  renderPaneHead(myChat, entry) {
    const s = entry?.summary;
    const name = s?.visitorName || myChat?.visit?.visitorInfo?.name || myChat?.info?.visitorName || "Visitor";
    clear(ui.paneAvatar);
    ui.paneAvatar.append(avatar(name, null, "visitor", "large"));
    ui.paneVisitor.textContent = name;
    const agentName = s?.agentName || myChat?.info?.agentName || s?.lastAgentName;
    const current = !!(s?.agentName || myChat?.info?.agentName);
    const parts = [];
    if (s?.skill) parts.push(`skill ${s.skill}`);
    if (agentName) parts.push(`${current ? "agent" : "last agent"} ${agentName}`);
    const device = s?.visitor?.device || myChat?.visit?.visitorInfo?.device;
    if (device) parts.push(deviceLabel(device).toLowerCase());
    ui.paneSub.textContent = parts.join(" · ");
    clear(ui.paneBadges);
    if (myChat) {
      ui.paneBadges.append(myChat.status === "open" ? el("span", { class: "badge ok", text: "Your chat" })
        : el("span", { class: myChat.status === "ended" ? "badge" : "badge warn", text: myChat.status === "ended" ? "Ended" : "Transferred away" }));
    } else {
      ui.paneBadges.append(stateBadge(s), el("span", { class: "badge info", text: "Watching live" }));
    }
    if (agentName) ui.paneBadges.append(typeBadge(s?.agentType || s?.lastAgentType || this.state.agentKind(agentName)));
    const open = myChat && myChat.status === "open";
    ui.paneActions.hidden = !open;
    ui.composer.hidden = !open;
    if (!open) ui.transferForm.hidden = true;
    ui.paneClose.hidden = !(myChat && myChat.status !== "open");
    ui.foot.hidden = !(myChat && myChat.status !== "open") && !(s && !myChat && s.state !== "ended");
    ui.foot.textContent = myChat ? (myChat.status === "ended" ? "This chat has ended." : myChat.closedText)
      : (s && s.state !== "ended" ? "You are watching this conversation live. Accept it when it rings to take over." : "");
    // the transfers; who the customer is goes in the visitor panel (workspace-visitor.js)
    clear(ui.paneInfo);
    const transfers = s?.transfers || [];
    for (const t of transfers) {
      ui.paneInfo.append(el("div", { class: "transfer-item" },
        el("strong", { text: "Transfer: " }), `${t.from || "?"} → ${t.to || "?"}`, t.reason ? ` · reason: ${t.reason}` : " · no reason given",
        ` · ${clock(t.time)}`));
    }
  }

  /** Draw the events not on screen yet; a watched chat keeps its last LIVE_SHOW, with a note of the rest. */
  appendEvents(events, omitted, capped) {
    const view = this.state.view;
    let list = events;
    let hidden = omitted;
    if (capped && list.length > LIVE_SHOW) {
      hidden += list.length - LIVE_SHOW;
      list = list.slice(-LIVE_SHOW);
    }
    const fragment = document.createDocumentFragment();
    for (const event of list) {
      const id = Number(event["@id"]);
      if (view.paneShown.has(id)) continue;
      view.paneShown.add(id);
      fragment.append(this.renderEvent(event, id));
    }
    if (!fragment.childNodes.length) return;
    ui.transcript.append(fragment);
    if (capped) {
      const items = ui.transcript.querySelectorAll(":scope > li:not(.omitted)");
      for (let i = 0; i < items.length - LIVE_SHOW; i += 1) items[i].remove();
    }
    let note = ui.transcript.querySelector(":scope > li.omitted");
    if (hidden > 0) {
      if (!note) { note = el("li", { class: "omitted" }); ui.transcript.prepend(note); }
      note.textContent = `${hidden} earlier event${hidden > 1 ? "s" : ""} not shown`;
    } else if (note) note.remove();
  }

  renderEvent(event, id) {
    const time = event.ms ?? event.time;
    if (event["@type"] === "state") {
      const labels = { waiting: "Waiting for an agent", chatting: "Chatting", ended: "Chat ended" };
      return el("li", { class: "sys state", dataset: { id: String(id) }, text: `${labels[event.state] || event.state} · ${clock(time)}` });
    }
    if (event.source === "system") {
      const transfer = ["13", "15"].includes(String(event.systemMessageId));
      return el("li", { class: `sys${transfer ? " transfer" : ""}`, dataset: { id: String(id) }, text: event.text || "" });
    }
    const visitor = event.source === "visitor";
    const kind = visitor ? "visitor" : this.state.agentKind(event.by);
    const note = event.subType === "ONLY_TO_REP";
    const classes = ["msg", visitor ? "theirs visitor" : "agent-side", kind, note ? "note" : ""].filter(Boolean).join(" ");
    const agent = visitor ? null : this.state.agentByName(event.by);
    const meta = el("span", { class: "meta" }, el("span", { class: "who", text: event.by || (visitor ? "Visitor" : "Agent") }),
      !visitor ? ` · ${kind === "bot" ? "Bot" : "Agent"}` : "", note ? " · note for agents (the customer does not see it)" : "",
      ` · ${clock(time)}`);
    return el("li", { class: classes, dataset: { id: String(id) } },
      avatar(event.by || "Visitor", agent?.pictureUrl, kind),
      el("div", { class: "bubble" }, meta, lineContent(event)));
  }

  renderPaneTyping(myChat, entry) {
    clear(ui.typing);
    const s = entry?.summary;
    const visitorTyping = myChat ? myChat.visitorTyping === "typing" && myChat.status === "open"
      : s && s.state !== "ended" && s.visitorTyping === "typing";
    const agentTyping = !myChat && s && s.state === "chatting" && s.agentTyping === "typing";
    if (visitorTyping) ui.typing.append(typingIndicator(`${s?.visitorName || "The customer"} is typing`));
    if (agentTyping) ui.typing.append(typingIndicator(`${s.agentName} is typing`));
  }
}
