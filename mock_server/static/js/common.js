// LivePerson's side of both pages: the JSON conventions, HTTP with the error envelope, chat lines made safe.
import { quickReplies, richCard, richSummary } from "./rich.js";

export const DEFAULT_ACCOUNT = "12345678";
// LivePerson's documented global Server Chat app key (the sandbox accepts it on every account).
export const GLOBAL_APP_KEY = "721c180b09eb463d9f3191c41762bb68";

/** LivePerson sends one item as an object and several as an array: always an array. */
export function asList(value) {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** The API version (and no-cache flag) every Chat Agent and Server Chat call carries. */
export function withQuery(url, query = "v=1&NC=true") {
  return url + (url.includes("?") ? "&" : "?") + query;
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

// --- shards -----------------------------------------------------------------------------------

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * The host another process serves `account`'s `service` on, as this server's Domain API (CSDS)
 * names it when the sandbox runs as shards; null when it is served here (or CSDS has no answer).
 * Asked only after the account was refused here, so a one-process sandbox never asks.
 */
export async function servedElsewhere(account, service) {
  try {
    const { json } = await request(`/api/account/${encodeURIComponent(account)}/service/${service}/baseURI.json?version=1.0`);
    const host = json?.baseURI;
    return typeof host === "string" && HOST_PORT.test(host) && host !== location.host ? host : null;
  } catch {
    return null;
  }
}

/** This page, on `host`, for `account` (and whatever else `extra` adds to the query). */
export function openOn(host, account, extra = {}) {
  const query = new URLSearchParams(location.search);
  query.set("account", account);
  for (const [key, value] of Object.entries(extra)) query.set(key, value);
  location.assign(`${location.protocol}//${host}${location.pathname}?${query}`);
}
