// Canned responses (LivePerson's "predefined content"): the picker that puts one in the reply box.

// The list comes from the account's config, carried by the live-view snapshot. The ⚡ button, or
// "/" typed into an empty reply, opens it; the chosen text goes into the reply box with
// {visitorName} and {agentName} filled in, for the agent to edit and send: nothing is sent by
// picking, so a canned text never reaches a customer unread.
import { clear, el } from "./ui.js";

/** The text with {visitorName} and {agentName} filled in ("there" when the name is unknown). */
export function fillIn(text, context) {
  const names = { visitorName: context.visitorName || "there", agentName: context.agentName || "" };
  return String(text).replace(/\{(visitorName|agentName)\}/g, (_, key) => names[key]);
}

export class CannedPicker {
  /**
   * @param ui {panel, list, filter, open, close, textarea}
   * @param context () => ({visitorName, agentName}) for the placeholders
   * @param onInsert called after text was put in the reply box
   */
  constructor(ui, context, onInsert) {
    Object.assign(this, { ui, context, onInsert, items: [] });
    ui.open.addEventListener("click", () => (ui.panel.hidden ? this.show() : this.hide()));
    ui.close.addEventListener("click", () => this.hide(true));
    ui.filter.addEventListener("input", () => this.draw());
    ui.filter.addEventListener("keydown", (event) => this.onFilterKey(event));
    ui.list.addEventListener("keydown", (event) => this.onListKey(event));
    ui.textarea.addEventListener("input", () => {
      if (ui.textarea.value === "/" && this.items.length) {
        ui.textarea.value = "";
        this.show();
      }
    });
  }

  setItems(items) {
    this.items = Array.isArray(items) ? items : [];
    this.ui.open.hidden = !this.items.length;
    if (!this.ui.panel.hidden) this.draw();
  }

  show() {
    this.ui.panel.hidden = false;
    this.ui.open.setAttribute("aria-expanded", "true");
    this.ui.filter.value = "";
    this.draw();
    this.ui.filter.focus();
  }

  hide(focusReply = false) {
    if (this.ui.panel.hidden) return;
    this.ui.panel.hidden = true;
    this.ui.open.setAttribute("aria-expanded", "false");
    if (focusReply) this.ui.textarea.focus();
  }

  matching() {
    const q = this.ui.filter.value.trim().toLowerCase();
    if (!q) return this.items;
    return this.items.filter((c) => `${c.title} ${c.category || ""} ${c.text}`.toLowerCase().includes(q));
  }

  draw() {
    clear(this.ui.list);
    const items = this.matching();
    if (!items.length) {
      this.ui.list.append(el("li", { class: "empty", text: "No canned response matches." }));
      return;
    }
    const context = this.context();
    for (const item of items) {
      const text = fillIn(item.text, context);
      this.ui.list.append(el("li", {}, el("button", { type: "button", class: "canned-item", dataset: { title: item.title },
        onclick: () => this.insert(text) },
      el("span", { class: "canned-title" }, el("strong", { text: item.title }), item.category ? el("span", { class: "canned-cat", text: item.category }) : null),
      el("span", { class: "canned-text", text }))));
    }
  }

  /** Put `text` into the reply box at the caret (replacing a selection). */
  insert(text) {
    const box = this.ui.textarea;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    const before = box.value.slice(0, start);
    const spacer = before && !/\s$/.test(before) ? " " : "";
    box.value = before + spacer + text + box.value.slice(end);
    const caret = (before + spacer + text).length;
    this.hide();
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    this.onInsert?.();
  }

  buttons() {
    return [...this.ui.list.querySelectorAll("button.canned-item")];
  }

  onFilterKey(event) {
    if (event.key === "Escape") { event.preventDefault(); this.hide(true); return; }
    if (event.key === "ArrowDown") { event.preventDefault(); this.buttons()[0]?.focus(); return; }
    if (event.key === "Enter") {
      event.preventDefault();
      this.buttons()[0]?.click();
    }
  }

  onListKey(event) {
    const buttons = this.buttons();
    const index = buttons.indexOf(document.activeElement);
    if (event.key === "Escape") { event.preventDefault(); this.hide(true); return; }
    if (event.key === "ArrowDown" && index >= 0) { event.preventDefault(); buttons[Math.min(index + 1, buttons.length - 1)].focus(); }
    if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) this.ui.filter.focus(); else buttons[index - 1].focus();
    }
  }
}
