// The conversation list's search and filters, and what an empty list says.

// The search looks at the visitor (name, email) and the text of the lines; the filters at the
// state (waiting, chatting, ended), the skill, and who handles the chat (a bot or a human).
// workspace-state.js hands in one plain record per list item (see `matches`).

/**
 * Plain text of a line event for searching (markup dropped). Not common.js's lineText, which
 * parses the markup into DOM: the search runs over every line of every chat on each key.
 */
export function searchText(event) {
  if (event["@type"] !== "line") return "";
  const text = String(event.text ?? "");
  return event.textType === "html" ? text.replace(/<[^>]*>/g, " ") : text;
}

/**
 * Does a conversation pass? `record` is {name, email, state, skill, kind, events}: kind is the
 * type of the agent who has (or last had) the chat, else of the agents of its skill.
 */
export function matches(record, filters) {
  if (filters.state && record.state !== filters.state) return false;
  if (filters.skill && record.skill !== filters.skill) return false;
  if (filters.kind && record.kind !== filters.kind) return false;
  if (!filters.query) return true;
  const q = filters.query;
  if (`${record.name || ""}\n${record.email || ""}`.toLowerCase().includes(q)) return true;
  return (record.events || []).some((e) => searchText(e).toLowerCase().includes(q));
}

/** Bot or human: who has (or last had) the chat; else who works its skill (`agents`: the live list). */
export function chatKind(summary, agents) {
  const type = summary?.agentType || summary?.lastAgentType;
  if (type) return type;
  const skill = summary?.skill;
  const staff = agents.filter((a) => !skill || (a.skills || []).includes(skill));
  return staff.length && staff.every((a) => a.userType === "bot") ? "bot" : "human";
}

/** What the empty "My chats" list says: it follows the agent's availability. */
export function emptyMineText(me) {
  if (!me.takesChats) return "You take no chats (no skill, at most 0 chats). Watch the account under All conversations.";
  if (me.availability === "Away") return "No chats yet. You are Away: go Online to receive chats.";
  if (me.availability === "Occupied") return "No chats yet. You are Occupied: only transferred chats reach you. Go Online to receive new chats.";
  return "No chats yet. You are Online, waiting for chats.";
}

/** The search box, the three filters, the "n of m shown" note and its Clear button. */
export class ListFilters {
  /** ui: {form, search, state, skill, kind, note, summary, clear}; onChange: redraw the list. */
  constructor(ui, onChange) {
    this.ui = ui;
    ui.form.addEventListener("submit", (event) => event.preventDefault());
    ui.search.addEventListener("input", onChange);
    for (const select of this.selects()) select.addEventListener("change", onChange);
    ui.clear.addEventListener("click", () => {
      ui.search.value = "";
      for (const select of this.selects()) select.value = "";
      onChange();
      ui.search.focus();
    });
  }

  selects() {
    return [this.ui.state, this.ui.skill, this.ui.kind];
  }

  current() {
    const { search, state, skill, kind } = this.ui;
    return { query: search.value.trim().toLowerCase(), state: state.value, skill: skill.value, kind: kind.value };
  }

  /** The items that pass (`recordOf(item)` gives the facts), and whether anything filters. */
  apply(items, recordOf) {
    const wanted = this.current();
    const filtering = Boolean(wanted.query || wanted.state || wanted.skill || wanted.kind);
    const shown = filtering ? items.filter((item) => matches(recordOf(item), wanted)) : items;
    this.ui.note.hidden = !filtering;
    this.ui.summary.textContent = filtering ? describe(wanted, shown.length, items.length) : "";
    return { shown, filtering };
  }

  /** Skill options, kept in step with the account's skills. */
  setSkills(skills) {
    const select = this.ui.skill;
    const names = skills.map((s) => s.name);
    const current = [...select.options].slice(1).map((o) => o.value);
    if (names.join("\n") === current.join("\n")) return;
    const chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    for (const name of names) select.add(new Option(name, name));
    select.value = names.includes(chosen) ? chosen : "";
  }
}

/** "2 of 5 shown · “order” · chatting · support-human · bot" */
function describe(filters, shown, total) {
  const parts = [`${shown} of ${total} shown`];
  if (filters.query) parts.push(`“${filters.query}”`);
  for (const key of ["state", "skill", "kind"]) if (filters[key]) parts.push(filters[key]);
  return parts.join(" · ");
}
