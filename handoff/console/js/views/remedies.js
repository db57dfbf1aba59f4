// "Make it right": the remedies the agent may give on this order in one click, within their
// budget, and the approvals the bot prepared over its own budget (docs/console-needs.md §4,
// docs/agent-api.md). When the gateway cannot list them it says why and shows the facts.
// Everything from the gateway is rendered as text; every control is a button or a labelled
// input, so the dialog works from the keyboard.

import { el, humanize } from "../dom.js";
import { readCase } from "../case.js";

export const NOT_AVAILABLE =
  "One-click remedies are not available on this gateway yet (it has no remedies endpoint; see docs/console-needs.md). " +
  "Use the store's back office, then tell the customer what you did.";

function money(amount, currency) {
  return typeof amount === "number" ? `${amount.toFixed(2)} ${currency || ""}`.trim() : "";
}

function facts(summary) {
  const c = readCase(summary);
  return [
    c.order.length ? el("dl", {}, ...c.order.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])) : null,
    c.botDid.length ? el("p", {}, `The bot already: ${c.botDid.join("; ")}`) : null,
  ];
}

function optionRow(option, currency, onRemedy) {
  const whyId = `remedy-why-${option.kind}`;
  const blocked = option.within_budget === false;
  return el("div", { class: "option" },
    el("button", {
      type: "button", class: "primary", "data-remedy": option.kind,
      disabled: blocked,
      "aria-describedby": blocked && option.why_not ? whyId : undefined,
      onclick: (event) => onRemedy(option, event.currentTarget),
    }, `${option.label || humanize(option.kind)} ${option.amount > 0 ? money(option.amount, currency) : ""}`.trim()),
    blocked && option.why_not ? el("span", { class: "muted", id: whyId }, ` ${option.why_not}`) : null);
}

function decided(approval) {
  if (approval.status === "pending") return approval.can_decide === false ? " Needs a supervisor to decide." : "";
  const by = approval.decided_by ? ` by ${approval.decided_by}` : "";
  const note = approval.note ? `: “${approval.note}”` : "";
  return ` ${humanize(approval.status)}${by}${note}.`;
}

function approvalRow(approval, currency, onApproval) {
  const row = el("div", { class: "option", "data-approval": approval.id },
    el("span", {}, `${approval.reference || ""} ${humanize(approval.kind)} ${money(approval.amount, approval.currency || currency)} — ` +
      `${approval.reason || ""} (${approval.status}).${decided(approval)}`));
  if (approval.status !== "pending" || approval.can_decide === false) return row;
  const noteId = `approval-note-${approval.id}`;
  const note = el("input", { type: "text", id: noteId, maxlength: 1000, placeholder: "e.g. what we do instead" });
  const buttons = [];
  const decide = (decision) => onApproval(approval, decision, note.value.trim(), buttons);
  buttons.push(
    el("button", { type: "button", "data-decision": "approve", onclick: () => decide("approve") }, "Approve"),
    el("button", { type: "button", class: "danger", "data-decision": "reject", onclick: () => decide("reject") }, "Reject"));
  row.append(
    el("label", { for: noteId }, "Note for the customer (optional)", note),
    el("span", {}, ...buttons.flatMap((button) => [" ", button])));
  return row;
}

export function remediesContent({ data, summary, unavailable, onRemedy, onApproval }) {
  if (!data) return [el("p", { class: "error", id: "remedies-unavailable" }, unavailable || NOT_AVAILABLE), ...facts(summary)];
  if (!data.order_id) return [el("p", { id: "remedies-no-order" }, data.note || "No order is known for this conversation."), ...facts(summary)];
  const budget = data.budget || {};
  const options = (data.options || []).map((option) => optionRow(option, data.currency, onRemedy));
  const approvals = (data.approvals || []).map((approval) => approvalRow(approval, data.currency, onApproval));
  return [
    el("p", {}, `Order ${data.order_id}${data.order_state ? ` (${humanize(data.order_state)})` : ""}. ` +
      `Your budget: refunds up to ${money(budget.max_refund, data.currency)}, ` +
      `replacements up to ${money(budget.max_replacement_value, data.currency)}, credit up to ${money(budget.max_store_credit, data.currency)}.`),
    ...(options.length ? options : [el("p", { class: "muted" }, "Nothing fits this order's state from here.")]),
    approvals.length ? el("h3", {}, "Approval requests") : null,
    ...approvals,
    el("p", { id: "remedy-result", role: "status" }),
  ];
}
