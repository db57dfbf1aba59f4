// The context summary beside the transcript: who, what went wrong in one sentence, the
// order, how the customer felt turn by turn, stakes and deadline, what the bot did and
// offered, why it escalated, and what to do and say next. Then the private notes.

import { el, fill, describeDeadline, humanize, formatClock } from "../dom.js";
import { readCase } from "../case.js";
import { trajectoryChart } from "../chart.js";

function section(title, ...content) {
  const body = content.flat().filter(Boolean);
  return body.length ? el("section", {}, el("h3", {}, title), ...body) : null;
}

function facts(rows) {
  return rows.length ? el("dl", {}, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])) : null;
}

function bullets(items) {
  return items.length ? el("ul", {}, ...items.map((item) => el("li", {}, item))) : null;
}

export function renderSummary(root, { detail, agentsById, onAddNote }) {
  const handoff = detail.handoff || {};
  const c = readCase(handoff.summary, handoff);
  const customerRows = [
    c.customerName ? ["Name", c.customerName] : null,
    c.customerSince ? ["Customer since", c.customerSince] : null,
    c.customerEmail ? ["Email", c.customerEmail] : null,
    c.recentOrders.length ? ["Recent orders", c.recentOrders.join("; ")] : null,
  ].filter(Boolean);
  const stakesRows = [
    c.stakes ? ["Stakes", humanize(c.stakes)] : null,
    c.deadline ? ["Deadline", describeDeadline(c.deadline)] : null,
  ].filter(Boolean);
  const lastPoint = c.trajectory[c.trajectory.length - 1];

  // Ordered by what an agent needs first: the problem and why it came to a person, how the
  // customer feels, what was already done, then what to do and say; facts below.
  fill(root,
    c.partial ? el("p", { class: "error" }, "Partial summary: the bot or the store could not be read at escalation. The transcript has everything the customer said.") : null,
    c.storeNote ? el("p", { class: "muted", id: "store-note" }, c.storeNote) : null,
    el("p", { class: "problem", id: "case-problem" }, c.problem || "No one-sentence problem in the summary; see the transcript."),
    el("div", { class: "chips", id: "case-chips" },
      c.reasons.map((r) => el("span", { class: "chip reason" }, humanize(r))),
      c.stakes && c.stakes !== "none" ? el("span", { class: "chip stakes" }, `stakes: ${humanize(c.stakes)}`) : null,
      c.deadline ? el("span", { class: "chip deadline" }, `deadline ${describeDeadline(c.deadline)}`) : null,
      c.urgent ? el("span", { class: "chip reason" }, "urgent") : null),
    c.evidence.length ? el("p", { class: "evidence" }, c.evidence.map((e) => `“${e}”`).join(" · ")) : null,
    section("How they felt", c.trajectory.length
      ? el("div", { class: "trajectory" }, trajectoryChart(c.trajectory, { threshold: c.threshold }),
        lastPoint && lastPoint.words ? el("p", { class: "words" }, `Latest: ${lastPoint.emotion} — “${lastPoint.words}”`) : null)
      : el("p", { class: "muted" }, "No emotion data recorded.")),
    section("The bot already", bullets([...c.botDid, ...c.botOffered.map((o) => `Offered: ${o}`)])),
    section("Suggested next step", c.nextStep ? el("p", { class: "next", id: "next-step" }, c.nextStep) : null),
    section("Suggested opening line", c.openingLine ? el("p", { class: "opening", id: "opening-line" }, c.openingLine) : null),
    el("div", { class: "fact-columns" },
      section("Customer", facts(customerRows)),
      section("Order", facts([...c.order, ...stakesRows]))),
    renderNotes(detail.notes || [], agentsById, onAddNote),
  );
}

function renderNotes(notes, agentsById, onAddNote) {
  const text = el("textarea", { id: "note-text", rows: 2, maxlength: 4000, "aria-label": "Private note" });
  const form = el("form", {
    class: "note-form",
    onsubmit: async (event) => {
      event.preventDefault();
      if (await onAddNote(text.value)) text.value = "";
    },
  }, text, el("button", { type: "submit", id: "note-add" }, "Add note"));
  return el("section", { class: "notes", "aria-labelledby": "notes-title" },
    el("h3", { id: "notes-title" }, "Private notes (team only)"),
    notes.length ? el("ul", { id: "notes-list" }, ...notes.map((n) => el("li", {},
      el("span", { class: "note-meta" }, `${agentsById[n.agent_id]?.display_name || "agent"} ${formatClock(n.created_at)}`),
      n.text))) : el("p", { class: "muted", id: "notes-list" }, "No notes yet."),
    form);
}
