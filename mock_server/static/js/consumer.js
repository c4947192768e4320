// The consumer page's UI: engagement -> pre-chat survey -> chat -> exit survey, over consumer-api.js.

// The chat follows LivePerson's JS chat SDK: events are polled by their `next` link, and the
// page shows the customer's own line at once, before the poll brings its event.
import { DEFAULT_ACCOUNT, GLOBAL_APP_KEY, asList, lineContent, openOn, servedElsewhere } from "./common.js";
import { ConsumerApi } from "./consumer-api.js";
import { dismissQuickReplies, retireRichActions, setRichActions } from "./rich.js";
import {
  autoGrow, avatar, byId as $, clear, clock, el, fieldValues, followLatest, nearBottom, sendOnEnter,
  showError, sleep, toaster, TypingSignal, typingIndicator,
} from "./ui.js";

const params = new URLSearchParams(location.search);
const api = new ConsumerApi(params.get("account") || DEFAULT_ACCOUNT, params.get("appKey") || GLOBAL_APP_KEY);
const POLL_MS = 1000;

const ui = {
  window: $("chat-window"), title: $("chat-title"), subtitle: $("chat-subtitle"), headAvatar: $("head-avatar"),
  pill: $("state-pill"), status: $("status-bar"), end: $("end-chat"), saveScript: $("save-script"), body: $("chat-body"),
  engagements: $("engagement-list"), engagementError: $("engagement-error"), next: $("continue"),
  stepEngagements: $("step-engagements"), stepPrechat: $("step-prechat"), prechatForm: $("prechat-form"),
  prechatHeader: $("prechat-header"), prechatError: $("prechat-error"), start: $("start-chat"),
  back: $("prechat-back"), transcript: $("transcript"), stepSurvey: $("step-survey"),
  surveyForm: $("survey-form"), surveyError: $("survey-error"), surveySubmit: $("survey-submit"),
  surveySkip: $("survey-skip"), surveyTitle: $("survey-title"), stepThanks: $("step-thanks"),
  thanksText: $("thanks-text"),
  newChat: $("new-chat"), composer: $("composer"), message: $("message"), send: $("send"),
  typing: $("typing-row"), jump: $("jump"), personaForm: $("persona-form"),
  personaPanel: document.querySelector(".persona-panel"), personaLocked: $("persona-locked"),
  shuffle: $("persona-shuffle"), toast: $("toast"),
};

const STATES = {
  choose: ["", ""],
  prechat: ["", ""],
  connecting: ["Connecting…", "Connecting you to our team…"],
  waiting: ["Waiting in queue", "You are in the queue. An agent will be with you shortly."],
  chatting: ["Chatting", ""],
  transferred: ["Transferring…", "Please hold: you are being transferred."],
  ended: ["Chat ended", "The chat has ended."],
};

const state = {
  phase: "choose",
  engagements: [],
  agents: new Map(), // nickname -> {userType, pictureUrl}
  chosen: null,
  prechat: null,
  chatUrl: null,
  nextUrl: null,
  rendered: new Set(), // event ids on screen
  sent: new Map(), // event id -> my line on screen, until the poll brings its event
  hadAgent: false,
  agentName: null,
  skillName: null,
  transferTarget: null,
  polling: false,
  exitSurvey: null,
  availabilityTimer: null,
  visitorName: null,
  lastChatId: null, // the current chat's id, kept after it (and through "new chat") for its script
};

// --- small UI helpers -----------------------------------------------------------------------

const toast = toaster(ui.toast, 4000);
const scrollToBottom = followLatest(ui.body, ui.jump);
const typing = new TypingSignal((value) => api.setTyping(state.chatUrl, value).catch(() => {}));

function agentInfo(name) {
  return state.agents.get(name) || { userType: "human", pictureUrl: null };
}

