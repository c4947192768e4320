// What both pages share: DOM building without innerHTML, safe rendering of chat text, the
// LivePerson JSON conventions (one item as an object), HTTP with the error envelope, times.
import { quickReplies, richCard, richSummary } from "./rich.js";

export const DEFAULT_ACCOUNT = "12345678";
// LivePerson's documented global Server Chat app key (the sandbox accepts it on every account).
export const GLOBAL_APP_KEY = "721c180b09eb463d9f3191c41762bb68";

/** An element: attrs.text -> textContent, attrs.class, attrs.dataset, on* -> listeners. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
}

/** LivePerson sends one item as an object and several as an array: always an array. */
export function asList(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

// --- safe text ----------------------------------------------------------------------------

const KEEP = new Set(["P", "BR", "B", "STRONG", "I", "EM", "U", "S", "UL", "OL", "LI", "A", "CODE",
  "PRE", "BLOCKQUOTE", "SPAN"]);
const DROP = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT", "IFRAME", "OBJECT", "EMBED", "TITLE",
  "HEAD", "svg", "math", "SVG", "MATH"]);

function rebuild(source, target) {
  for (const node of source.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      target.append(document.createTextNode(node.textContent));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      if (DROP.has(node.nodeName)) continue;
      if (!KEEP.has(node.nodeName)) { rebuild(node, target); continue; }
      const copy = document.createElement(node.nodeName.toLowerCase());
      if (node.nodeName === "A") {
        const href = node.getAttribute("href") || "";
        if (/^(https?:|mailto:)/i.test(href.trim())) {
          copy.setAttribute("href", href.trim());
          copy.setAttribute("target", "_blank");
          copy.setAttribute("rel", "noopener noreferrer nofollow");
        }
      }
      rebuild(node, copy);
      target.append(copy);
    }
  }
}

/**
 * The allowed markup of an html line as new DOM nodes. The markup is parsed in an inert
 * document (DOMParser: no script runs, no image loads) and only the allowed tags are copied,
 * with no attribute but a checked link target; every text goes in as text. A line that keeps
 * no text this way (say, only an <img>) is shown as the text it was sent as.
 */
export function richContent(html) {
  const fragment = document.createDocumentFragment();
  // style attributes are dropped anyway; removing them first keeps the page's CSP quiet
  const markup = String(html ?? "").replace(/\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "");
  const doc = new DOMParser().parseFromString(markup, "text/html");
  rebuild(doc.body, fragment);
  if (!fragment.textContent.trim()) return document.createTextNode(String(html ?? ""));
  return fragment;
}

/** The visible content of a line event (wire form): plain text, cleaned html, or rich content
 * (structured content drawn by json-pollock, see rich.js), with its quick replies if it has any. */
export function lineContent(event) {
  const type = event.textType || "plain";
  let content;
  if (type === "html") content = richContent(event.html ?? event.text);
  else if (type === "rich-content") {
    content = event.json && typeof event.json === "object" ? richCard(event)
      : document.createTextNode(richSummary(event));
  } else content = document.createTextNode(String(event.text ?? ""));
  if (!event.quickReplies || typeof event.quickReplies !== "object") return content;
  const both = document.createDocumentFragment();
  both.append(content, quickReplies(event.quickReplies));
  return both;
}

/** A line event as one line of text (previews): a card's own text or what it says. */
export function lineText(event) {
  if ((event.textType || "plain") === "rich-content") return richSummary(event);
  const type = event.textType || "plain";
  return type === "html" ? richContent(event.html ?? event.text).textContent : String(event.text ?? "");
}

// --- HTTP ---------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** fetch with JSON in and out; LivePerson's error envelope becomes an ApiError. */
export async function request(url, { method = "GET", body, headers = {}, timeout = 15000 } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: { Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: controller.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    throw new ApiError(0, "The sandbox cannot be reached", null);
  } finally {
    clearTimeout(timer);
  }
  const raw = await response.text();
  let json = null;
  if (raw) {
    try { json = JSON.parse(raw); } catch { json = null; }
  }
  if (!response.ok) {
    const message = json?.error?.message || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, json);
  }
  return { status: response.status, headers: response.headers, json };
}

// --- times and names ----------------------------------------------------------------------

export function toDate(value) {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value);
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? new Date() : parsed;
}

export function clock(value) {
  return toDate(value).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function ago(ms, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - ms) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

export function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] || "?") + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

/** A round picture (only same-origin pictures are allowed) or the person's initials. */
export function avatar(name, pictureUrl, kind = "agent", size = "") {
  const box = el("span", { class: `avatar avatar-${kind} ${size}`.trim(), "aria-hidden": "true" });
  if (pictureUrl && /^\/(?!\/)/.test(pictureUrl)) {
    box.append(el("img", { src: pictureUrl, alt: "" }));
  } else {
    box.textContent = initials(name);
  }
  return box;
}

/** Call `flush` once soon (next frame, or 100 ms later if frames are throttled). */
export function batcher(flush) {
  let pending = false;
  const run = () => {
    if (!pending) return;
    pending = false;
    flush();
  };
  return () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(run);
    setTimeout(run, 100);
  };
}

/** Is a scrolled box at (or near) its bottom? */
export function nearBottom(box, slack = 80) {
  return box.scrollHeight - box.scrollTop - box.clientHeight < slack;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
