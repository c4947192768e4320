// Rich content (LivePerson structured content) on both pages, drawn by json-pollock under the CSP.

// json-pollock is LivePerson's own renderer (npm; served from node_modules under /vendor, see
// VENDOR in mock_server/pages.py). Under the pages' CSP (script-src 'self'; style-src 'self'):
// * the build used is json-pollock.global.no_validation.min.js: the other builds validate with
//   ajv, which compiles the schema with `new Function` (blocked without 'unsafe-eval'). The
//   server has already validated every line against the same schema (mock_server/model/
//   rich_content.py), so nothing unvalidated reaches the pages;
// * its stylesheet is the package's json-pollock.min.css (the "bundle" build would inject a
//   <style> element, blocked), plus our /static/css/rich.css;
// * json-pollock sets some inline styles with setAttribute("style", ...), which the CSP blocks
//   (and reports); while it renders, those calls are routed to the CSSOM (element.style.cssText),
//   which the CSP allows. Only style values checked by `safe()` below ever get there.
//
// json-pollock puts `text`, `title`, `subtitle` and `caption` in with innerHTML, so `safe()`
// escapes them: text is shown as text. Images load only from this page's origin (the CSP's
// img-src, like LivePerson's per-account image whitelist); links open only http(s) URLs, in a
// new tab, without an opener. Buttons act only where the page says what they do
// (setRichActions: the consumer page); elsewhere (the agent workspace) they are shown, disabled.

import { clear, el } from "./ui.js";

const SCRIPT = "/vendor/json-pollock.global.no_validation.min.js";
const STYLES = ["/vendor/json-pollock.min.css", "/static/css/rich.css"];
const MAX_ELEMENTS = 100; // as the server (json-pollock's own default would draw 50)
const MAX_DEPTH = 64; // JSON levels, as the server's body limit (a card nested deeper never arrives)

let actions = null; // { publishText(text, node) } once a page makes buttons work
let current = null; // the rich node a click happened in (json-pollock's actions do not say)
let drawing = null; // the rich node json-pollock is drawing into right now
const blockedImages = new WeakMap(); // safe image template -> the URL that was not loaded

// --- loading json-pollock -----------------------------------------------------------------

for (const href of STYLES) {
  if (!document.querySelector(`link[href="${href}"]`)) {
    document.head.append(el("link", { rel: "stylesheet", href }));
  }
}

const ready = new Promise((resolve, reject) => {
  if (window.JsonPollock) { resolve(window.JsonPollock); return; }
  const script = el("script", { src: SCRIPT });
  script.addEventListener("load", () => (window.JsonPollock ? resolve(window.JsonPollock)
    : reject(new Error("json-pollock did not load"))));
  script.addEventListener("error", () => reject(new Error("json-pollock could not be loaded")));
  document.head.append(script);
}).then((pollock) => {
  pollock.init({ maxAllowedElements: MAX_ELEMENTS, onAfterElementRendered: afterElement });
  pollock.registerAction("publishText", (data) => publish(data.actionData?.text, data.uiEvent));
  pollock.registerAction("link", (data) => openLink(linkOf(data.actionData), data.uiEvent));
  pollock.registerAction("navigate", (data) => openLink(mapsUrl(data.actionData), data.uiEvent));
  return pollock;
});
let pollock = null;
ready.then((loaded) => { pollock = loaded; }, () => {});

/** Make buttons work on this page: `publishText(text, node)` sends the customer's line. */
export function setRichActions(handlers) {
  actions = handlers;
}

// --- what a card says, as text (previews, fallbacks) --------------------------------------

function texts(node, out, depth = 0) {
  if (!node || typeof node !== "object" || depth > MAX_DEPTH || out.length > 60) return out;
  if (node.type === "button" && typeof node.title === "string") out.push(`[${node.title}]`);
  else if (typeof node.text === "string" && node.type !== "publishText") out.push(node.text);
  else if (node.type === "image" && typeof node.caption === "string") out.push(node.caption);
  for (const child of Array.isArray(node.elements) ? node.elements : []) texts(child, out, depth + 1);
  for (const reply of Array.isArray(node.replies) ? node.replies : []) texts(reply, out, depth + 1);
  return out;
}

/** A line's rich content as one line of text: its `text`, else the card's texts and buttons. */
export function richSummary(event) {
  const own = typeof event.text === "string" ? event.text.trim() : "";
  const summary = own || texts(event.json, []).join(" ").replace(/\s+/g, " ").trim();
  return summary || "[card]";
}

// --- making a template safe to hand to json-pollock ---------------------------------------

