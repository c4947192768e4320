// The agent workspace's wiring: login and start-up, the Chat Agent API loops, the live view's socket, the page's events.

// The agent's own work goes through the Chat Agent API (agent-api.js: login, agent session,
// availability, incoming requests, accept, chat events, lines, transfer, end, agent survey); the
// view of every agent, queue and conversation of the account comes live over Socket.IO. What is
// known is kept in workspace-state.js and drawn by workspace-render.js; the pieces around them
// live in their own modules: the ring notice (workspace-notify.js), the visitor panel and how a
// chat ended (workspace-visitor.js), canned responses (workspace-canned.js), list filters and
// search (workspace-filters.js) and the wrap-up survey (workspace-wrapup.js).
import { AgentApi } from "./agent-api.js";
import { ApiError, DEFAULT_ACCOUNT, openOn, servedElsewhere } from "./common.js";
import { arrowKeyTabs, autoGrow, sendOnEnter, showError, sleep, toaster, TypingSignal } from "./ui.js";
import { CannedPicker } from "./workspace-canned.js";
import { ListFilters } from "./workspace-filters.js";
import { RingNotifier } from "./workspace-notify.js";
import { WorkspaceView, ui } from "./workspace-render.js";
import { WorkspaceState } from "./workspace-state.js";
import { DetailsTabs } from "./workspace-visitor.js";
import { WrapUp } from "./workspace-wrapup.js";

const STORE = "cc-sandbox-workspace";
const RING_POLL_MS = 1500;
const CHAT_POLL_MS = 1000;

const state = new WorkspaceState();
const toast = toaster(ui.toast, 4500);
const notifier = new RingNotifier({ favicon: ui.favicon, soundButton: ui.sound });
const canned = new CannedPicker(
  { panel: ui.canned, list: ui.cannedList, filter: ui.cannedFilter, open: ui.cannedOpen, close: ui.cannedClose, textarea: ui.message },
  () => ({ visitorName: state.selectedVisitorName(), agentName: state.me.agentName || "" }),
  () => autoGrow(ui.message));
const wrapup = new WrapUp(
  { form: ui.wrapup, questions: ui.wrapupQuestions, error: ui.wrapupError, submit: ui.wrapupSubmit, hint: ui.wrapupHint },
  () => state.api,
  (chat) => {
    toast("Wrap-up saved.");
    state.markChat(`mine:${chat.id}`);
    view.schedule();
  });
const listFilters = new ListFilters(
  { form: ui.listTools, search: ui.search, state: ui.filterState, skill: ui.filterSkill, kind: ui.filterKind,
    note: ui.filterNote, summary: ui.filterSummary, clear: ui.filterClear },
  () => { state.markLists(); view.schedule(); });
const details = new DetailsTabs({ visitorTab: ui.tabVisitor, teamTab: ui.tabTeam, visitorPanel: ui.visitorPanel, teamPanel: ui.teamPanel });
const view = new WorkspaceView(state, { notifier, listFilters, wrapup }, selectChat);
// the customer sees the agent type only in the selected chat, and only while it is the agent's
const typing = new TypingSignal((value) => {
  const chat = state.selectedMine();
  if (chat && chat.status === "open") state.api.setTyping(chat.url, value).catch(() => {});
});

// --- login and the agent session ----------------------------------------------------------------

async function onLogin(event) {
  event.preventDefault();
  const form = ui.loginForm.elements;
  showError(ui.loginError, "");
  ui.loginButton.disabled = true;
  ui.loginButton.textContent = "Logging in…";
  try {
    state.api = new AgentApi(form.account.value.trim() || DEFAULT_ACCOUNT);
    await state.api.login(form.username.value.trim(), form.password.value);
    sessionStorage.setItem(STORE, JSON.stringify(state.api.saved()));
    await enter();
  } catch (error) {
    // a sandbox of shards: another one serves the account (CSDS says which); log in there
    const account = state.api?.account;
    const host = account && [401, 404].includes(error.status) ? await servedElsewhere(account, "agentVep") : null;
    if (host) return openOn(host, account, { user: form.username.value.trim() });
    showError(ui.loginError, error.status === 401 ? "Wrong account, username or password." : `Could not log in: ${error.message}`);
    state.api = null;
  } finally {
    ui.loginButton.disabled = false;
    ui.loginButton.textContent = "Log in";
  }
}

/** After login: agent session, profile, Online, then the loops and the live view. */
async function enter() {
  await state.api.startSession();
  const info = await state.api.info();
  state.setAgent(info);
  state.me.availability = await state.api.setAvailability("Online");
  view.showWorkspace(info);
  state.running = true;
  for (const chat of await state.api.chatSessions()) openMyChat(chat.url, false); // chats held from before a reload
  ringLoop();
  connectLive();
  view.renderAll();
}