function setPhase(phase, detail) {
  state.phase = phase;
  ui.window.dataset.state = phase;
  const [label, text] = STATES[phase] || ["", ""];
  const inChat = ["connecting", "waiting", "chatting", "transferred", "ended"].includes(phase);
  document.body.classList.toggle("in-chat", inChat);
  ui.pill.hidden = !label;
  ui.pill.textContent = label;
  ui.pill.dataset.state = phase;
  const statusText = detail ?? text;
  ui.status.hidden = !inChat || !statusText;
  ui.status.textContent = statusText || "";
  ui.status.dataset.state = phase;
  ui.stepEngagements.hidden = phase !== "choose";
  ui.stepPrechat.hidden = phase !== "prechat";
  ui.transcript.hidden = !inChat && phase !== "survey" && phase !== "thanks";
  ui.composer.hidden = !["waiting", "chatting", "transferred"].includes(phase);
  ui.end.hidden = !["connecting", "waiting", "chatting", "transferred"].includes(phase);
  ui.saveScript.hidden = !state.lastChatId;
  if (["ended", "survey", "thanks"].includes(phase)) retireRichActions(ui.transcript);
  lockPersona(phase !== "choose" && phase !== "prechat");
  updateHead();
}

function updateHead() {
  clear(ui.headAvatar);
  if (state.agentName && ["chatting", "ended", "survey", "thanks"].includes(state.phase)) {
    const info = agentInfo(state.agentName);
    ui.headAvatar.append(avatar(state.agentName, info.pictureUrl, info.userType, "large"));
    ui.title.textContent = state.agentName;
    ui.subtitle.textContent = info.userType === "bot" ? "Virtual assistant" : "Customer support";
  } else if (state.chosen && state.phase !== "choose") {
    ui.title.textContent = state.chosen.engagementName;
    ui.subtitle.textContent = state.chosen.campaignName;
  } else {
    ui.title.textContent = "Chat with us";
    ui.subtitle.textContent = "We usually answer in under a minute";
  }
}

function lockPersona(locked) {
  ui.personaPanel.classList.toggle("locked", locked);
  ui.personaLocked.hidden = !locked;
  ui.shuffle.disabled = locked;
  for (const field of ui.personaForm.elements) field.readOnly = locked;
}

// --- persona ------------------------------------------------------------------------------

const PERSONA_FIELDS = ["name", "email", "phone", "city", "country", "ip", "page", "userAgent"];

async function loadPersona() {
  try {
    const drawn = await api.persona();
    for (const name of PERSONA_FIELDS) {
      const field = ui.personaForm.elements.namedItem(name);
      if (field) field.value = drawn[name] ?? "";
    }
  } catch (error) {
    toast(`Could not draw a persona: ${error.message}`, true);
  }
}

function persona() {
  const out = {};
  for (const name of PERSONA_FIELDS) {
    const value = ui.personaForm.elements.namedItem(name)?.value.trim();
    if (value) out[name] = value;
  }
  return out;
}

// --- engagements ----------------------------------------------------------------------------

// The engagement's card and the queue message say the same thing: someone free now, everyone
// busy (a short wait), or nobody online (the chat waits until someone comes online).
function availabilityOf(item) {
  if (!item) return "unknown";
  return item.availableNow ? "now" : item.available ? "busy" : "nobody";
}

function availabilityBadge(item) {
  const kind = availabilityOf(item);
  if (kind === "now") return el("span", { class: "badge ok", text: "Agent available now" });
  if (kind === "busy") return el("span", { class: "badge warn", text: "Busy: short wait" });
  return el("span", { class: "badge", text: "Nobody online: your chat will wait" });
}

function waitingText() {
  const skill = state.skillName ? ` for ${state.skillName}` : "";
  const kind = availabilityOf(state.chosen);
  if (kind === "nobody") {
    return `Nobody is online${skill} right now: your chat will wait in the queue until an agent comes online.`;
  }
  if (kind === "busy") return `Every agent${skill} is busy: your chat waits in the queue, an agent will be with you shortly.`;
  return `You are in the queue${skill}. An agent will be with you shortly.`;
}

/** While the chat waits for its first agent, the queue message follows the live availability. */
function showWaiting() {
  const text = waitingText();
  if (state.phase === "waiting" && !state.hadAgent && ui.status.textContent !== text) setPhase("waiting", text);
}

