// The agent workspace. The agent's own work goes through the Chat Agent API (login, agent
// session, availability, incoming requests, accept, chat events, lines, transfer, end, agent
// survey); the view of every agent, queue and conversation of the account comes live over
// Socket.IO. The pieces around it live in their own modules: the ring notice (title, favicon,
// sound: workspace-notify.js), the visitor panel and how a chat ended (workspace-visitor.js),
// canned responses (workspace-canned.js), list filters and search (workspace-filters.js) and
// the wrap-up survey (workspace-wrapup.js).
import {
  ApiError, DEFAULT_ACCOUNT, ago, asList, avatar, batcher, clear, clock, el, lineContent, lineText,
  nearBottom, sleep,
} from "./common.js";
import { AgentApi } from "./agent-api.js";
import { CannedPicker } from "./workspace-canned.js";
import { ListFilters, chatKind, emptyMineText } from "./workspace-filters.js";
import { RingNotifier, waited } from "./workspace-notify.js";
import { DetailsTabs, deviceLabel, renderOutcome, renderVisitorPanel } from "./workspace-visitor.js";
import { WrapUp } from "./workspace-wrapup.js";

const STORE = "cc-sandbox-workspace";
const RING_POLL_MS = 1500;
const CHAT_POLL_MS = 1000;
const LIVE_KEEP = 500; // events kept per chat by the live view
const LIVE_SHOW = 200; // events drawn per watched chat (a chat of your own shows every event)

const $ = (id) => document.getElementById(id);
const ui = {
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

let api = null;
const me = { agentName: null, userId: null, maxChats: null, skills: [], takesChats: true, availability: "Away" };
const mine = new Map(); // chat id -> my chat (Chat Agent API)
const live = {
  socket: null, seq: 0, ready: false, buffer: [], chats: new Map(), agents: [], queues: {},
  clockOffset: 0, dirtyChats: new Set(), dirtyLists: false, skills: [], canned: [],
};
const view = { tab: "mine", selected: null, paneKey: null, paneShown: new Set(), paneOmitted: 0 };
let ringing = { count: 0, acceptUrl: null };
let running = false;
let typingSent = false;
let typingTimer = null;

const notifier = new RingNotifier({ favicon: ui.favicon, soundButton: ui.sound });
const canned = new CannedPicker(
  { panel: ui.canned, list: ui.cannedList, filter: ui.cannedFilter, open: ui.cannedOpen, close: ui.cannedClose, textarea: ui.message },
  () => ({ visitorName: selectedVisitorName(), agentName: me.agentName || "" }),
  () => autoGrow());
const wrapup = new WrapUp(
  { form: ui.wrapup, questions: ui.wrapupQuestions, error: ui.wrapupError, submit: ui.wrapupSubmit, hint: ui.wrapupHint },
  () => api,
  (chat) => {
    toast("Wrap-up saved.");
    live.dirtyChats.add(`mine:${chat.id}`);
    schedule();
  });
const listFilters = new ListFilters(
  { form: ui.listTools, search: ui.search, state: ui.filterState, skill: ui.filterSkill, kind: ui.filterKind,
    note: ui.filterNote, summary: ui.filterSummary, clear: ui.filterClear },
  () => { live.dirtyLists = true; schedule(); });
const details = new DetailsTabs({ visitorTab: ui.tabVisitor, teamTab: ui.tabTeam, visitorPanel: ui.visitorPanel, teamPanel: ui.teamPanel });

// --- helpers --------------------------------------------------------------------------------

function toast(text, error = false) {
  ui.toast.textContent = text;
  ui.toast.className = error ? "toast error" : "toast";
  ui.toast.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { ui.toast.hidden = true; }, 4500);
}

function showError(node, text) {
  node.textContent = text || "";
  node.hidden = !text;
}

function sandboxNow() {
  return Date.now() + live.clockOffset;
}

function agentByName(name) {
  return live.agents.find((a) => a.nickname === name) || null;
}

