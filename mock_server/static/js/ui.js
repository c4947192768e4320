// UI helpers of both pages: DOM building, avatars, times, toast, form errors, reply box, transcript, tabs.

// This module imports nothing: rich.js uses it too, and common.js imports rich.js, so a helper
// here can never be caught in an import cycle.

export const byId = (id) => document.getElementById(id);

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

// --- timing -------------------------------------------------------------------------------

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

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// --- notices and forms --------------------------------------------------------------------

/** The page's toast: `toast(text, error)` shows it for `ms` (a newer one restarts the clock). */
export function toaster(node, ms) {
  let timer = null;
  return (text, error = false) => {
    node.textContent = text;
    node.className = error ? "toast error" : "toast";
    node.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { node.hidden = true; }, ms);
  };
}

/** A form's error line: hidden while there is nothing to say. */
export function showError(node, text) {
  node.textContent = text || "";
  node.hidden = !text;
}

/** The trimmed, non-empty values of a form's fields called `name` (only checked boxes and radios). */
export function fieldValues(form, name) {
  return [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)]
    .filter((n) => (n.type === "radio" || n.type === "checkbox" ? n.checked : true))
    .map((n) => n.value.trim()).filter(Boolean);
}

// --- the reply box and the transcript -------------------------------------------------------

/** The reply box grows with its text, up to a few lines, then scrolls. */
export function autoGrow(textarea) {
  textarea.style.height = "auto";
  textarea.style.height = `${Math.min(textarea.scrollHeight + 2, 140)}px`;
}

/** Enter sends, Shift+Enter makes a new line; an IME's Enter only ends its composition. */
export function sendOnEnter(textarea, send) {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
}

/**
 * The typing notice the other side sees: `send("typing")` on the first key of a burst, and
 * `send("not-typing")` after 3 s without a key, or when the line goes (`stop(true)`), so the
 * notice neither flickers with every key nor stays on after the customer or agent stopped.
 */
export class TypingSignal {
  constructor(send, quietMs = 3000) {
    Object.assign(this, { send, quietMs, sent: false, timer: null });
  }

  /** A key was pressed in a reply box that now holds `text`. */
  key(text) {
    if (!this.sent && text.trim()) {
      this.sent = true;
      this.send("typing");
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stop(true), this.quietMs);
  }

  /** Typing is over; `tell`: say so to the other side (if they were told it started). */
  stop(tell) {
    clearTimeout(this.timer);
    if (this.sent && tell) this.send("not-typing");
    this.sent = false;
  }
}

/** "Alex is typing …": `lead` (say, an avatar) goes first. */
export function typingIndicator(text, lead = null) {
  return el("span", { class: "typing-indicator" }, lead, text,
    el("span", { class: "typing-dots", "aria-hidden": "true" }, el("i"), el("i"), el("i")));
}

/** Is a scrolled box at (or near) its bottom? */
export function nearBottom(box, slack = 80) {
  return box.scrollHeight - box.scrollTop - box.clientHeight < slack;
}

/**
 * A transcript follows new lines only while the reader is at its bottom, so reading back is not
 * interrupted; the jump button brings them down. Returns the function that scrolls to the end.
 */
export function followLatest(box, jump) {
  const toBottom = () => {
    box.scrollTop = box.scrollHeight;
    jump.hidden = true;
  };
  jump.addEventListener("click", toBottom);
  box.addEventListener("scroll", () => { if (nearBottom(box)) jump.hidden = true; });
  return toBottom;
}

/** Two tabs side by side: the arrow keys move to the other one, as ARIA's tab pattern asks. */
export function arrowKeyTabs(first, second) {
  for (const tab of [first, second]) {
    tab.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      event.preventDefault();
      const other = tab === first ? second : first;
      other.click();
      other.focus();
    });
  }
}