function renderEngagements() {
  clear(ui.engagements);
  if (!state.engagements.length) {
    ui.engagements.append(el("p", { class: "empty", text: "This account has no published engagement." }));
    return;
  }
  for (const item of state.engagements) {
    const checked = state.chosen?.engagementId === item.engagementId;
    const kinds = item.agentTypes.map((t) => el("span", { class: `badge ${t}`, text: t === "bot" ? "Bot" : "Human agents" }));
    const button = el("button", {
      type: "button", class: "engagement", role: "radio", "aria-checked": String(checked),
      tabindex: checked || (!state.chosen && item === state.engagements[0]) ? "0" : "-1",
      dataset: { engagement: item.engagementId },
      onclick: () => choose(item),
      onkeydown: (event) => moveChoice(event, item),
    },
    el("span", { class: "radio", "aria-hidden": "true" }),
    el("span", {},
      el("span", { class: "title", text: item.engagementName }),
      el("span", { class: "detail", text: `${item.campaignName} · engagement ${item.engagementId} · skill ${item.skillName || "any"}` }),
      el("span", { class: "chips" }, kinds)),
    el("span", { class: "availability" }, availabilityBadge(item)));
    button.setAttribute("aria-label", `${item.engagementName}, skill ${item.skillName || "any"}, ${availabilityBadge(item).textContent}`);
    ui.engagements.append(button);
  }
}

function moveChoice(event, item) {
  const keys = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };
  if (event.key === "Enter") {
    event.preventDefault();
    choose(item);
    goPrechat();
    return;
  }
  if (!(event.key in keys)) return;
  event.preventDefault();
  const list = state.engagements;
  const next = list[(list.indexOf(item) + keys[event.key] + list.length) % list.length];
  choose(next);
  ui.engagements.querySelector(`[data-engagement="${CSS.escape(next.engagementId)}"]`)?.focus();
}

function choose(item) {
  state.chosen = item;
  ui.next.disabled = false;
  renderEngagements();
}

async function loadEngagements() {
  try {
    const { engagements, agents } = await api.engagements();
    state.engagements = engagements;
    state.agents = new Map(agents.map((a) => [a.nickname, a]));
    if (state.chosen) state.chosen = state.engagements.find((e) => e.engagementId === state.chosen.engagementId) || null;
    showError(ui.engagementError, "");
    if (state.phase === "choose") renderEngagements();
    else showWaiting();
  } catch (error) {
    // a sandbox of shards: the account lives on another one, which CSDS names
    const host = error.status === 404 ? await servedElsewhere(api.account, "conversationVep") : null;
    if (host) return openOn(host, api.account);
    showError(ui.engagementError, `Could not load engagements: ${error.message}`);
  }
}

// --- pre-chat survey --------------------------------------------------------------------------

function questionField(question, prefix, prefill = {}) {
  const id = `${prefix}-${question.id}`;
  const label = question.label + (String(question.mandatory) === "true" ? " *" : "");
  const entries = asList(question.entry);
  if (question.type === "Text Area") {
    return el("div", { class: "field" }, el("label", { for: id, text: label }),
      el("textarea", { id, name: String(question.id), rows: "3", maxlength: "2000" }));
  }
  if (question.type === "Dropdown Box") {
    const select = el("select", { id, name: String(question.id) }, el("option", { value: "", text: "Choose…" }),
      entries.map((e) => el("option", { value: e.value, text: e.displayValue || e.value })));
    return el("div", { class: "field" }, el("label", { for: id, text: label }), select);
  }
  if (entries.length) {
    const type = question.type === "Checkbox" ? "checkbox" : "radio";
    return el("fieldset", { class: "field" }, el("legend", { text: label }),
      el("div", { class: "choices" }, entries.map((e, i) => el("label", { class: "choice", for: `${id}-${i}` },
        el("input", { type, id: `${id}-${i}`, name: String(question.id), value: e.value }),
        e.displayValue || e.value))));
  }
  const input = el("input", { id, name: String(question.id), maxlength: "200", type: question.validationType === "email" ? "email" : "text" });
  if (prefill[question.validationType]) input.value = prefill[question.validationType];
  else if (/name/i.test(question.label) && prefill.name) input.value = prefill.name;
  return el("div", { class: "field" }, el("label", { for: id, text: label }), input);
}

