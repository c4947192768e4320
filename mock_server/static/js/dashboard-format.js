// The dashboard's number formats: rates as %, CSAT as a mean out of 5, MCS signed on -100..100, times in s.

export const NONE = "—";
const NBSP = "\u00a0"; // a number never wraps away from its unit
const MINUS = "\u2212";

const present = (value) => value !== null && value !== undefined && Number.isFinite(Number(value));

/** A 0..1 rate as a whole percentage ("72 %"); one decimal below 10 % so 0.4 % is not "0 %". */
export function percent(rate) {
  if (!present(rate)) return NONE;
  const value = 100 * rate;
  const shown = value > 0 && value < 10 ? value.toFixed(1) : String(Math.round(value));
  return `${shown}${NBSP}%`;
}

/** A percentage already on 0..100 (CSAT's % satisfied). */
export function percentOf100(value) {
  return present(value) ? `${Math.round(value)}${NBSP}%` : NONE;
}

/** An MCS (-100..100) with its sign: "+34", "−12", "0". */
export function signed(value, digits = 0) {
  if (!present(value)) return NONE;
  const number = Number(value);
  const text = Math.abs(number).toFixed(digits);
  if (Number(text) === 0) return (0).toFixed(digits);
  return `${number > 0 ? "+" : MINUS}${text}`;
}

/** A mean CSAT answer: "4.2". */
export function mean(value, digits = 1) {
  return present(value) ? Number(value).toFixed(digits) : NONE;
}

/** Seconds: "4.2 s" below 10 s, "37 s", "1,250 s". */
export function seconds(value) {
  if (!present(value)) return NONE;
  const number = Number(value);
  const text = number < 10 ? number.toFixed(1) : Math.round(number).toLocaleString("en-US");
  return `${text}${NBSP}s`;
}

/** A count with its noun: "1 chat", "12 chats". */
export function count(n, noun, plural = `${noun}s`) {
  return `${Number(n).toLocaleString("en-US")} ${n === 1 ? noun : plural}`;
}

/** A 95 % interval: "61–81 %" for rates, "3.8–4.4" for means, "−3 to +27" for signed scores. */
export function interval(ci, kind) {
  if (!Array.isArray(ci) || ci.length !== 2) return "";
  const [low, high] = ci;
  if (kind === "rate") return `${Math.round(100 * low)}–${Math.round(100 * high)}${NBSP}%`;
  if (kind === "signed") return `${signed(low)} to ${signed(high)}`;
  return `${mean(low)}–${mean(high)}`;
}

/** A sandbox time as the page's clock shows it (local time): "14:05" or "Sep 21, 14:05". */
export function when(ms, withDate = false) {
  const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (withDate) Object.assign(options, { month: "short", day: "numeric" });
  return new Date(ms).toLocaleString("en-US", options);
}

/** A time for an <input type="datetime-local"> (local time, seconds). */
export function toLocalInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The epoch ms of a datetime-local value (local time), or NaN. */
export function fromLocalInput(value) {
  return value ? new Date(value).getTime() : Number.NaN;
}
