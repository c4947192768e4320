// The dashboard's numbers as DOM: the headline cards, the per-bot (or per-skill) table, the ranked transfer reasons.
import { byId, clear, el } from "./ui.js";
import { NONE, count, mean, percent, percentOf100, seconds, signed } from "./dashboard-format.js";

const KINDS = { bot: "Bot", human: "Human", skill: "Skill", variant: "Variant" };

/** A value with its raw number in data-value (what tests and copy-paste can rely on). */
function value(text, raw, extra = "") {
  return el("span", { class: `value ${extra}`.trim(), dataset: { value: raw ?? "" } }, text);
}

function tone(mcs) {
  if (mcs === null || mcs === undefined) return "";
  return mcs > 0 ? "good" : mcs < 0 ? "bad" : "";
}

function setKpi(id, text, raw, note, extra = "") {
  const card = byId(id);
  const shown = card.querySelector(".kpi-value");
  shown.textContent = text;
  shown.dataset.value = raw ?? "";
  shown.className = `kpi-value ${extra}`.trim();
  card.querySelector(".kpi-note").textContent = note;
}

/** The seven headline cards: every chat of the window. */
export function renderKpis(total) {
  const ended = total.ended;
  setKpi("kpi-chats", total.chats.toLocaleString("en-US"), total.chats,
    `${count(ended, "ended chat")} · ${total.chats - ended} open`);
  setKpi("kpi-mcs", signed(total.mcs), total.mcs,
    total.mcs === null ? "No customer lines yet" : `% positive − % negative chats · mean ${signed(total.mcs_mean, 1)}`,
    tone(total.mcs));
  setKpi("kpi-csat", total.csat_mean === null ? NONE : `${mean(total.csat_mean)} / 5`, total.csat_mean,
    total.csat_answers ? `${percentOf100(total.csat)} satisfied (4 or 5) · ${count(total.csat_answers, "answer")}`
      : "No survey answers yet");
  setKpi("kpi-resolution", percent(total.resolution_rate), total.resolution_rate,
    ended ? `${total.resolved} of ${count(ended, "ended chat")}` : "No ended chats yet");
  setKpi("kpi-transfer", percent(total.transfer_rate), total.transfer_rate,
    ended ? `${total.transfers} of ${count(ended, "ended chat")}, by a bot` : "No ended chats yet");
  setKpi("kpi-first-response", seconds(total.first_response_mean), total.first_response_mean,
    "Mean, from the request to the first agent line");
  setKpi("kpi-duration", seconds(total.duration_mean), total.duration_mean, "Mean, from the request to the end");
}

function cell(label, col, ...children) {
  // one wrapper: on a phone the cell is a grid of its label and this
  return el("td", { dataset: { label, col }, class: col === "name" || col === "reason" ? "" : "num" },
    el("span", { class: "cell" }, ...children));
}

function row(card, isTotal = false) {
  const reason = card.reasons[0];
  const name = el("span", { class: "name" }, el("span", { class: "label", text: card.label }),
    card.kind === "total" ? null : el("span", { class: `badge ${card.kind}`, text: KINDS[card.kind] || card.kind }));
  return el("tr", { dataset: { key: card.key }, class: isTotal ? "total" : "" },
    el("th", { scope: "row", dataset: { label: "Name", col: "name" } }, name),
    cell("Chats", "chats", value(card.chats.toLocaleString("en-US"), card.chats),
      el("small", { text: `${card.ended} ended` })),
    cell("MCS", "mcs", value(signed(card.mcs), card.mcs, tone(card.mcs))),
    cell("CSAT", "csat", value(card.csat_mean === null ? NONE : `${mean(card.csat_mean)} / 5`, card.csat_mean),
      el("small", { text: card.csat_answers ? `${percentOf100(card.csat)} · ${count(card.csat_answers, "answer")}` : "no answers" })),
    cell("Resolved", "resolution", value(percent(card.resolution_rate), card.resolution_rate),
      el("small", { text: `${card.resolved} of ${card.ended}` })),
    cell("To a human", "transfer", value(percent(card.transfer_rate), card.transfer_rate),
      el("small", { text: `${card.transfers} of ${card.ended}` })),
    cell("Top transfer reason", "reason", reason
      ? el("span", { class: "reason-text" }, reason.reason, el("small", { text: ` × ${reason.count}` }))
      : el("span", { class: "muted", text: NONE })),
    cell("First response", "first-response", value(seconds(card.first_response_mean), card.first_response_mean)),
    cell("Duration", "duration", value(seconds(card.duration_mean), card.duration_mean)));
}

/** The table: one row per group, the all-chats row in the footer. */
export function renderTable(report, by) {
  byId("table-title").textContent = by === "skill" ? "Per skill" : "Per bot (the chat's first agent)";
  const body = byId("scores-body");
  clear(body);
  body.append(...report.scorecards.map((card) => row(card)));
  const foot = byId("scores-foot");
  clear(foot);
  foot.append(row(report.total, true));
}

/** Transfer reasons, most given first, with a bar of their share of all bot-to-human transfers. */
export function renderReasons(total) {
  const list = byId("reasons");
  clear(list);
  const reasons = total.reasons || [];
  if (!reasons.length) {
    list.append(el("li", { class: "muted reasons-empty", text: total.ended
      ? "No bot handed a chat to a human in this window." : "No ended chats in this window yet." }));
    return;
  }
  const all = reasons.reduce((sum, r) => sum + r.count, 0);
  const most = reasons[0].count;
  for (const reason of reasons.slice(0, 8)) {
    const bar = el("span", { class: "bar", "aria-hidden": "true" });
    bar.style.width = `${Math.max(2, (100 * reason.count) / most)}%`; // CSSOM: allowed by the page's CSP
    list.append(el("li", { dataset: { reason: reason.reason } },
      el("span", { class: "reason-line" }, el("span", { class: "reason-text", text: reason.reason }),
        el("span", { class: "reason-count", text: `${reason.count} · ${percent(reason.count / all)}` })),
      el("span", { class: "track" }, bar)));
  }
  if (reasons.length > 8) list.append(el("li", { class: "muted", text: `and ${reasons.length - 8} more (see the CSV)` }));
}