function agentKind(name) {
  return agentByName(name)?.userType || "human";
}

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

// --- login and the agent session ----------------------------------------------------------------

async function onLogin(event) {
  event.preventDefault();
  const form = ui.loginForm.elements;
  showError(ui.loginError, "");
  ui.loginButton.disabled = true;
  ui.loginButton.textContent = "Logging in…";
  try {
    api = new AgentApi(form.account.value.trim() || DEFAULT_ACCOUNT);
    await api.login(form.username.value.trim(), form.password.value);
    sessionStorage.setItem(STORE, JSON.stringify(api.saved()));
    await enter();
  } catch (error) {
    showError(ui.loginError, error.status === 401 ? "Wrong account, username or password." : `Could not log in: ${error.message}`);
    api = null;
  } finally {
    ui.loginButton.disabled = false;
    ui.loginButton.textContent = "Log in";
  }
}

/** After login: agent session, profile, Online, then the loops and the live view. */
async function enter() {
  await api.startSession();
  const info = await api.info();
  const skills = asList(info.skillsInfo?.skillInfo).map((s) => s.name);
  Object.assign(me, { agentName: info.agentName, userId: String(info.id), maxChats: Number(info.maxChats), skills,
    takesChats: skills.length > 0 || Number(info.maxChats) !== 0 });
  me.availability = await api.setAvailability("Online");
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
  showAvailability();
  running = true;
  for (const chat of await api.chatSessions()) openMyChat(chat.url, false); // chats held from before a reload
  ringLoop();
  connectLive();
  renderAll();
}

function showAvailability() {
  ui.availability.value = me.availability;
  ui.availabilityDot.className = `dot ${me.availability}`;
}

async function changeAvailability() {
  const wanted = ui.availability.value;
  try {
    me.availability = await api.setAvailability(wanted);
  } catch (error) {
    toast(`Could not change availability: ${error.message}`, true);
  }
  showAvailability();
  live.dirtyLists = true; // the empty list's text follows the availability
  schedule();
}

async function logout() {
  running = false;
  const current = api;
  sessionStorage.removeItem(STORE);
  try { await current?.logout(); } catch { /* the session may be gone already */ }
  leave();
}

function leave(message) {
  running = false;
  api = null;
  if (live.socket) { live.socket.disconnect(); live.socket = null; }
  mine.clear();
  live.chats.clear();
  live.agents = [];
  live.queues = {};
  live.ready = false;
  view.selected = null;
  view.paneKey = null;
  ringing = { count: 0, acceptUrl: null };
  notifier.stop();
  canned.hide();
  ui.workspace.hidden = true;
  ui.me.hidden = true;
  ui.loginScreen.hidden = false;
  setLivePill("offline", "Live view off");
  showError(ui.loginError, message || "");
  renderAll();
}

function expired(error) {
  if (error?.status === 401 && running) {
    sessionStorage.removeItem(STORE);
    leave("Your session has expired. Please log in again.");
    return true;
  }
  return false;
}

// --- ringing ---------------------------------------------------------------------------------------

async function ringLoop() {
  while (running && api) {
    try {
      ringing = await api.incomingRequests();
      renderRing();
    } catch (error) {
      if (expired(error)) return;
      if (error.status === 404 && running) {
        // our agent session is gone (timed out): open a new one, as the sample app does
        try { await api.startSession(); me.availability = await api.setAvailability(ui.availability.value); } catch { /* next round */ }
      }
    }
    await sleep(RING_POLL_MS);
  }
}

function ringingChats() {
  return [...live.chats.values()].map((c) => c.summary)
    .filter((s) => s.state === "waiting" && s.ringingSessionId && api?.sessionUrl?.endsWith(`/${s.ringingSessionId}`));
}