function answers(form, survey) {
  const out = [];
  for (const question of survey.questions) {
    const values = fieldValues(form, String(question.id));
    if (!values.length) continue;
    out.push({ id: question.id, answer: question.type === "Checkbox" ? values : values[0] });
  }
  return out;
}

function missingMandatory(survey, given) {
  const answered = new Set(given.map((a) => String(a.id)));
  return survey.questions.filter((q) => String(q.mandatory) === "true" && !answered.has(String(q.id)));
}

async function goPrechat() {
  if (!state.chosen) return;
  clearInterval(state.availabilityTimer);
  try {
    const survey = await api.preSurvey();
    const questions = asList(survey?.questions?.question);
    state.prechat = survey && questions.length ? { id: survey.id, header: survey.header, questions } : null;
  } catch (error) {
    state.prechat = null; // no pre-chat survey configured: straight to the chat
  }
  if (!state.prechat) {
    startChat();
    return;
  }
  clear(ui.prechatForm);
  ui.prechatHeader.textContent = state.prechat.header || "A few details help us serve you better (optional unless marked *).";
  const p = persona();
  for (const question of state.prechat.questions) ui.prechatForm.append(questionField(question, "pre", p));
  showError(ui.prechatError, "");
  setPhase("prechat");
  ui.prechatForm.querySelector("input, select, textarea")?.focus();
}

// --- the chat -------------------------------------------------------------------------------

async function startChat() {
  const body = { request: { engagementId: state.chosen.engagementId, campaignId: state.chosen.campaignId,
    persona: persona() } };
  if (state.prechat) {
    const given = answers(ui.prechatForm, state.prechat);
    const missing = missingMandatory(state.prechat, given);
    if (missing.length) {
      showError(ui.prechatError, `Please answer: ${missing.map((q) => q.label).join(", ")}`);
      return;
    }
    if (given.length) body.request.survey = { id: state.prechat.id, question: given };
    const nameAnswer = state.prechat.questions.find((q) => /name/i.test(q.label) && q.type === "Text Field");
    const given_name = nameAnswer && given.find((a) => String(a.id) === String(nameAnswer.id));
    state.visitorName = given_name?.answer || null;
  }
  state.visitorName = state.visitorName || body.request.persona.name || null;
  resetChat();
  state.skillName = state.chosen.skillName;
  setPhase("connecting");
  ui.start.disabled = true;
  try {
    state.chatUrl = await api.requestChat(body.request);
    state.lastChatId = decodeURIComponent(state.chatUrl.split("/").pop());
    state.nextUrl = `${state.chatUrl}/events?from=0`;
    if (state.visitorName) api.setVisitorName(state.chatUrl, state.visitorName).catch(() => {});
    setPhase("waiting", waitingText());
    ui.message.focus();
    loadEngagements(); // the availability now, not as the card last showed it
    watchAvailability();
    pollLoop();
  } catch (error) {
    setPhase(state.prechat ? "prechat" : "choose");
    showError(state.prechat ? ui.prechatError : ui.engagementError, `Could not start the chat: ${error.message}`);
  } finally {
    ui.start.disabled = false;
  }
}

function resetChat() {
  clear(ui.transcript);
  clear(ui.typing);
  Object.assign(state, { chatUrl: null, nextUrl: null, rendered: new Set(), sent: new Map(), hadAgent: false, agentName: null,
    transferTarget: null, exitSurvey: null });
  typing.sent = false; // a new chat is not told the last one's typing ended
}

async function pollLoop() {
  if (state.polling) return;
  state.polling = true;
  let failures = 0;
  const url = state.chatUrl;
  while (state.chatUrl === url && state.nextUrl) {
    try {
      const [events, info] = await Promise.all([api.events(state.nextUrl), api.info(url)]);
      if (state.chatUrl !== url) break;
      failures = 0;
      applyInfo(info);
      const ended = applyEvents(events);
      if (ended) break;
    } catch (error) {
      failures += 1;
      if (error.status === 404 || error.status === 401) {
        setPhase("ended", "This chat is no longer available.");
        break;
      }
      if (failures >= 2) ui.status.hidden = false, ui.status.textContent = "Connection lost. Reconnecting…", ui.status.dataset.state = "error";
    }
    await sleep(failures ? Math.min(POLL_MS * 2 ** failures, 8000) : POLL_MS);
  }
  state.polling = false;
}

