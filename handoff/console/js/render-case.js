// Draws the open case: its header and toolbar, the summary (kept, with any note being
// typed, unless its inputs changed), the transcript, typing, and the suggested phrasings.

import { readCase, latestCustomerText } from "./case.js";
import { renderSummary } from "./views/summary.js";
import { renderTranscript, renderTyping, renderSuggestions } from "./views/transcript.js";

export function createCaseRenderer({ doc, $, onAddNote, onRetry }) {
  let renderedCase = null;

  function renderHeader(s, id, detail, facts, agentsById) {
    const conversation = detail.conversation || {};
    const mine = s.owned.includes(id) && conversation.state === "agent";
    $("case-title").textContent = facts.customerName || `Customer ${id.slice(0, 6)}`;
    const owner = conversation.agent_id ? agentsById[conversation.agent_id]?.display_name || "another agent" : null;
    $("case-state").textContent = conversation.state === "agent" ? (mine ? "with you" : `with ${owner}`) : conversation.state || "";
    $("claim-button").hidden = conversation.state !== "queued";
    for (const button of ["remedy-button", "transfer-button", "resolve-button", "close-button"]) $(button).disabled = !mine;
    $("composer-text").disabled = !mine;
    $("send-button").disabled = !mine;
    return mine;
  }

  function renderSummaryIfChanged(s, id, detail, agentsById) {
    // The summary is rebuilt only when its inputs change, so a note being typed survives
    // every incoming message.
    const inputsKey = [id, detail.handoff?.id, (detail.notes || []).length, s.team.length].join("|");
    const summaryKey = `${inputsKey}|${detail.summaryRev || 0}`;
    if (renderedCase === summaryKey) return;
    // Only the summary changed (summary_updated): a note being typed must survive the redraw.
    const onlySummary = String(renderedCase || "").startsWith(`${inputsKey}|`);
    const draftBox = doc.getElementById("note-text");
    const draft = onlySummary && draftBox ? { value: draftBox.value, focused: doc.activeElement === draftBox } : null;
    renderedCase = summaryKey;
    renderSummary($("summary"), { detail, agentsById, onAddNote });
    const box = doc.getElementById("note-text");
    if (draft && box) {
      box.value = draft.value;
      if (draft.focused) {
        box.focus();
        box.setSelectionRange(draft.value.length, draft.value.length);
      }
    }
  }

  function renderPhrasings(s, id, detail, facts, mine) {
    const suggestions = s.suggestions[id] || [];
    const noAgentMessageYet = !(detail.transcript || []).some((m) => m.role === "agent");
    const opening = mine && noAgentMessageYet && facts.openingLine ? [facts.openingLine] : [];
    renderSuggestions($("suggestions"), {
      // The summary's opening line leads until the agent has spoken; the bank's phrasings follow.
      suggestions: [...opening, ...suggestions].slice(0, 3),
      label: opening.length
        ? "Suggested opening line and phrasings (edit before sending):"
        : `Suggested phrasings for: “${latestCustomerText(detail.transcript).slice(0, 80)}” (edit before sending)`,
      onUse: (text) => {
        const box = $("composer-text");
        box.value = text;
        box.focus();
        box.setSelectionRange(text.length, text.length);
      },
    });
  }

  return function renderCase(s, agentsById) {
    const detail = s.details[s.openId];
    $("case-empty").hidden = Boolean(detail);
    $("case-body").hidden = !detail;
    if (!detail) return;
    const id = s.openId;
    const conversation = detail.conversation || {};
    const facts = readCase(detail.handoff?.summary, detail.handoff || {});
    const mine = renderHeader(s, id, detail, facts, agentsById);
    renderSummaryIfChanged(s, id, detail, agentsById);
    renderTranscript($("transcript"), { transcript: detail.transcript || [], pending: s.pending[id] || [], receipts: s.receipts[id] || conversation, onRetry });
    renderTyping($("customer-typing"), s.typing[id]);
    renderPhrasings(s, id, detail, facts, mine);
  };
}