const ESCAPE = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => ESCAPE[c]);
const HTML_KEYS = new Set(["text", "title", "subtitle", "caption"]); // innerHTML in json-pollock
const NOT_HTML = new Set(["publishText", "link", "navigate", "submitButton"]); // actions; an input's value
const COLOR = /^(#[0-9a-f]{3,8}|[a-z]{3,30}|rgba?\(\s*[\d.]+%?\s*(,\s*[\d.]+%?\s*){2,3}\))$/i;
const STYLE_KEYS = {
  color: COLOR, "background-color": COLOR, "border-color": COLOR, fill: COLOR,
  "color-active": COLOR, "color-hover": COLOR, "background-color-active": COLOR,
  "background-color-hover": COLOR, "border-color-selected": COLOR, "border-color-hover": COLOR,
};
const ARIA = /^(role|tabindex|aria-[a-z]+)$/;

function safeStyle(style) {
  const out = {};
  for (const [key, value] of Object.entries(style || {})) {
    if (STYLE_KEYS[key] && typeof value === "string" && STYLE_KEYS[key].test(value.trim())) out[key] = value.trim();
    else if ((key === "bold" || key === "italic") && typeof value === "boolean") out[key] = value;
    else if (key === "size" && ["small", "medium", "large"].includes(value)) out[key] = value;
    else if (key === "border-radius" && Number.isFinite(value)) out[key] = Math.max(0, Math.min(value, 50));
  }
  return out;
}

/** Is this an http(s) URL? The URL object, or null. */
export function httpUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value.trim(), location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

/** A copy of the template json-pollock may render (see the top of this file). */
function safe(node, budget, depth = 0) {
  if (Array.isArray(node)) return node.map((item) => safe(item, budget, depth + 1)).filter((item) => item !== undefined);
  if (node === null || typeof node !== "object") return node;
  if (depth > MAX_DEPTH || budget.left <= 0) return undefined;
  if (typeof node.type === "string" && node.type !== "publishText" && node.type !== "link") budget.left -= 1;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "__proto__") continue; // JSON may carry it as a key: never a prototype here
    if (HTML_KEYS.has(key) && typeof value === "string" && typeof node.type === "string"
        && !NOT_HTML.has(node.type)) {
      out[key] = escapeHtml(value);
    } else if (key === "style") {
      out.style = safeStyle(value);
    } else if (key === "accessibility") {
      const web = value && typeof value.web === "object" ? value.web : {};
      out.accessibility = { web: Object.fromEntries(Object.entries(web)
        .filter(([name, v]) => ARIA.test(name) && typeof v === "string")) };
    } else if (key === "elements" && !Array.isArray(value)) {
      continue;
    } else {
      const copy = safe(value, budget, depth + 1);
      if (copy !== undefined) out[key] = copy;
    }
  }
  if (node.type === "image") {
    const url = httpUrl(node.url);
    if (!url || url.origin !== location.origin) {
      out.url = "data:,"; // nothing is fetched; afterElement puts a placeholder in its place
      blockedImages.set(out, typeof node.url === "string" ? node.url : "");
    } else {
      out.url = url.href;
    }
  }
  return out;
}

// --- json-pollock's hook and actions --------------------------------------------------------

function afterElement(element, template) {
  if (!element) return element;
  if (blockedImages.has(template)) return blockedImage(template, blockedImages.get(template));
  if (template.type === "button" && drawing?.dataset.inert === "true") {
    const button = element.querySelector("button");
    if (button) button.title = describe(template); // the agent can see what it would do
  }
  if (template.type === "map") {
    // json-pollock opens Google Maps itself, with an opener; go through openLink instead
    const open = (event) => openLink(mapsUrl(template), event);
    if (!template.click?.actions?.length) element.onclick = open;
    element.onkeydown = (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(event); }
    };
  }
  return element;
}

function blockedImage(template, url) {
  const parsed = httpUrl(url);
  const where = parsed ? parsed.host : "an address that is not http(s)";
  return el("div", { class: "lp-json-pollock-element-image rich-image-blocked", title: template.tooltip || null },
    el("span", { class: "rich-image-icon", text: "Picture not shown" }),
    el("span", { text: template.alt || template.tooltip || "" }),
    el("span", { class: "rich-image-note", text: parsed ? `not loaded: only images from this sandbox are shown (${where})`
      : `not shown: ${where}` }));
}

function mapsUrl(action) {
  const la = Number(action?.la);
  const lo = Number(action?.lo);
  if (!Number.isFinite(la) || !Number.isFinite(lo)) return null;
  return `https://www.google.com/maps/search/?api=1&query=${la},${lo}`;
}

/** The URI a link action opens on the web: `web.uri` overrides `uri` (LivePerson's docs). */
function linkOf(action) {
  return httpUrl(action?.web?.uri) ? action.web.uri : action?.uri;
}

function nodeOf(uiEvent) {
  return uiEvent?.target?.closest?.(".rich") || current;
}

function openLink(uri, uiEvent) {
  const node = nodeOf(uiEvent);
  if (!actions || !node || node.dataset.inert === "true") return;
  const url = httpUrl(uri);
  if (!url) {
    flash(node, "This link is not an http(s) address: it was not opened.");
    return;
  }
  window.open(url.href, "_blank", "noopener,noreferrer");
}

function publish(text, uiEvent) {
  const node = nodeOf(uiEvent);
  if (!actions?.publishText || !node || node.dataset.inert === "true" || typeof text !== "string" || !text.trim()) return;
  const replies = node.closest(".rich-quick-replies");
  if (replies) replies.hidden = true; // a chip that is tapped dismisses its group
  actions.publishText(text, node);
}