function renderRing() {
  ui.ring.hidden = !ringing.count;
  notifier.update(running ? ringing.count : 0);
  renderRingWait();
  if (!ringing.count) return;
  const chat = ringingChats()[0];
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
function renderRingWait() {
  const chat = ringing.count ? ringingChats()[0] : null;
  const since = chat?.waitingSince;
  ui.ringWait.hidden = !since;
  ui.ringWait.textContent = since ? `Waiting ${waited(sandboxNow() - since)}` : "";
}

async function accept() {
  ui.accept.disabled = true;
  try {
    const url = await api.accept(ringing.acceptUrl);
    ringing = { count: Math.max(ringing.count - 1, 0), acceptUrl: ringing.acceptUrl };
    renderRing();
    const chat = await openMyChat(url, true);
    if (chat) ui.message.focus();
  } catch (error) {
    if (!expired(error)) toast(error.status === 404 ? "That chat is no longer ringing." : `Could not accept: ${error.message}`, true);
  } finally {
    ui.accept.disabled = false;
  }
}

// --- my chats (Chat Agent API) -----------------------------------------------------------------------

async function openMyChat(url, select) {
  const id = url.split("/").pop().split("?")[0];
  if (mine.has(id)) {
    if (select) selectChat("mine", id);
    return mine.get(id);
  }
  const chat = { id, url, nextUrl: `${url}/events?from=0&v=1&NC=true`, events: [], info: null, visit: null,
    status: "open", closedText: "", visitorTyping: "not-typing", unread: false };
  mine.set(id, chat);
  try {
    const resource = await api.chat(url);
    chat.info = resource.info;
    addMyEvents(chat, resource.events);
    const visitLink = asList(resource.link).find((l) => l["@rel"] === "visit-id");
    chat.surveyUrl = asList(resource.link).find((l) => l["@rel"] === "agent-survey")?.["@href"] || null;
    if (visitLink) {
      api.visit(visitLink["@href"]).then((visit) => {
        chat.visit = visit;
        live.dirtyChats.add(`mine:${id}`);
        schedule();
      }).catch(() => {});
    }
  } catch (error) {
    if (expired(error)) return null;
  }
  if (select) {
    view.tab = "mine";
    selectChat("mine", id);
  }
  schedule();
  chatLoop(chat);
  return chat;
}

function addMyEvents(chat, events) {
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
    if (!(view.selected?.kind === "mine" && view.selected.id === chat.id)) chat.unread = true;
    live.dirtyChats.add(`mine:${chat.id}`);
    live.dirtyLists = true;
  }
}

async function chatLoop(chat) {
  while (running && mine.get(chat.id) === chat && chat.status === "open") {
    await sleep(CHAT_POLL_MS);
    if (!running || chat.status !== "open") break;
    try {
      const [events, info] = await Promise.all([api.events(chat.nextUrl), api.chatInfo(chat.url)]);
      addMyEvents(chat, events);
      chat.info = info;
      if (chat.visitorTyping !== info.visitorTyping) {
        chat.visitorTyping = info.visitorTyping;
        live.dirtyChats.add(`mine:${chat.id}`);
      }
      if (info.state === "ended") chat.status = "ended";
      schedule();
    } catch (error) {
      if (expired(error)) return;
      if (error.status === 404) {
        // the chat left us (transferred away, or our session was replaced)
        chat.status = "closed";
        chat.closedText = chat.closedText || "This chat is no longer yours.";
        live.dirtyChats.add(`mine:${chat.id}`);
        live.dirtyLists = true;
        schedule();
      }
    }
  }
  live.dirtyLists = true;
  schedule();
}

async function sendLine() {
  const chat = selectedMine();
  const text = ui.message.value;
  if (!chat || chat.status !== "open" || !text.trim()) return;
  ui.message.value = "";
  autoGrow();
  stopTyping(false);
  ui.send.disabled = true;
  try {
    await api.sendLine(chat.url, text);
    addMyEvents(chat, await api.events(chat.nextUrl));
    schedule();
  } catch (error) {
    if (!expired(error)) {
      toast(`Not sent: ${error.message}`, true);
      ui.message.value = text;
    }
  } finally {
    ui.send.disabled = false;
    ui.message.focus();
  }
}

