// The dashboard's charts (Chart.js from npm, /vendor/chart.umd.min.js): chats per bucket by group, rates, scores.
import { when } from "./dashboard-format.js";

const PALETTE = ["#6b46c1", "#2f6fde", "#1b9e77", "#e26d2b", "#c53030", "#b7791f", "#0f766e", "#718096"];
const INK = "#4a5568";
const GRID = "#e2e7ee";

const rate = (part, whole) => part.map((p, i) => (whole[i] ? Math.round((1000 * p) / whole[i]) / 10 : null));

// A time axis: few enough labels that they never overlap, on a phone too.
const timeAxis = (extra = {}) => ({
  grid: { display: false }, ...extra,
  ticks: { color: INK, maxRotation: 0, autoSkip: true, autoSkipPadding: 16, maxTicksLimit: window.innerWidth < 720 ? 4 : 7 },
});

function axes(extra = {}) {
  return { x: timeAxis(), ...extra };
}

function base(type, scales) {
  return {
    type,
    data: { labels: [], datasets: [] },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false, normalized: true,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", labels: { color: INK, boxWidth: 12, boxHeight: 12 } } },
      scales,
    },
  };
}

export class Charts {
  constructor() {
    this.ready = typeof window.Chart === "function";
    if (!this.ready) return;
    const Chart = window.Chart;
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    this.chats = new Chart(document.getElementById("chart-chats"), base("bar", axes({
      y: { stacked: true, beginAtZero: true, ticks: { precision: 0, color: INK }, grid: { color: GRID },
        title: { display: true, text: "chats", color: INK } },
      x: timeAxis({ stacked: true }),
    })));
    this.rates = new Chart(document.getElementById("chart-rates"), base("line", axes({
      y: { min: 0, max: 100, ticks: { color: INK, callback: (v) => `${v} %` }, grid: { color: GRID } },
    })));
    this.scores = new Chart(document.getElementById("chart-scores"), base("line", axes({
      y: { min: -100, max: 100, position: "left", ticks: { color: INK }, grid: { color: GRID },
        title: { display: true, text: "MCS (−100 to 100)", color: INK } },
      y1: { min: 1, max: 5, position: "right", ticks: { color: INK, stepSize: 1 }, grid: { display: false },
        title: { display: true, text: "CSAT (1 to 5)", color: INK } },
    })));
  }

  /** Draw a /_sandbox/analytics/timeseries answer. */
  update(series) {
    if (!this.ready) return;
    const long = series.to - series.from > 86_400_000;
    const labels = series.starts.map((ms) => when(ms, long));
    this.chats.data.labels = labels;
    this.chats.data.datasets = series.series.map((group, i) => ({
      label: group.label, data: group.chats, backgroundColor: PALETTE[i % PALETTE.length], borderRadius: 3,
    }));
    const total = series.total;
    this.rates.data.labels = labels;
    this.rates.data.datasets = [
      { label: "Resolved %", data: rate(total.resolved, total.ended), borderColor: "#198754", backgroundColor: "#198754", spanGaps: true, tension: 0.25, pointRadius: 2 },
      { label: "To a human %", data: rate(total.transfers, total.ended), borderColor: "#e26d2b", backgroundColor: "#e26d2b", spanGaps: true, tension: 0.25, pointRadius: 2 },
    ];
    this.scores.data.labels = labels;
    this.scores.data.datasets = [
      { label: "MCS", data: total.mcs, yAxisID: "y", borderColor: "#6b46c1", backgroundColor: "#6b46c1", spanGaps: true, tension: 0.25, pointRadius: 2 },
      { label: "CSAT mean", data: total.csat_mean, yAxisID: "y1", borderColor: "#2f6fde", backgroundColor: "#2f6fde", spanGaps: true, tension: 0.25, pointRadius: 2 },
    ];
    for (const chart of [this.chats, this.rates, this.scores]) chart.update("none");
  }
}