function applyInfo(info) {
  if (!info) return;
  if (info.agentName && info.state === "chatting") {
    if (state.agentName !== info.agentName) {
      state.agentName = info.agentName;
      state.hadAgent = true;
      if (state.phase === "chatting") enterChatting();
    }
  }
  clear(ui.typing);
  if (info.agentTyping === "typing" && state.agentName && state.phase === "chatting") {
    const agent = agentInfo(state.agentName);
    ui.typing.append(typingIndicator(`${state.agentName} is typing`, avatar(state.agentName, agent.pictureUrl, agent.userType, "tiny")));
  }
}

function enterChatting() {
  const info = agentInfo(state.agentName);
  const who = state.agentName ? `${state.agentName}${info.userType === "bot" ? " (virtual assistant)" : ""}` : "an agent";
  setPhase("chatting", `You are chatting with ${who}.`);
}

/** Render a page of events in one DOM update; true once the chat has ended. */
function applyEvents(events) {
  if (!events) return false;
  const next = asList(events.link).find((l) => l["@rel"] === "next");
  if (next) state.nextUrl = next["@href"];
  const list = asList(events.event);
  if (!list.length) return false;
  const stick = nearBottom(ui.body);
  const fragment = document.createDocumentFragment();
  let ended = false;
  for (const event of list) {
    const id = Number(event["@id"]);
    if (state.rendered.has(id)) continue;
    if (event["@type"] === "line" && event.source === "visitor" && adoptPending(event, id)) continue;
    state.rendered.add(id);
    if (event["@type"] === "state") {
      ended = onState(event, fragment) || ended;
    } else {
      if (event.source === "system") onSystem(event);
      else if (event.source === "agent" && event.by) {
        if (!state.agentName || state.phase !== "chatting") state.agentName = event.by;
      }
      fragment.append(renderLine(event, id));
    }
  }
  ui.transcript.append(fragment);
  if (stick) scrollToBottom(); else ui.jump.hidden = false;
  if (ended) finishChat();
  return ended;
}

function onSystem(event) {
  const id = String(event.systemMessageId || "");
  if (id === "15" || id === "13") {
    const match = /transferred to (.+?)\.?$/.exec(event.text || "");
    state.transferTarget = match ? match[1] : null;
    setPhase("transferred", event.text);
  }
}

function onState(event, fragment) {
  if (event.state === "chatting") {
    state.hadAgent = true;
    enterChatting();
  } else if (event.state === "waiting") {
    if (state.hadAgent) {
      setPhase("transferred", state.transferTarget ? `Please hold: you are being transferred to ${state.transferTarget}.`
        : "Please hold: you are being transferred.");
    } else {
      setPhase("waiting", waitingText());
    }
  } else if (event.state === "ended") {
    fragment.append(el("li", { class: "sys state", text: `Chat ended · ${clock(event.time)}` }));
    return true;
  }
  return false;
}

function renderLine(event, id) {
  if (event.source === "system") {
    return el("li", { class: "sys", dataset: { id: String(id) }, text: event.text || "" });
  }
  const mine = event.source === "visitor";
  const name = mine ? "You" : (event.by || "Agent");
  const info = mine ? null : agentInfo(event.by);
  const kind = mine ? "visitor" : info.userType;
  const bubble = el("div", { class: "bubble" },
    el("span", { class: "meta" }, el("span", { class: "who", text: name }),
      !mine && info.userType === "bot" ? " · Bot" : "", ` · ${clock(event.time)}`),
    lineContent(event));
  return el("li", { class: `msg ${mine ? "mine" : "theirs"} ${kind}`, dataset: { id: String(id) } },
    mine ? null : avatar(name, info.pictureUrl, kind), bubble);
}

