// The visitor panel and the outcome card: who the customer of the selected chat is, and how it ended.

// The panel shows everything the agent may see about the customer (the persona behind the visit:
// name, contact, location, IP, user agent and device, the page, the pre-chat answers, custom
// variables) and what happened in the chat (how it ended, the exit-survey CSAT and comment, the
// agent's wrap-up). It is built from the live view's chat summary, or, for a chat of the agent's
// own before the live view has it, from the Chat Agent API's visit resource. Every value goes in
// as text: the customer (or their browser) supplied all of it.
import { asList } from "./common.js";
import { arrowKeyTabs, avatar, clear, clock, el } from "./ui.js";

const DEVICES = { MOBILE: "Mobile", TABLET: "Tablet", DESKTOP: "Desktop" };
const SYSTEMS = { WINDOWS: "Windows", MAC_OSX: "macOS", IOS: "iOS", ANDROID: "Android", LINUX: "Linux",
  CHROME_OS: "ChromeOS", WINDOWS_PHONE: "Windows Phone" };

export function deviceLabel(device) {
  if (!device) return "";
  return DEVICES[device] || device.charAt(0) + device.slice(1).toLowerCase();
}

export function systemLabel(os) {
  if (!os) return "";
  return SYSTEMS[os] || os.replace(/_/g, " ");
}

/** The visitor's details, from the live summary or (fallback) the visit resource. */
export function visitorDetails(summary, myChat) {
  const v = summary?.visitor;
  if (v) {
    return { ...v, name: summary.visitorName || v.name, preChat: summary.preChat || [],
      customVariables: summary.customVariables || [] };
  }
  const visit = myChat?.visit;
  if (!visit) return null;
  const info = visit.visitorInfo || {};
  const questions = asList(visit.preChatSurvey?.survey?.question);
  return { ...info, name: myChat?.info?.visitorName && myChat.info.visitorName !== "visitor" ? myChat.info.visitorName : info.name,
    ip: visit.ipAddress || info.ip, userAgent: visit.userAgent || info.userAgent, page: visit.chatStartUrl || info.page,
    language: visit.language, visitorId: visit.visitorId, visitId: visit["@id"],
    preChat: questions.map((q) => ({ id: q.id, label: q.label, answer: asList(q.answer) })), customVariables: [] };
}

/** Who ended the chat, in words. */
export function endedByText(summary, myChat, meName) {
  const by = summary?.endedBy;
  const agentName = summary?.lastAgentName;
  if (by === "visitor") return "The customer ended the chat";
  if (by === "agent") return agentName && agentName === meName ? "You ended the chat" : `${agentName || "The agent"} ended the chat`;
  if (by && by.includes("timeout")) return "The chat timed out: the customer stopped responding";
  if (myChat?.status === "ended") return "The chat has ended";
  return by ? `Ended (${by})` : "The chat has ended";
}

function csatOf(answers) {
  const item = (answers || []).find((a) => a.csat);
  const value = item ? Number(asList(item.answer)[0]) : NaN;
  return Number.isFinite(value) ? value : null;
}

function commentOf(answers) {
  const item = (answers || []).find((a) => !a.csat && asList(a.answer).length);
  return item ? asList(item.answer).join(", ") : "";
}

/** Five stars, `value` of them filled; read out as "4 out of 5". */
export function stars(value) {
  return el("span", { class: "stars", role: "img", "aria-label": `${value} out of 5` },
    [1, 2, 3, 4, 5].map((n) => el("span", { class: n <= value ? "on" : "off", "aria-hidden": "true", text: "★" })));
}

/** The outcome card under an ended chat's transcript: who ended it, CSAT and comment, wrap-up. */
export function renderOutcome(node, summary, myChat, meName) {
  clear(node);
  const ended = summary?.state === "ended" || myChat?.status === "ended";
  node.hidden = !ended;
  if (!ended) return;
  const when = summary?.endedTime ? ` · ${clock(summary.endedTime)}` : "";
  node.dataset.endedBy = summary?.endedBy || "";
  node.append(el("p", { class: "outcome-ended", id: "outcome-ended" }, el("strong", { text: endedByText(summary, myChat, meName) }), when));
  const exit = summary?.exitSurvey;
  const csat = csatOf(exit);
  const comment = commentOf(exit);
  if (exit) {
    const row = el("div", { class: "outcome-csat", id: "outcome-csat", dataset: { csat: csat ?? "" } },
      el("span", { class: "outcome-label", text: "Customer satisfaction" }),
      csat !== null ? stars(csat) : null,
      el("strong", { text: csat !== null ? `${csat}/5` : "not rated" }));
    node.append(row);
    if (comment) node.append(el("blockquote", { class: "outcome-comment", id: "outcome-comment", text: comment }));
  } else {
    node.append(el("p", { class: "outcome-pending", text: "No exit survey yet: the customer's rating shows here once they submit it." }));
  }
  const wrap = summary?.agentSurvey;
  if (wrap) {
    node.append(el("div", { class: "outcome-wrapup", id: "outcome-wrapup" }, el("span", { class: "outcome-label", text: "Wrap-up" }),
      wrap.map((a) => el("span", { class: "answer" }, el("span", { class: "q", text: /[?:]$/.test(a.label) ? a.label : `${a.label}:` }),
        " ", asList(a.answer).join(", ")))));
  }
}

function row(label, value, attrs = {}) {
  if (value === undefined || value === null || value === "") return null;
  return [el("dt", { text: label }), el("dd", attrs, value)];
}