async function changeAvailability() {
  const wanted = ui.availability.value;
  try {
    state.me.availability = await state.api.setAvailability(wanted);
  } catch (error) {
    toast(`Could not change availability: ${error.message}`, true);
  }
  view.showAvailability();
  state.markLists(); // the empty list's text follows the availability
  view.schedule();
}

async function logout() {
  state.running = false;
  const current = state.api;
  sessionStorage.removeItem(STORE);
  try { await current?.logout(); } catch { /* the session may be gone already */ }
  leave();
}

function leave(message) {
  state.endSession();
  notifier.stop();
  canned.hide();
  view.showLogin(message);
  view.renderAll();
}

function expired(error) {
  if (error?.status === 401 && state.running) {
    sessionStorage.removeItem(STORE);
    leave("Your session has expired. Please log in again.");
    return true;
  }
  return false;
}

// --- ringing ---------------------------------------------------------------------------------------

async function ringLoop() {
  while (state.running && state.api) {
    try {
      state.ringing = await state.api.incomingRequests();
      view.renderRing();
    } catch (error) {
      if (expired(error)) return;
      if (error.status === 404 && state.running) {
        // our agent session is gone (timed out): open a new one, as the sample app does
        try {
          await state.api.startSession();
          state.me.availability = await state.api.setAvailability(ui.availability.value);
        } catch { /* next round */ }
      }
    }
    await sleep(RING_POLL_MS);
  }
}

