// Wrap-up: the agent survey of an ended chat of the agent's own, as a form under the transcript.

// The survey is the one the Chat Agent API serves (GET .../chat/{id}/survey, the chat's
// `agent-survey` link), sent back with PUT. The form is drawn from the survey's structure (radio
// buttons, check boxes, drop-downs, text), and is built once per chat, so what the agent types
// survives live updates.
import { asList } from "./common.js";
import { clear, el, fieldValues } from "./ui.js";

function questionField(q) {
  const id = `wrapup-q-${q.id}`;
  const entries = asList(q.entry);
  const label = q.label || `Question ${q.id}`;
  if (q.type?.startsWith("Radio Button") || q.type === "Checkbox") {
    const type = q.type === "Checkbox" ? "checkbox" : "radio";
    return el("fieldset", { class: `wrapup-choice${q.type.includes("side by side") ? " side" : ""}`, dataset: { question: q.id } },
      el("legend", { text: label }),
      el("div", { class: "choices" }, entries.map((e, n) => el("label", { class: "choice" },
        el("input", { type, name: id, value: e.value, id: `${id}-${n}` }), el("span", { text: e.displayValue || e.value })))));
  }
  if (q.type === "Dropdown Box") {
    return el("div", { class: "field", dataset: { question: q.id } }, el("label", { for: id, text: label }),
      el("select", { id, name: id }, el("option", { value: "", text: "—" }),
        entries.map((e) => el("option", { value: e.value, text: e.displayValue || e.value }))));
  }
  const multi = q.type === "Text Area";
  return el("div", { class: "field", dataset: { question: q.id } }, el("label", { for: id, text: label }),
    el(multi ? "textarea" : "input", { id, name: id, rows: multi ? "2" : null, maxlength: "2000" }));
}

function collect(form, questions) {
  const answers = {};
  for (const q of questions) {
    const values = fieldValues(form, `wrapup-q-${q.id}`);
    if (values.length) answers[q.id] = q.type === "Checkbox" ? values : values[0];
  }
  return answers;
}

export class WrapUp {
  /** ui: {form, questions, error, submit, hint}; api: () => the AgentApi; onSaved(chat, answers). */
  constructor(ui, api, onSaved) {
    Object.assign(this, { ui, api, onSaved, chat: null });
    ui.form.addEventListener("submit", (event) => { event.preventDefault(); this.submit(); });
  }

  /** Offer the survey for `chat` (an ended chat of mine), or hide it (null). */
  show(chat) {
    if (!chat || chat.status !== "ended" || chat.wrapup?.state === "saved") {
      this.ui.form.hidden = true;
      this.chat = chat;
      return;
    }
    if (this.chat === chat && this.ui.form.dataset.chat === chat.id && chat.wrapup?.state === "ready") {
      this.ui.form.hidden = false;
      return;
    }
    this.chat = chat;
    chat.wrapup = chat.wrapup || { state: "new" };
    if (chat.wrapup.state === "new") this.load(chat);
    this.draw(chat);
  }

  async load(chat) {
    chat.wrapup.state = "loading";
    try {
      chat.wrapup.survey = await this.api().agentSurvey(chat.surveyUrl || `${chat.url}/survey`);
      chat.wrapup.state = "ready";
    } catch (error) {
      chat.wrapup.state = "error";
      chat.wrapup.error = error.message;
    }
    if (this.chat === chat) this.draw(chat);
  }

  draw(chat) {
    const { form, questions, error, hint } = this.ui;
    form.hidden = false;
    form.dataset.chat = chat.id;
    clear(questions);
    error.hidden = true;
    const w = chat.wrapup;
    this.ui.submit.disabled = w.state !== "ready";
    if (w.state === "loading" || w.state === "new") {
      questions.append(el("p", { class: "muted", text: "Loading the agent survey…" }));
      return;
    }
    if (w.state === "error") {
      questions.append(el("p", { class: "form-error", text: `The agent survey could not be loaded: ${w.error}` }));
      return;
    }
    hint.textContent = w.survey.header || w.survey.title || "The agent survey: how did this chat go?";
    const list = asList(w.survey.questions?.question).sort((a, b) => Number(a.order) - Number(b.order));
    questions.append(...list.map(questionField));
  }

  async submit() {
    const chat = this.chat;
    const w = chat?.wrapup;
    if (!w || w.state !== "ready") return;
    const list = asList(w.survey.questions?.question);
    const answers = collect(this.ui.form, list);
    if (!Object.keys(answers).length) {
      this.ui.error.textContent = "Answer at least one question.";
      this.ui.error.hidden = false;
      return;
    }
    this.ui.submit.disabled = true;
    try {
      await this.api().submitAgentSurvey(chat.surveyUrl || `${chat.url}/survey`, w.survey.id, answers);
      w.state = "saved";
      w.answers = answers;
      this.ui.form.hidden = true;
      this.onSaved?.(chat, answers);
    } catch (error) {
      this.ui.error.textContent = `Not saved: ${error.message}`;
      this.ui.error.hidden = false;
    } finally {
      this.ui.submit.disabled = w.state !== "ready";
    }
  }
}