function onTyping() {
  autoGrow();
  const chat = selectedMine();
  if (!chat || chat.status !== "open") return;
  if (!typingSent && ui.message.value.trim()) {
    typingSent = true;
    api.setTyping(chat.url, "typing").catch(() => {});
  }
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => stopTyping(true), 3000);
}

function stopTyping(send) {
  clearTimeout(typingTimer);
  const chat = selectedMine();
  if (typingSent && send && chat && chat.status === "open") api.setTyping(chat.url, "not-typing").catch(() => {});
  typingSent = false;
}

function autoGrow() {
  ui.message.style.height = "auto";
  ui.message.style.height = `${Math.min(ui.message.scrollHeight + 2, 140)}px`;
}

async function openTransfer() {
  const chat = selectedMine();
  if (!chat) return;
  showError(ui.transferError, "");
  clear(ui.transferSkill);
  ui.transferForm.hidden = false;
  ui.transferSkill.append(el("option", { value: "", text: "Loading…" }));
  try {
    const skills = await api.transferSkills(chat.url);
    clear(ui.transferSkill);
    if (!skills.length) {
      ui.transferSkill.append(el("option", { value: "", text: "No skill has an agent on duty" }));
      ui.transferSubmit.disabled = true;
    } else {
      ui.transferSubmit.disabled = false;
      for (const skill of skills) {
        ui.transferSkill.append(el("option", { value: skill.id, text: `${skill.name} (${skill.onlineAgents} on duty)` }));
      }
    }
    ui.transferSkill.focus();
  } catch (error) {
    if (!expired(error)) showError(ui.transferError, `Could not load skills: ${error.message}`);
  }
}