function section(title, rows) {
  const items = rows.filter(Boolean).flat();
  if (!items.length) return null;
  return el("section", { class: "vp-section" }, el("h3", { text: title }), el("dl", {}, items));
}

/** The panel for the selected chat (or its empty state). */
export function renderVisitorPanel(node, summary, myChat, meName) {
  const details = visitorDetails(summary, myChat);
  // redrawn only when something shown changed (a new line must not drop the agent's text selection)
  const s0 = summary || {};
  const key = JSON.stringify([details, s0.id || myChat?.id, s0.skill, s0.state, s0.endedBy, s0.endedTime,
    s0.exitSurvey, s0.engagementId, myChat?.status, meName]);
  if (node.vpKey === key) return;
  node.vpKey = key;
  clear(node);
  if (!summary && !myChat) {
    node.append(el("p", { class: "empty", text: "Pick a conversation to see who the customer is." }));
    return;
  }
  if (!details) {
    node.append(el("p", { class: "empty", text: "Loading the visitor's details…" }));
    return;
  }
  const device = deviceLabel(details.device);
  const where = [details.city, details.country].filter(Boolean).join(", ");
  node.append(el("div", { class: "vp-head" },
    avatar(details.name || "Visitor", null, "visitor", "large"),
    el("div", { class: "vp-title" },
      el("h2", { class: "vp-name", id: "vp-name", text: details.name || "Visitor" }),
      el("p", { class: "vp-sub" },
        device ? el("span", { class: `badge device ${String(details.device).toLowerCase()}`, id: "vp-device-badge", text: device }) : null,
        where ? el("span", { text: where }) : null))));
  const given = details.givenName && details.givenName !== details.name ? details.givenName : "";
  node.append(
    section("Contact", [
      row("Name", details.name, { id: "vp-fullname" }),
      row("Calls themselves", given),
      row("Email", details.email, { id: "vp-email" }),
      row("Phone", details.phone, { id: "vp-phone" }),
    ]),
    section("Location", [
      row("City", details.city, { id: "vp-city" }),
      row("Country", details.country ? `${details.country}${details.countryCode ? ` (${details.countryCode})` : ""}` : "", { id: "vp-country" }),
      row("IP address", details.ip, { id: "vp-ip", class: "mono" }),
    ]),
    section("Device", [
      row("Device", device, { id: "vp-device" }),
      row("Browser", details.browser, { id: "vp-browser" }),
      row("System", systemLabel(details.operatingSystem), { id: "vp-os" }),
      row("User agent", details.userAgent, { id: "vp-ua", class: "mono small" }),
    ]),
    section("Visit", [
      row("Chatted from", details.page, { id: "vp-page", class: "wrap" }),
      row("Language", details.language),
      row("Visitor id", details.visitorId, { class: "mono small" }),
    ]),
  );
  const prechat = details.preChat || [];
  node.append(el("section", { class: "vp-section", id: "vp-prechat" }, el("h3", { text: "Pre-chat survey" }),
    prechat.length ? el("dl", { class: "stacked" }, prechat.map((a) => [el("dt", { text: a.label || a.id }), el("dd", { text: asList(a.answer).join(", ") })]).flat())
      : el("p", { class: "muted", text: "Not answered." })));
  const vars = details.customVariables || [];
  if (vars.length) {
    node.append(section("Custom variables", vars.map((v) => row(v.name, v.value))));
  }
  const s = summary;
  const chatRows = [
    row("Chat", s?.id || myChat?.id, { id: "vp-chat-id", class: "mono small" }),
    row("Skill", s?.skill),
    row("Engagement", s?.engagementId ? `${s.engagementId}${s.campaignId ? ` (campaign ${s.campaignId})` : ""}` : ""),
    row("Started", s?.created ? clock(s.created) : ""),
  ];
  if (s?.state === "ended" || myChat?.status === "ended") {
    chatRows.push(row("Ended", endedByText(s, myChat, meName) + (s?.endedTime ? ` · ${clock(s.endedTime)}` : ""), { id: "vp-ended-by" }));
    const csat = csatOf(s?.exitSurvey);
    if (s?.exitSurvey) {
      chatRows.push(row("CSAT", csat !== null ? `${csat}/5` : "not rated", { id: "vp-csat" }));
      const comment = commentOf(s.exitSurvey);
      if (comment) chatRows.push(row("Comment", comment, { id: "vp-comment" }));
    }
  }
  node.append(section("This conversation", chatRows));
  node.append(el("p", { class: "vp-persona", id: "vp-persona" },
    el("span", { class: "badge", text: "Persona" }),
    " Made up by the sandbox (Faker) for this chat; the customer page lets the customer edit it before starting."));
}

/** The details column's two tabs: the selected chat's visitor, or the team (agents, queues). */
export class DetailsTabs {
  /** ui: {visitorTab, teamTab, visitorPanel, teamPanel} */
  constructor(ui) {
    this.ui = ui;
    ui.visitorTab.addEventListener("click", () => this.show("visitor"));
    ui.teamTab.addEventListener("click", () => this.show("team"));
    arrowKeyTabs(ui.visitorTab, ui.teamTab);
  }

  show(which) {
    const { visitorTab, teamTab, visitorPanel, teamPanel } = this.ui;
    visitorTab.setAttribute("aria-selected", String(which === "visitor"));
    teamTab.setAttribute("aria-selected", String(which === "team"));
    visitorPanel.hidden = which !== "visitor";
    teamPanel.hidden = which !== "team";
  }
}