/** My own line, already on screen: it takes the event's id and time (no second bubble). */
function adoptPending(event, id) {
  let node = state.sent.get(id);
  state.sent.delete(id);
  if (!node) {
    node = [...ui.transcript.querySelectorAll("li.msg.pending:not([data-id])")]
      .find((item) => item.dataset.text === event.text);
  }
  if (!node) return false;
  node.dataset.id = String(id);
  node.classList.remove("pending");
  node.querySelector(".meta").lastChild.textContent = ` · ${clock(event.time)}`;
  state.rendered.add(id);
  return true;
}

async function sendLine(preset) {
  const typed = typeof preset !== "string"; // else a card's button or a quick reply said it
  const text = typed ? ui.message.value : preset;
  if (!text.trim() || !state.chatUrl || !["waiting", "chatting", "transferred"].includes(state.phase)) return;
  if (typed) {
    ui.message.value = "";
    autoGrow(ui.message);
    typing.stop(false);
  }
  dismissQuickReplies(ui.transcript);
  const node = el("li", { class: "msg mine visitor pending", dataset: { text } },
    el("div", { class: "bubble" }, el("span", { class: "meta" }, el("span", { class: "who", text: "You" }), " · sending…"),
      document.createTextNode(text)));
  ui.transcript.append(node);
  scrollToBottom();
  try {
    const eventId = await api.sendLine(state.chatUrl, text);
    if (node.dataset.id) return; // the poll brought its event first
    if (eventId !== null) state.sent.set(eventId, node); // the next poll gives it its time
    node.classList.remove("pending");
    node.querySelector(".meta").lastChild.textContent = " · sent";
  } catch (error) {
    node.classList.remove("pending");
    node.classList.add("failed");
    node.querySelector(".meta").lastChild.textContent = ` · not sent: ${error.message}`;
  }
}

// the agent sees the customer type only while a chat can take a line
function onTypingInput() {
  autoGrow(ui.message);
  if (!state.chatUrl || !["waiting", "chatting", "transferred"].includes(state.phase)) return;
  typing.key(ui.message.value);
}

async function endChat() {
  if (!state.chatUrl) return;
  ui.end.disabled = true;
  try {
    await api.end(state.chatUrl);
  } catch (error) {
    if (error.status !== 409) toast(`Could not end the chat: ${error.message}`, true);
  } finally {
    ui.end.disabled = false;
  }
  if (!state.polling) pollLoop();
}

// The chat as a replayable customer script (the sandbox's own route, not LivePerson's): fetched
// first, so a chat the sandbox no longer has is a message here and not a downloaded error.
async function saveScript() {
  const id = state.lastChatId;
  if (!id) return;
  ui.saveScript.disabled = true;
  try {
    const response = await fetch(`/_sandbox/chats/${encodeURIComponent(id)}/script`, { cache: "no-store" });
    if (!response.ok) {
      const message = (await response.json().catch(() => null))?.error?.message || `${response.status} ${response.statusText}`;
      throw new Error(message);
    }
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: `chat-${id}.yaml`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000); // the download has it by then
    toast("Test script saved: replay it with python -m simulator consumer --script");
  } catch (error) {
    toast(`Could not save the test script: ${error.message}`, true);
  } finally {
    ui.saveScript.disabled = false;
  }
}

// --- after the chat: the exit survey ---------------------------------------------------------------

async function finishChat() {
  typing.stop(false);
  clear(ui.typing);
  setPhase("ended", state.agentName ? `The chat with ${state.agentName} has ended.` : "The chat has ended.");
  try {
    const survey = await api.exitSurvey(state.chatUrl);
    const questions = asList(survey?.questions?.question);
    if (!survey || !questions.length) throw new Error("no exit survey");
    state.exitSurvey = { id: survey.id, questions };
    renderExitSurvey();
  } catch {
    showThanks("Thanks for chatting with us.");
  }
}