async function submitTransfer(event) {
  event.preventDefault();
  const chat = selectedMine();
  const skillId = ui.transferSkill.value;
  if (!chat || !skillId) return;
  const skillName = ui.transferSkill.selectedOptions[0]?.textContent.replace(/ \(.*$/, "") || skillId;
  ui.transferSubmit.disabled = true;
  try {
    await api.transfer(chat.url, skillId, ui.transferReason.value.trim());
    chat.status = "closed";
    chat.closedText = `You transferred this chat to ${skillName}${ui.transferReason.value.trim() ? ` (${ui.transferReason.value.trim()})` : ""}.`;
    ui.transferForm.hidden = true;
    ui.transferReason.value = "";
    live.dirtyChats.add(`mine:${chat.id}`);
    live.dirtyLists = true;
    toast(`Chat transferred to ${skillName}.`);
    schedule();
  } catch (error) {
    if (!expired(error)) showError(ui.transferError, error.message);
  } finally {
    ui.transferSubmit.disabled = false;
  }
}

async function endChat() {
  const chat = selectedMine();
  if (!chat || chat.status !== "open") return;
  ui.endChat.disabled = true;
  try {
    await api.end(chat.url);
    addMyEvents(chat, await api.events(chat.nextUrl));
    chat.status = "ended";
    live.dirtyChats.add(`mine:${chat.id}`);
    live.dirtyLists = true;
    schedule();
  } catch (error) {
    if (!expired(error)) toast(`Could not end the chat: ${error.message}`, true);
  } finally {
    ui.endChat.disabled = false;
  }
}

function selectedMine() {
  return view.selected?.kind === "mine" ? mine.get(view.selected.id) : null;
}

function selectedVisitorName() {
  const id = view.selected?.id;
  const chat = id ? mine.get(id) : null;
  const summary = id ? live.chats.get(id)?.summary : null;
  return summary?.visitorName || chat?.visit?.visitorInfo?.name || "";
}

// --- the live view (Socket.IO) -------------------------------------------------------------------

function setLivePill(stateName, text) {
  ui.livePill.dataset.state = stateName;
  ui.livePill.textContent = text;
}

function connectLive() {
  if (typeof window.io !== "function") {
    setLivePill("error", "Live view unavailable");
    toast("The Socket.IO client is missing (run npm ci).", true);
    return;
  }
  setLivePill("connecting", "Connecting…");
  const socket = window.io({ reconnectionDelayMax: 4000 });
  live.socket = socket;
  // Which transport carries the live view (polling, then websocket once upgraded): shown on
  // the pill as data-transport, for whoever needs to know why the view lags (and for tests).
  const showTransport = () => { ui.livePill.dataset.transport = socket.io.engine?.transport?.name || ""; };
  socket.on("connect", () => {
    showTransport();
    socket.io.engine.on("upgrade", showTransport);
    live.ready = false;
    live.buffer = [];
    socket.emit("watch", { accountId: api.account, bearer: api.bearer }, (answer) => {
      if (!answer?.ok) {
        setLivePill("error", "Live view refused");
        toast(`Live view: ${answer?.error || "refused"}`, true);
        return;
      }
      applySnapshot(answer.snapshot);
      setLivePill("live", "Live");
    });
  });
  socket.on("disconnect", () => { if (running) setLivePill("reconnecting", "Reconnecting…"); });
  socket.on("connect_error", () => { if (running) setLivePill("reconnecting", "Reconnecting…"); });
  socket.on("sandbox_event", (message) => {
    if (!live.ready) { live.buffer.push(message); return; }
    applyEvent(message);
    schedule();
  });
  socket.on("watch_ended", () => { setLivePill("offline", "Live view ended"); });
}

function applySnapshot(snapshot) {
  live.chats.clear();
  for (const chat of snapshot.chats || []) {
    const { events, eventsOmitted, ...summary } = chat;
    live.chats.set(chat.id, { summary, events: events || [], omitted: eventsOmitted || 0 });
  }
  live.agents = snapshot.agents || [];
  live.queues = snapshot.queues || {};
  live.skills = snapshot.skills || [];
  live.canned = snapshot.cannedResponses || [];
  canned.setItems(live.canned);
  listFilters.setSkills(live.skills);
  live.seq = snapshot.seq || 0;
  live.clockOffset = (snapshot.now || Date.now()) - Date.now();
  live.ready = true;
  view.paneKey = null; // redraw the open conversation from the snapshot
  for (const message of live.buffer.splice(0)) applyEvent(message);
  live.dirtyLists = true;
  schedule();
}

function applyEvent(message) {
  if (message.seq && message.seq <= live.seq) return; // already in the snapshot
  live.seq = Math.max(live.seq, message.seq || 0);
  ui.livePill.dataset.seq = String(live.seq); // how far the view has got (the bus's sequence)
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
    live.dirtyChats.add(`live:${data.chat.id}`);
  }
  live.dirtyLists = true;
}

// --- rendering ------------------------------------------------------------------------------------

const schedule = batcher(render);

function render() {
  if (live.dirtyLists) {
    live.dirtyLists = false;
    renderAgents();
    renderQueues();
    renderList();
    renderRing();
  }
  renderPane();
  live.dirtyChats.clear();
}

function renderAll() {
  live.dirtyLists = true;
  view.paneKey = null;
  schedule();
}

