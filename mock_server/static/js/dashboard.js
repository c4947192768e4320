// The dashboard's wiring: account, grouping and window, fetching the numbers, exports, live updates, the A/B control.
import { GLOBAL_APP_KEY, request } from "./common.js";
import { byId, el, showError, toaster } from "./ui.js";
import { AbPanel } from "./dashboard-ab.js";
import { Charts } from "./dashboard-charts.js";
import { fromLocalInput, toLocalInput, when } from "./dashboard-format.js";
import { renderKpis, renderReasons, renderTable } from "./dashboard-render.js";

const AUTO_REFRESH_MS = 30_000; // a relative window slides on even when no chat changes
const toast = toaster(byId("toast"), 5000);
const params = new URLSearchParams(location.search);
const state = {
  account: params.get("account") || "",
  by: params.get("by") === "skill" ? "skill" : "bot",
  // seconds, or "custom" (a custom window is not kept across loads)
  span: ["900", "3600", "86400"].includes(params.get("window")) ? params.get("window") : "86400",
  custom: null, // {from, to} in epoch ms
  window: null, // the window of the last answer: {from, to}
  seq: 0,
};
const charts = new Charts();
const ab = new AbPanel({ onToggle: switchTest });
let socket = null;

// --- the controls -------------------------------------------------------------------------------

/** A radio group of buttons: a click or the arrow keys pick one (only the picked one is a Tab stop). */
function segmented(groupId, current, onPick) {
  const buttons = [...byId(groupId).querySelectorAll("button")];
  const mark = (value) => buttons.forEach((b) => {
    b.setAttribute("aria-checked", String(b.dataset.value === value));
    b.tabIndex = b.dataset.value === value ? 0 : -1;
  });
  mark(current);
  for (const button of buttons) {
    button.addEventListener("click", () => { mark(button.dataset.value); onPick(button.dataset.value); });
    button.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      event.preventDefault();
      const next = buttons[(buttons.indexOf(button) + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
      next.click();
      next.focus();
    });
  }
}

function remember() {
  const query = new URLSearchParams({ account: state.account, by: state.by, window: state.span });
  history.replaceState(null, "", `${location.pathname}?${query}`);
}

segmented("group", state.by, (value) => { state.by = value; remember(); refresh(); });
segmented("window", state.span, (value) => {
  state.span = value;
  const form = byId("custom-window");
  form.hidden = value !== "custom";
  if (value === "custom") {
    const { from, to } = state.window || { from: Date.now() - 3_600_000, to: Date.now() };
    byId("custom-from").value = toLocalInput(from);
    byId("custom-to").value = toLocalInput(to);
    byId("custom-from").focus();
    return; // the numbers change on Apply
  }
  remember();
  refresh();
});
byId("custom-window").addEventListener("submit", (event) => {
  event.preventDefault();
  const from = fromLocalInput(byId("custom-from").value);
  const to = fromLocalInput(byId("custom-to").value);
  if (!Number.isFinite(from) || !Number.isFinite(to) || from > to) {
    showError(byId("window-error"), "Choose a start before the end.");
    return;
  }
  showError(byId("window-error"), "");
  state.custom = { from, to };
  remember();
  refresh();
});
byId("account").addEventListener("change", (event) => {
  watch(state.account, false);
  state.account = event.target.value;
  remember();
  watch(state.account, true);
  loadTests().then(refresh);
});
byId("ab-test").addEventListener("change", () => refresh());

// --- fetching -----------------------------------------------------------------------------------

const query = (extra = {}) => new URLSearchParams({ account: state.account, ...extra }).toString();

/** The window to ask for: a relative one ends at the sandbox's now (its clock may be anything). */
async function windowNow() {
  if (state.span === "custom") return state.custom || state.window; // not applied yet: as it was
  const { json } = await request("/_sandbox/clock");
  const span = Number(state.span) * 1000;
  return { from: Math.max(0, json.now - span), to: json.now };
}

let running = null;
let again = false;

/** Fetch everything and draw it; calls while one runs are folded into one more run after it. */
async function refresh() {
  if (running) { again = true; return running; }
  running = (async () => {
    try {
      await draw();
    } catch (error) {
      toast(`Could not load the numbers: ${error.message}`, true);
    }
  })();
  await running;
  running = null;
  if (again) { again = false; await refresh(); }
  return undefined;
}