async function accept() {
  ui.accept.disabled = true;
  try {
    const url = await state.api.accept(state.ringing.acceptUrl);
    state.accepted();
    view.renderRing();
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
  if (state.mine.has(id)) {
    if (select) selectChat("mine", id);
    return state.mine.get(id);
  }
  const chat = state.addMyChat(id, url);
  try {
    const visitUrl = state.loadMyChat(chat, await state.api.chat(url));
    if (visitUrl) {
      state.api.visit(visitUrl).then((visit) => {
        state.setVisit(chat, visit);
        view.schedule();
      }).catch(() => {});
    }
  } catch (error) {
    if (expired(error)) return null;
  }
  if (select) {
    state.view.tab = "mine";
    selectChat("mine", id);
  }
  view.schedule();
  chatLoop(chat);
  return chat;
}

async function chatLoop(chat) {
  while (state.running && state.mine.get(chat.id) === chat && chat.status === "open") {
    await sleep(CHAT_POLL_MS);
    if (!state.running || chat.status !== "open") break;
    try {
      const [events, info] = await Promise.all([state.api.events(chat.nextUrl), state.api.chatInfo(chat.url)]);
      state.polledMyChat(chat, events, info);
      view.schedule();
    } catch (error) {
      if (expired(error)) return;
      if (error.status === 404) {
        // the chat left us (transferred away, or our session was replaced)
        state.closeMyChat(chat, chat.closedText || "This chat is no longer yours.");
        view.schedule();
      }
    }
  }
  state.markLists();
  view.schedule();
}

async function sendLine() {
  const chat = state.selectedMine();
  const text = ui.message.value;
  if (!chat || chat.status !== "open" || !text.trim()) return;
  ui.message.value = "";
  autoGrow(ui.message);
  typing.stop(false);
  ui.send.disabled = true;
  try {
    await state.api.sendLine(chat.url, text);
    state.addMyEvents(chat, await state.api.events(chat.nextUrl));
    view.schedule();
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
  autoGrow(ui.message);
  const chat = state.selectedMine();
  if (!chat || chat.status !== "open") return;
  typing.key(ui.message.value);
}

async function openTransfer() {
  const chat = state.selectedMine();
  if (!chat) return;
  showError(ui.transferError, "");
  ui.transferForm.hidden = false;
  view.showTransferSkills(null);
  try {
    view.showTransferSkills(await state.api.transferSkills(chat.url));
    ui.transferSkill.focus();
  } catch (error) {
    if (!expired(error)) showError(ui.transferError, `Could not load skills: ${error.message}`);
  }
}

async function submitTransfer(event) {
  event.preventDefault();
  const chat = state.selectedMine();
  const skillId = ui.transferSkill.value;
  if (!chat || !skillId) return;
  const skillName = ui.transferSkill.selectedOptions[0]?.textContent.replace(/ \(.*$/, "") || skillId;
  ui.transferSubmit.disabled = true;
  try {
    await state.api.transfer(chat.url, skillId, ui.transferReason.value.trim());
    const reason = ui.transferReason.value.trim();
    state.closeMyChat(chat, `You transferred this chat to ${skillName}${reason ? ` (${reason})` : ""}.`);
    ui.transferForm.hidden = true;
    ui.transferReason.value = "";
    toast(`Chat transferred to ${skillName}.`);
    view.schedule();
  } catch (error) {
    if (!expired(error)) showError(ui.transferError, error.message);
  } finally {
    ui.transferSubmit.disabled = false;
  }
}

async function endChat() {
  const chat = state.selectedMine();
  if (!chat || chat.status !== "open") return;
  ui.endChat.disabled = true;
  try {
    await state.api.end(chat.url);
    state.addMyEvents(chat, await state.api.events(chat.nextUrl));
    state.endMyChat(chat);
    view.schedule();
  } catch (error) {
    if (!expired(error)) toast(`Could not end the chat: ${error.message}`, true);
  } finally {
    ui.endChat.disabled = false;
  }
}

function selectChat(kind, id) {
  state.select(kind, id);
  ui.transferForm.hidden = true;
  canned.hide();
  details.show("visitor");
  view.schedule();
}

// --- the live view (Socket.IO) -------------------------------------------------------------------

function connectLive() {
  if (typeof window.io !== "function") {
    view.setLivePill("error", "Live view unavailable");
    toast("The Socket.IO client is missing (run npm ci).", true);
    return;
  }
  view.setLivePill("connecting", "Connecting…");
  const socket = window.io({ reconnectionDelayMax: 4000 });
  state.live.socket = socket;
  socket.on("connect", () => {
    view.showTransport(socket);
    socket.io.engine.on("upgrade", () => view.showTransport(socket));
    state.live.ready = false;
    state.live.buffer = [];
    socket.emit("watch", { accountId: state.api.account, bearer: state.api.bearer }, (answer) => {
      if (!answer?.ok) {
        view.setLivePill("error", "Live view refused");
        toast(`Live view: ${answer?.error || "refused"}`, true);
        return;
      }
      if (state.applySnapshot(answer.snapshot)) view.showSeq();
      canned.setItems(state.live.canned);
      listFilters.setSkills(state.live.skills);
      view.schedule();
      view.setLivePill("live", "Live");
    });
  });
  socket.on("disconnect", () => { if (state.running) view.setLivePill("reconnecting", "Reconnecting…"); });
  socket.on("connect_error", () => { if (state.running) view.setLivePill("reconnecting", "Reconnecting…"); });
  socket.on("sandbox_event", (message) => {
    if (state.buffer(message)) return;
    if (state.applyEvent(message)) view.showSeq();
    view.schedule();
  });
  socket.on("watch_ended", () => { view.setLivePill("offline", "Live view ended"); });
}

// --- wiring ----------------------------------------------------------------------------------------

ui.loginForm.addEventListener("submit", onLogin);
{ // ?account= (and ?user=): the login form filled in, as another shard sends the browser here
  const params = new URLSearchParams(location.search);
  const fields = ui.loginForm.elements;
  if (params.get("account")) fields.account.value = params.get("account");
  if (params.get("user")) fields.username.value = params.get("user");
}
ui.logout.addEventListener("click", logout);
ui.availability.addEventListener("change", changeAvailability);
ui.accept.addEventListener("click", accept);
ui.tabMine.addEventListener("click", () => { state.setTab("mine"); view.schedule(); });
ui.tabAll.addEventListener("click", () => { state.setTab("all"); view.schedule(); });
arrowKeyTabs(ui.tabMine, ui.tabAll);
ui.composer.addEventListener("submit", (event) => { event.preventDefault(); sendLine(); });
sendOnEnter(ui.message, sendLine);
ui.message.addEventListener("input", onTyping);
ui.transferOpen.addEventListener("click", openTransfer);
ui.transferCancel.addEventListener("click", () => { ui.transferForm.hidden = true; });
ui.transferForm.addEventListener("submit", submitTransfer);
ui.endChat.addEventListener("click", endChat);
ui.paneClose.addEventListener("click", () => { state.closeSelected(); view.schedule(); });
setInterval(() => { if (state.running && state.live.ready) view.renderQueues(); }, 5000); // waiting times move on
setInterval(() => { if (state.running && state.ringing.count) view.renderRingWait(); }, 1000); // the ringing chat's wait

// resume after a reload (same tab): the bearer is kept in sessionStorage
(async () => {
  const saved = JSON.parse(sessionStorage.getItem(STORE) || "null");
  if (!saved?.bearer) return;
  state.api = new AgentApi(saved.account);
  state.api.resume(saved);
  try {
    await enter();
  } catch (error) {
    sessionStorage.removeItem(STORE);
    leave(error instanceof ApiError && error.status === 401 ? "Your session has expired. Please log in again." : "");
  }
})();