function renderAgents() {
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

function renderQueues() {
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
  const now = sandboxNow();
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

function listItems() {
  if (view.tab === "mine") {
    return [...mine.values()].reverse().map((chat) => ({ key: `mine:${chat.id}`, kind: "mine", id: chat.id }));
  }
  const order = { waiting: 0, chatting: 1, ended: 2 };
  return [...live.chats.values()].sort((a, b) => (order[a.summary.state] - order[b.summary.state])
    || (b.summary.lastUpdate - a.summary.lastUpdate))
    .map((c) => ({ key: `live:${c.summary.id}`, kind: "live", id: c.summary.id }));
}

/** The facts the filters and the search look at, for one list item. */
function filterRecord(item) {
  if (item.kind === "mine") {
    const chat = mine.get(item.id);
    const s = live.chats.get(item.id)?.summary;
    const state = chat.status === "open" ? "chatting" : chat.status === "ended" ? "ended" : (s?.state || "chatting");
    return { name: s?.visitorName || chat.visit?.visitorInfo?.name || chat.info?.visitorName, state,
      email: s?.visitor?.email || chat.visit?.visitorInfo?.email, skill: s?.skill || null,
      kind: s ? chatKind(s, live.agents) : "human", events: chat.events };
  }
  const entry = live.chats.get(item.id);
  const s = entry.summary;
  return { name: s.visitorName, email: s.visitor?.email, state: s.state, skill: s.skill,
    kind: chatKind(s, live.agents), events: entry.events };
}

function renderList() {
  ui.mineCount.textContent = String([...mine.values()].filter((c) => c.status === "open").length);
  ui.allCount.textContent = String([...live.chats.values()].filter((c) => c.summary.state !== "ended").length);
  ui.tabMine.setAttribute("aria-selected", String(view.tab === "mine"));
  ui.tabAll.setAttribute("aria-selected", String(view.tab === "all"));
  clear(ui.list);
  const all = listItems();
  const { shown: items, filtering } = listFilters.apply(all, filterRecord);
  if (!items.length) {
    ui.list.append(el("li", { class: "empty", text: filtering && all.length ? "No conversation matches the search and filters."
      : view.tab === "mine" ? emptyMineText(me) : (live.ready ? "No conversations yet." : "Waiting for the live view…") }));
    return;
  }
  const fragment = document.createDocumentFragment();
  for (const item of items) fragment.append(el("li", {}, item.kind === "mine" ? myListItem(mine.get(item.id)) : liveListItem(live.chats.get(item.id))));
  ui.list.append(fragment);
}

function isSelected(kind, id) {
  return view.selected?.kind === kind && view.selected.id === id;
}

function myListItem(chat) {
  const summary = live.chats.get(chat.id)?.summary;
  const name = summary?.visitorName || chat.visit?.visitorInfo?.name || chat.info?.visitorName || "Visitor";
  const lastLine = [...chat.events].reverse().find((e) => e["@type"] === "line");
  const status = chat.status === "open" ? el("span", { class: "badge ok", text: "Chatting" })
    : chat.status === "ended" ? el("span", { class: "badge", text: "Ended" }) : el("span", { class: "badge warn", text: "Transferred away" });
  return el("button", { type: "button", class: `conv${chat.unread ? " unread" : ""}`, "aria-current": String(isSelected("mine", chat.id)),
    dataset: { chat: chat.id }, onclick: () => selectChat("mine", chat.id) },
  avatar(name, null, "visitor"),
  el("span", { class: "top", text: name }),
  el("span", { class: "time", text: lastLine ? clock(lastLine.time) : "" }),
  el("span", { class: "chips" }, status, summary?.skill ? el("span", { class: "badge info", text: summary.skill }) : null),
  el("span", { class: "preview", text: previewOf(lastLine, name) }));
}

function liveListItem(entry) {
  const s = entry.summary;
  const lastLine = [...entry.events].reverse().find((e) => e["@type"] === "line");
  const agentName = s.agentName || s.lastAgentName;
  const agentType = s.agentType || s.lastAgentType;
  return el("button", { type: "button", class: "conv", "aria-current": String(isSelected("live", s.id)),
    dataset: { chat: s.id }, onclick: () => selectChat("live", s.id) },
  avatar(s.visitorName, null, "visitor"),
  el("span", { class: "top", text: s.visitorName }),
  el("span", { class: "time", text: clock(s.lastUpdate) }),
  el("span", { class: "chips" }, stateBadge(s), s.skill ? el("span", { class: "badge info", text: s.skill }) : null,
    agentName ? el("span", { class: `badge ${agentType === "bot" ? "bot" : "human"}`, text: agentName }) : null,
    s.transfers?.length ? el("span", { class: "badge warn", text: `${s.transfers.length} transfer${s.transfers.length > 1 ? "s" : ""}` }) : null),
  el("span", { class: "preview", text: previewOf(lastLine, s.visitorName) }));
}

function selectChat(kind, id) {
  // a chat of my own opens with its Chat Agent API transcript, wherever it was picked
  if (kind === "live" && mine.has(id) && mine.get(id).status === "open") kind = "mine";
  view.selected = { kind, id };
  if (kind === "mine") mine.get(id).unread = false;
  ui.transferForm.hidden = true;
  canned.hide();
  details.show("visitor");
  live.dirtyLists = true;
  schedule();
}

function renderPane() {
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
  if (!fresh && !live.dirtyChats.has(key) && !live.dirtyChats.has(`live:${selected.id}`)) return;
  renderPaneHead(myChat, entry);
  renderVisitorPanel(ui.visitorPanel, entry?.summary, myChat, me.agentName);
  renderOutcome(ui.outcome, entry?.summary || (myChat?.status === "ended" ? { state: "ended" } : null), myChat, me.agentName);
  wrapup.show(myChat && myChat.status === "ended" ? myChat : null);
  const events = myChat ? myChat.events : entry.events;
  const omitted = myChat ? 0 : entry.omitted;
  const stick = fresh || nearBottom(ui.paneBody);
  if (fresh) {
    view.paneKey = key;
    view.paneShown = new Set();
    clear(ui.transcript);
  }
  appendEvents(events, omitted, !myChat);
  renderPaneTyping(myChat, entry);
  if (stick) scrollPaneToBottom(); else ui.jump.hidden = false;
}

function renderPaneHead(myChat, entry) {
  const s = entry?.summary;
  const name = s?.visitorName || myChat?.visit?.visitorInfo?.name || myChat?.info?.visitorName || "Visitor";
  clear(ui.paneAvatar);
  ui.paneAvatar.append(avatar(name, null, "visitor", "large"));
  ui.paneVisitor.textContent = name;
  const state = myChat ? (myChat.status === "open" ? "chatting" : myChat.status) : s.state;
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
  if (agentName) ui.paneBadges.append(typeBadge(s?.agentType || s?.lastAgentType || agentKind(agentName)));
  const open = myChat && myChat.status === "open";
  ui.paneActions.hidden = !open;
  ui.composer.hidden = !open;
  if (!open) ui.transferForm.hidden = true;
  ui.paneClose.hidden = !(myChat && myChat.status !== "open");
  ui.foot.hidden = !(myChat && myChat.status !== "open") && !(s && !myChat && s.state !== "ended");
  ui.foot.textContent = myChat ? (myChat.status === "ended" ? "This chat has ended." : myChat.closedText)
    : (s && s.state !== "ended" ? "You are watching this conversation live. Accept it when it rings to take over." : "");
  // transfers and who the customer is
  clear(ui.paneInfo);
  const transfers = s?.transfers || [];
  for (const t of transfers) {
    ui.paneInfo.append(el("div", { class: "transfer-item" },
      el("strong", { text: "Transfer: " }), `${t.from || "?"} → ${t.to || "?"}`, t.reason ? ` · reason: ${t.reason}` : " · no reason given",
      ` · ${clock(t.time)}`));
  }
  // who the customer is: the visitor panel (workspace-visitor.js)
}

function appendEvents(events, omitted, capped) {
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
    fragment.append(renderEvent(event, id));
  }
  if (!fragment.childNodes.length) return;
  ui.transcript.append(fragment);
  // keep at most LIVE_SHOW lines of a watched chat on screen
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

function renderEvent(event, id) {
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
  const kind = visitor ? "visitor" : agentKind(event.by);
  const note = event.subType === "ONLY_TO_REP";
  const classes = ["msg", visitor ? "theirs visitor" : "agent-side", kind, note ? "note" : ""].filter(Boolean).join(" ");
  const agent = visitor ? null : agentByName(event.by);
  const meta = el("span", { class: "meta" }, el("span", { class: "who", text: event.by || (visitor ? "Visitor" : "Agent") }),
    !visitor ? ` · ${kind === "bot" ? "Bot" : "Agent"}` : "", note ? " · note for agents (the customer does not see it)" : "",
    ` · ${clock(time)}`);
  return el("li", { class: classes, dataset: { id: String(id) } },
    avatar(event.by || "Visitor", agent?.pictureUrl, kind),
    el("div", { class: "bubble" }, meta, lineContent(event)));
}

function renderPaneTyping(myChat, entry) {
  clear(ui.typing);
  const s = entry?.summary;
  const visitorTyping = myChat ? myChat.visitorTyping === "typing" && myChat.status === "open"
    : s && s.state !== "ended" && s.visitorTyping === "typing";
  const agentTyping = !myChat && s && s.state === "chatting" && s.agentTyping === "typing";
  const dots = () => el("span", { class: "typing-dots", "aria-hidden": "true" }, el("i"), el("i"), el("i"));
  if (visitorTyping) ui.typing.append(el("span", { class: "typing-indicator" }, `${s?.visitorName || "The customer"} is typing`, dots()));
  if (agentTyping) ui.typing.append(el("span", { class: "typing-indicator" }, `${s.agentName} is typing`, dots()));
}

function scrollPaneToBottom() {
  ui.paneBody.scrollTop = ui.paneBody.scrollHeight;
  ui.jump.hidden = true;
}

// --- wiring ----------------------------------------------------------------------------------------

ui.loginForm.addEventListener("submit", onLogin);
ui.logout.addEventListener("click", logout);
ui.availability.addEventListener("change", changeAvailability);
ui.accept.addEventListener("click", accept);
ui.tabMine.addEventListener("click", () => { view.tab = "mine"; live.dirtyLists = true; schedule(); });
ui.tabAll.addEventListener("click", () => { view.tab = "all"; live.dirtyLists = true; schedule(); });
for (const tab of [ui.tabMine, ui.tabAll]) {
  tab.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      const other = tab === ui.tabMine ? ui.tabAll : ui.tabMine;
      other.click();
      other.focus();
    }
  });
}
ui.composer.addEventListener("submit", (event) => { event.preventDefault(); sendLine(); });
ui.message.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendLine();
  }
});
ui.message.addEventListener("input", onTyping);
ui.transferOpen.addEventListener("click", openTransfer);
ui.transferCancel.addEventListener("click", () => { ui.transferForm.hidden = true; });
ui.transferForm.addEventListener("submit", submitTransfer);
ui.endChat.addEventListener("click", endChat);
ui.paneClose.addEventListener("click", () => {
  if (view.selected?.kind === "mine") mine.delete(view.selected.id);
  view.selected = null;
  live.dirtyLists = true;
  schedule();
});
ui.jump.addEventListener("click", scrollPaneToBottom);
ui.paneBody.addEventListener("scroll", () => { if (nearBottom(ui.paneBody)) ui.jump.hidden = true; });
setInterval(() => { if (running && live.ready) { renderQueues(); } }, 5000); // waiting times move on
setInterval(() => { if (running && ringing.count) renderRingWait(); }, 1000); // the ringing chat's wait

// resume after a reload (same tab): the bearer is kept in sessionStorage
(async () => {
  const saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
  if (!saved?.bearer) return;
  api = new AgentApi(saved.account);
  api.resume(saved);
  try {
    await enter();
  } catch (error) {
    sessionStorage.removeItem(STORE);
    leave(error instanceof ApiError && error.status === 401 ? "Your session has expired. Please log in again." : "");
  }
})();