async function draw() {
  const win = await windowNow();
  const range = { from: String(win.from), to: String(win.to) };
  const test = ab.current();
  const [report, series, results] = await Promise.all([
    request(`/_sandbox/analytics/scorecards?${query({ ...range, by: state.by })}`),
    request(`/_sandbox/analytics/timeseries?${query({ ...range, by: state.by })}`),
    test ? request(`/_sandbox/abtests/${encodeURIComponent(test.id)}?${query(range)}`) : null,
  ]);
  state.window = { from: report.json.from, to: report.json.to };
  const total = report.json.total;
  renderKpis(total);
  const empty = total.chats === 0;
  byId("empty").hidden = !empty;
  for (const id of ["kpis", "table-card", "charts"]) byId(id).hidden = empty; // the empty card says it all
  if (!empty) {
    renderTable(report.json, state.by);
    renderReasons(total);
    charts.update(series.json);
  }
  if (results) ab.render(results.json);
  showWindow(report.json);
  setExports(range);
  byId("updated").textContent = `Updated at ${when(report.json.now, true)} (sandbox clock)${state.seq ? ` · live update ${state.seq}` : ""}`;
  document.body.dataset.loaded = "true";
}

function showWindow(report) {
  const long = report.to - report.from >= 86_400_000;
  const text = `Chats requested ${when(report.from, long)} – ${when(report.to, long)}, sandbox clock`;
  byId("window-caption").textContent = text;
  byId("empty-window").textContent = `Nothing in this window (${when(report.from, true)} – ${when(report.to, true)}). Chats before it need a longer window.`;
}

function setExports(range) {
  const stamp = `${state.account}-${state.window.from}-${state.window.to}`;
  const link = (id, path, name, extra = {}) => {
    const a = byId(id);
    a.href = `${path}?${query({ ...range, ...extra })}`;
    a.download = name;
  };
  link("export-csv", "/_sandbox/analytics/scorecards.csv", `scorecards-${state.by}-${stamp}.csv`, { by: state.by });
  link("export-json", "/_sandbox/analytics/scorecards.json", `scorecards-${state.by}-${stamp}.json`, { by: state.by });
  link("export-records", "/_sandbox/analytics/records.json", `engagement-history-${stamp}.json`);
}

async function loadAccounts() {
  const { json } = await request("/_sandbox/state?events=false");
  const select = byId("account");
  for (const account of json.accounts) {
    select.append(el("option", { value: account.id, text: `${account.name} (${account.id})` }));
  }
  if (!json.accounts.some((a) => a.id === state.account)) state.account = json.accounts[0]?.id || "";
  select.value = state.account;
}

async function loadTests() {
  const [tests, engagements] = await Promise.all([
    request(`/_sandbox/abtests?${query()}`),
    request(`/_sandbox/accounts/${encodeURIComponent(state.account)}/engagements`,
      { headers: { Authorization: `LivePerson appKey=${GLOBAL_APP_KEY}` } }).catch(() => null),
  ]);
  ab.setTests(tests.json.tests, engagements?.json?.engagements || []);
}

/** Start or stop an A/B test: the same config with `enabled` flipped. */
async function switchTest(test, enabled) {
  const toggle = byId("ab-toggle");
  toggle.disabled = true;
  try {
    const body = { name: test.name, engagement: test.engagement, variants: test.variants, enabled };
    await request(`/_sandbox/abtests/${encodeURIComponent(test.id)}?${query()}`, { method: "PUT", body });
    toast(enabled ? `${test.name}: started. New chats of the engagement are split now.` : `${test.name}: stopped.`);
    await loadTests();
    await refresh();
  } catch (error) {
    toast(`Could not ${enabled ? "start" : "stop"} the test: ${error.message}`, true);
  } finally {
    toggle.disabled = false;
  }
}

// --- live updates -------------------------------------------------------------------------------

function setLive(stateName, text) {
  const pill = byId("live-pill");
  pill.dataset.state = stateName;
  pill.textContent = text;
}

function watch(account, on) {
  if (!socket || !account) return;
  if (!on) { socket.emit("unwatch_analytics", { accountId: account }); return; }
  socket.emit("watch_analytics", { accountId: account }, (answer) => {
    if (answer?.ok) setLive("live", "Live");
    else setLive("error", "Live updates refused");
  });
}

function connectLive() {
  if (typeof window.io !== "function") {
    setLive("error", "Live updates unavailable");
    return;
  }
  setLive("connecting", "Connecting…");
  socket = window.io({ reconnectionDelayMax: 4000 });
  socket.on("connect", () => {
    watch(state.account, true);
    refresh(); // what changed while the connection was down
  });
  socket.on("disconnect", () => setLive("reconnecting", "Reconnecting…"));
  socket.on("connect_error", () => setLive("reconnecting", "Reconnecting…"));
  socket.on("analytics_changed", (message) => {
    if (message?.accountId !== state.account) return;
    state.seq += 1;
    refresh();
  });
}

// --- start ----------------------------------------------------------------------------------------

(async () => {
  byId("load-command").textContent = `python -m simulator load --url ${location.origin} --chats 200`;
  if (!charts.ready) toast("The chart library is missing (run npm ci): the numbers are shown without charts.", true);
  try {
    await loadAccounts();
    await loadTests();
  } catch (error) {
    toast(`Could not load the accounts: ${error.message}`, true);
  }
  await refresh();
  connectLive();
  setInterval(() => { if (state.span !== "custom") refresh(); }, AUTO_REFRESH_MS);
})();