function renderExitSurvey() {
  clear(ui.surveyForm);
  for (const question of state.exitSurvey.questions) {
    const entries = asList(question.entry);
    if (question.type === "Radio Button (side by side)" && entries.length) {
      const id = `exit-${question.id}`;
      const first = entries[0].displayValue || "", last = entries[entries.length - 1].displayValue || "";
      const legend = el("legend", { text: question.label + (question.mandatory === true ? " *" : "") });
      ui.surveyForm.append(el("fieldset", { class: "csat" }, legend,
        el("div", { class: "csat-row" }, entries.map((e) => el("label", { class: "csat-option", title: e.displayValue || e.value },
          el("input", { type: "radio", name: String(question.id), value: e.value, id: `${id}-${e.value}`, "aria-label": e.displayValue || e.value }),
          el("span", { "aria-hidden": "true", text: e.value })))),
        el("div", { class: "csat-legend", "aria-hidden": "true" },
          el("span", { text: first.replace(/^\s*\d+\s*-\s*/, "") }), el("span", { text: last.replace(/^\s*\d+\s*-\s*/, "") }))));
    } else {
      ui.surveyForm.append(questionField(question, "exit"));
    }
  }
  showError(ui.surveyError, "");
  ui.stepSurvey.hidden = false;
  scrollToBottom();
  // The survey's heading takes the focus, not its first choice (which would look answered);
  // Tab goes on to the choices.
  ui.surveyTitle.focus({ preventScroll: true });
}

async function submitSurvey() {
  const given = answers(ui.surveyForm, state.exitSurvey);
  const missing = state.exitSurvey.questions.filter((q) => q.mandatory === true && !given.some((a) => String(a.id) === String(q.id)));
  if (missing.length) {
    showError(ui.surveyError, `Please answer: ${missing.map((q) => q.label).join(", ")}`);
    return;
  }
  if (!given.length) {
    showError(ui.surveyError, "Choose a rating or write a comment, or skip the survey.");
    return;
  }
  ui.surveySubmit.disabled = true;
  try {
    await api.submitExitSurvey(state.chatUrl, state.exitSurvey.id, given);
    showThanks("Your feedback was sent. Thank you for helping us improve.");
  } catch (error) {
    showError(ui.surveyError, `Could not send your feedback: ${error.message}`);
  } finally {
    ui.surveySubmit.disabled = false;
  }
}

function showThanks(text) {
  ui.stepSurvey.hidden = true;
  ui.thanksText.textContent = text;
  ui.stepThanks.hidden = false;
  scrollToBottom();
  ui.newChat.focus({ preventScroll: true });
}

function newChat() {
  resetChat();
  ui.stepSurvey.hidden = true;
  ui.stepThanks.hidden = true;
  ui.transcript.hidden = true;
  state.prechat = null;
  setPhase("choose");
  loadPersona();
  loadEngagements();
  watchAvailability();
  ui.engagements.querySelector('[aria-checked="true"], .engagement')?.focus();
}

function watchAvailability() {
  clearInterval(state.availabilityTimer);
  state.availabilityTimer = setInterval(() => {
    if (state.phase === "choose" || (state.phase === "waiting" && !state.hadAgent)) loadEngagements();
  }, 3000);
}

// --- wiring ---------------------------------------------------------------------------------

ui.next.addEventListener("click", goPrechat);
ui.back.addEventListener("click", () => { setPhase("choose"); renderEngagements(); watchAvailability(); });
ui.start.addEventListener("click", startChat);
ui.prechatForm.addEventListener("submit", (event) => { event.preventDefault(); startChat(); });
ui.composer.addEventListener("submit", (event) => { event.preventDefault(); sendLine(); });
setRichActions({ publishText: (text) => sendLine(text) }); // rich content: a button says its text
sendOnEnter(ui.message, () => sendLine());
ui.message.addEventListener("input", onTypingInput);
ui.end.addEventListener("click", endChat);
ui.saveScript.addEventListener("click", saveScript);
ui.surveySubmit.addEventListener("click", submitSurvey);
ui.surveyForm.addEventListener("submit", (event) => { event.preventDefault(); submitSurvey(); });
ui.surveySkip.addEventListener("click", () => showThanks("Thanks for chatting with us."));
ui.newChat.addEventListener("click", newChat);
ui.shuffle.addEventListener("click", loadPersona);

setPhase("choose");
loadPersona();
loadEngagements();
watchAvailability();
