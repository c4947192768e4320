// The dashboard's A/B panel: choose a test, start or stop it, its variants with 95 % intervals and the verdict in words.
import { byId, clear, el } from "./ui.js";
import { NONE, count, interval, mean, percent, signed, when } from "./dashboard-format.js";

/** A 0..1 (or scaled) interval drawn on a track: the range as a band, the estimate as a dot. */
function intervalBar(estimate, ci, low, high) {
  if (estimate === null || estimate === undefined) return null; // nothing to draw yet
  const track = el("span", { class: "ci-track", "aria-hidden": "true" });
  const at = (v) => `${Math.min(100, Math.max(0, (100 * (v - low)) / (high - low)))}%`;
  if (Array.isArray(ci)) {
    const band = el("span", { class: "ci-band" });
    band.style.left = at(ci[0]); // CSSOM: allowed by the page's CSP
    band.style.right = `calc(100% - ${at(ci[1])})`;
    track.append(band);
  }
  const dot = el("span", { class: "ci-dot" });
  dot.style.left = at(estimate);
  track.append(dot);
  return track;
}

function rateCell(label, col, summary) {
  return el("td", { dataset: { label, col } }, el("span", { class: "cell" },
    el("span", { class: "value", dataset: { value: summary.rate ?? "" } }, percent(summary.rate)),
    el("small", { class: "ci", text: summary.ci ? ` ${interval(summary.ci, "rate")}` : "" }),
    intervalBar(summary.rate, summary.ci, 0, 1),
    el("small", { class: "n", text: `${summary.count} of ${summary.n}` })));
}

function scoreCell(label, summary, kind) {
  const [low, high, shown] = kind === "csat" ? [1, 5, mean(summary.mean, 2)] : [-100, 100, signed(summary.mean, 1)];
  return el("td", { dataset: { label, col: kind } }, el("span", { class: "cell" },
    el("span", { class: "value", dataset: { value: summary.mean ?? "" } }, summary.mean === null ? NONE : shown),
    el("small", { class: "ci", text: summary.ci ? ` ${interval(summary.ci, kind === "csat" ? "mean" : "signed")}` : "" }),
    intervalBar(summary.mean, summary.ci, low, high),
    el("small", { class: "n", text: kind === "csat" ? count(summary.n, "answer") : count(summary.n, "scored chat") })));
}

/** Who falls short of the minimum, in words ("A has 4, B has 2"). */
function shortfall(results) {
  const min = results.minimum.chats;
  const short = results.variants.filter((v) => v.ended < min).map((v) => `${v.name} has ${v.ended}`);
  return short.length ? `: ${short.join(", ")}` : "";
}

export class AbPanel {
  constructor({ onToggle }) {
    this.select = byId("ab-test");
    this.toggle = byId("ab-toggle");
    this.tests = [];
    this.engagements = new Map();
    this.toggle.addEventListener("click", () => {
      const test = this.current();
      if (test) onToggle(test, !test.enabled);
    });
  }

  /** The test chosen in the select (null without any). */
  current() {
    return this.tests.find((t) => t.id === this.select.value) || null;
  }

  /** The account's tests (and its engagements' names, for the description). */
  setTests(tests, engagements) {
    const chosen = this.select.value;
    this.tests = tests;
    this.engagements = new Map(engagements.map((e) => [String(e.engagementId), e.engagementName]));
    clear(this.select);
    for (const test of tests) this.select.append(el("option", { value: test.id, text: test.name || test.id }));
    if (tests.some((t) => t.id === chosen)) this.select.value = chosen;
    const none = !tests.length;
    byId("ab-empty").hidden = !none;
    for (const id of ["ab-verdict", "ab-table", "ab-metrics", "ab-describe"]) byId(id).hidden = none;
    this.select.hidden = none;
    this.toggle.hidden = none;
    byId("ab-state").hidden = none;
  }

  /** Draw one test's results (GET /_sandbox/abtests/{id}). */
  render(results) {
    const test = results.test;
    const local = this.tests.find((t) => t.id === test.id);
    if (local) Object.assign(local, test);
    const state = byId("ab-state");
    state.textContent = test.enabled ? "Running" : "Off";
    state.className = `badge ${test.enabled ? "ok" : ""}`.trim();
    this.toggle.textContent = test.enabled ? "Stop test" : "Start test";
    this.toggle.className = test.enabled ? "small danger" : "small primary";
    const engagement = this.engagements.get(String(test.engagement));
    const split = results.variants.map((v) => `${v.name} → ${v.skillName} (${percent(v.weight / results.variants.reduce((s, x) => s + x.weight, 0))})`).join(", ");
    byId("ab-describe").textContent = `Splits the new chats of engagement ${engagement ? `“${engagement}” (${test.engagement})` : test.engagement}: ${split}.`
      + (test.enabled && test.started ? ` Running since ${when(test.started, true)}.` : " Start it to split new chats.")
      + " Compared over the chats it split in the window.";
    this.renderVerdict(results);
    const body = byId("ab-body");
    clear(body);
    for (const v of results.variants) {
      body.append(el("tr", { dataset: { variant: v.name } },
        el("th", { scope: "row", dataset: { label: "Variant", col: "variant" } },
          el("span", { class: "name" }, el("span", { class: "label", text: v.name }), el("span", { class: "badge skill", text: v.skillName }))),
        el("td", { class: "num", dataset: { label: "Ended chats", col: "ended" } }, el("span", { class: "cell" },
          el("span", { class: "value", dataset: { value: v.ended } }, String(v.ended)))),
        rateCell("Resolved", "resolution", v.resolution), rateCell("To a human", "transfer", v.transfer),
        scoreCell("CSAT mean", v.csat, "csat"), scoreCell("MCS mean", v.mcs, "mcs")));
    }
    const list = byId("ab-metrics");
    clear(list);
    for (const [key, metric] of Object.entries(results.metrics)) {
      const badge = metric.status === "significant" ? "ok" : metric.status === "not enough data" ? "warn" : "";
      list.append(el("li", { dataset: { metric: key } },
        el("span", { class: `badge ${badge}`.trim(), text: metric.status }),
        el("span", { class: "metric-verdict", text: metric.verdict })));
    }
  }

  renderVerdict(results) {
    const box = byId("ab-verdict");
    clear(box);
    const significant = Object.values(results.metrics).filter((m) => m.significant);
    let headline;
    let tone;
    if (!results.enoughData) {
      headline = "Not enough data";
      tone = "warn";
      box.append(el("strong", { class: "verdict-head", text: headline }),
        el("span", { text: ` Each variant needs at least ${results.minimum.chats} ended chats before the variants are compared${shortfall(results)}.` }));
    } else {
      headline = significant.length ? "A significant difference" : "No significant difference yet";
      tone = significant.length ? "ok" : "";
      box.append(el("strong", { class: "verdict-head", text: headline }),
        el("span", { text: ` at the 5 % level (${count(results.variants.reduce((s, v) => s + v.ended, 0), "ended chat")}).` }));
    }
    box.dataset.tone = tone;
  }
}