function flash(node, text) {
  const note = el("p", { class: "rich-note", role: "status", text });
  node.append(note);
  setTimeout(() => note.remove(), 4000);
}

// --- rendering ------------------------------------------------------------------------------

/** Route json-pollock's setAttribute("style", ...) to the CSSOM while `render` runs. */
function withCssom(render) {
  const original = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function setAttribute(name, value) {
    if (String(name).toLowerCase() === "style") {
      this.style.cssText = String(value);
      return undefined;
    }
    return original.call(this, name, value);
  };
  try {
    return render();
  } finally {
    Element.prototype.setAttribute = original;
  }
}

function draw(node, template) {
  clear(node);
  try {
    drawing = node;
    const fragment = withCssom(() => pollock.render(safe(template, { left: MAX_ELEMENTS })));
    node.append(fragment);
  } catch (error) {
    node.append(el("span", { class: "rich-fallback", text: node.dataset.summary }));
    return;
  } finally {
    drawing = null;
  }
  if (node.dataset.inert === "true") makeInert(node);
  keepAtBottom(node);
}

function describe(template) {
  for (const action of template?.click?.actions || []) {
    if (action.type === "publishText") return `The customer's button: it sends "${action.text}"`;
    if (action.type === "link") return `The customer's button: it opens ${linkOf(action) || "a link"}`;
    if (action.type === "navigate") return "The customer's button: it opens a map";
  }
  return "The customer's button";
}

function makeInert(node) {
  for (const button of node.querySelectorAll(".lp-json-pollock-element-button button, input, .lp-json-pollock-element-submit-button input")) {
    button.disabled = true;
  }
  node.title = "Buttons are the customer's: the agent sees them but cannot press them";
}

/** A transcript that was at its bottom stays there while a card grows (render, pictures). */
function keepAtBottom(node) {
  if (typeof ResizeObserver !== "function") return;
  let height = node.offsetHeight;
  const observer = new ResizeObserver(() => {
    if (!node.isConnected) { observer.disconnect(); return; }
    const grown = node.offsetHeight - height;
    height = node.offsetHeight;
    const box = scroller(node);
    if (box && grown > 0 && box.scrollHeight - box.scrollTop - box.clientHeight < grown + 80) {
      box.scrollTop = box.scrollHeight;
    }
  });
  observer.observe(node);
}

function scroller(node) {
  for (let box = node.parentElement; box; box = box.parentElement) {
    const overflow = getComputedStyle(box).overflowY;
    if ((overflow === "auto" || overflow === "scroll") && box.scrollHeight > box.clientHeight) return box;
  }
  return null;
}

function richNode(kind, summary) {
  const node = el("div", { class: `rich rich-${kind}`, dataset: { summary, inert: String(!actions) } });
  node.addEventListener("click", () => { current = node; }, true); // before json-pollock's handlers
  return node;
}

/** A structured-content card: drawn now if json-pollock is loaded, else as soon as it is. */
export function richCard(event) {
  const node = richNode("card", richSummary(event));
  if (pollock) {
    draw(node, event.json);
  } else {
    node.append(el("span", { class: "rich-fallback", text: node.dataset.summary }));
    ready.then(() => draw(node, event.json), () => {});
  }
  return node;
}

/** A line's quick replies (chips): json-pollock buttons in a row. */
export function quickReplies(group) {
  const replies = Array.isArray(group?.replies) ? group.replies.slice(0, 24) : [];
  const perRow = Math.max(1, Math.min(8, Number.parseInt(group?.itemsPerRow, 10) || 8));
  const node = el("div", { class: "rich-quick-replies", role: "group", "aria-label": "Quick replies",
    dataset: { inert: String(!actions) } });
  node.style.setProperty("--per-row", String(perRow));
  const fill = () => {
    clear(node);
    if (!actions) node.append(el("span", { class: "rich-quick-label", text: "Quick replies:" }));
    for (const chip of replies) {
      const holder = richNode("chip", texts(chip, []).join(" "));
      draw(holder, { ...chip, type: "button" });
      node.append(holder);
    }
  };
  if (pollock) fill();
  else {
    node.append(el("span", { class: "rich-fallback", text: replies.map((r) => `[${r?.title ?? ""}]`).join(" ") }));
    ready.then(fill, () => {});
  }
  return node;
}

/** Quick replies are for the latest question: older groups go when the customer answers. */
/** Once the chat has ended, its cards' buttons and quick replies can say nothing any more. */
export function retireRichActions(root = document) {
  for (const node of root.querySelectorAll(".rich-card")) {
    for (const button of node.querySelectorAll(".lp-json-pollock-element-button button, input")) {
      button.disabled = true;
    }
    node.title = "The chat has ended: its buttons no longer send anything";
  }
  dismissQuickReplies(root);
}

export function dismissQuickReplies(root = document) {
  for (const group of root.querySelectorAll(".rich-quick-replies[data-inert='false']")) group.hidden = true;
}
