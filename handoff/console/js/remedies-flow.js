// The "Make it right" dialog's flow: list the remedies and approvals for the open
// conversation, carry out a click, and show the result. What the dialog looks like is
// views/remedies.js; this file decides what each click asks the gateway.

import { humanize } from "./dom.js";
import { remediesContent } from "./views/remedies.js";

/** `openId()` and `openSummary()` are read when the dialog opens, not when this is wired. */
export function createRemediesFlow({ doc, rest, alerts, dialogs, newClientId, openId, openSummary }) {
  return function openRemedies() {
    const id = openId();
    const summary = openSummary();
    const path = `/conversations/${encodeURIComponent(id)}/remedies`;
    // One client_id per remedy until it is done: retrying after a lost answer repeats the same
    // click, which the gateway carries out once (a double click is one refund).
    const clicks = new Map();
    const clickId = (kind) => {
      if (!clicks.has(kind)) clicks.set(kind, newClientId());
      return clicks.get(kind);
    };
    const show = (data, unavailable) => dialogs.open({
      heading: "Make it right",
      content: remediesContent({ data, summary, unavailable, onRemedy, onApproval }),
    });
    async function refresh(done) {
      try {
        show(await rest.optional("remedies", "GET", path));
      } catch (error) {
        dialogs.showError(error.message);
      }
      const result = doc.getElementById("remedy-result");
      if (result) result.textContent = done;
      alerts.toast(done);
    }
    async function onRemedy(option, button) {
      button.disabled = true;
      let answer;
      try {
        answer = await rest.optional("remedies", "POST", path, { kind: option.kind, amount: option.amount ?? null, client_id: clickId(option.kind) });
      } catch (error) {
        button.disabled = false;
        dialogs.showError(error.message);
        return;
      }
      clicks.delete(option.kind);
      await refresh(answer.result?.summary || `${humanize(option.kind)} done.`);
    }
    async function onApproval(approval, decision, note, buttons) {
      for (const button of buttons) button.disabled = true;
      let answer;
      try {
        answer = await rest.optional("remedies", "POST", `/approvals/${encodeURIComponent(approval.id)}`, { decision, note: note || null });
      } catch (error) {
        for (const button of buttons) button.disabled = false;
        dialogs.showError(error.message);
        return;
      }
      const told = answer.customer_told ? " The customer has been told in the chat." : "";
      await refresh(decision === "approve"
        ? answer.result?.summary || `Approved: ${humanize(approval.kind)}.${told}`
        : `Rejected: ${humanize(approval.kind)} ${approval.reference || ""}.${told}`);
    }
    rest.optional("remedies", "GET", path).then((data) => show(data)).catch((error) => {
      // Not on this gateway (404/405) → the standard "not available"; any other failure says why.
      const missing = error.code === "unsupported" || error.status === 405 || (error.status === 404 && error.code !== "not_found");
      show(null, missing ? null : error.message);
    });
  };
}
