// The live transcript: every stored message in seq order, plus the agent's messages still on
// their way (pending, or failed with a retry), with sent / delivered / read ticks.

import { el, fill, formatClock } from "../dom.js";

const ROLE_NAMES = { customer: "Customer", bot: "Bot", system: "System", agent: "Agent" };

function ticks(message, receipts) {
  if (message.role !== "agent") return null;
  if (receipts && Number(receipts.read_seq) >= message.seq) return el("span", { class: "ticks read", title: "read" }, "✓✓ read");
  if (receipts && Number(receipts.delivered_seq) >= message.seq) return el("span", { class: "ticks", title: "delivered" }, "✓✓ delivered");
  return el("span", { class: "ticks", title: "sent" }, "✓ sent");
}

/**
 * Update the list in place: a message whose content did not change keeps its node, so the
 * live region announces only what is new and a selection or scroll position survives.
 */
export function renderTranscript(root, { transcript, pending, receipts, onRetry }) {
  const nearBottom = root.scrollHeight - root.scrollTop - root.clientHeight < 60;
  const wanted = [
    ...transcript.map((m) => ({
      key: `seq:${m.seq}`,
      version: `${m.text}|${ticks(m, receipts)?.textContent || ""}`,
      build: () => el("li", { class: `msg ${m.role}`, "data-seq": m.seq },
        el("span", { class: "meta" }, `${m.sender_name || ROLE_NAMES[m.role] || m.role} · ${formatClock(m.created_at)}`),
        el("span", { class: "text" }, m.text ?? ""),
        ticks(m, receipts)),
    })),
    ...pending.map((p) => ({
      key: `pending:${p.client_id}`,
      version: `${p.status}|${p.error || ""}`,
      build: () => el("li", { class: `msg agent ${p.status}`, "data-client-id": p.client_id },
        el("span", { class: "meta" }, p.status === "failed" ? `Not sent: ${p.error}` : "Sending…"),
        el("span", { class: "text" }, p.text),
        p.status === "failed" ? el("button", { type: "button", class: "retry", onclick: () => onRetry(p.client_id) }, "Retry") : null),
    })),
  ];
  const existing = new Map([...root.children].map((node) => [node.dataset.key, node]));
  let cursor = root.firstElementChild;
  for (const item of wanted) {
    let node = existing.get(item.key);
    if (!node || node.dataset.version !== item.version) {
      const fresh = item.build();
      fresh.dataset.key = item.key;
      fresh.dataset.version = item.version;
      if (node) {
        if (cursor === node) cursor = fresh;
        node.replaceWith(fresh);
      }
      node = fresh;
    }
    existing.delete(item.key);
    if (node !== cursor) root.insertBefore(node, cursor);
    cursor = node.nextElementSibling;
  }
  for (const stale of existing.values()) stale.remove();
  if (nearBottom || pending.length) root.scrollTop = root.scrollHeight;
}

export function renderTyping(root, typing) {
  root.hidden = !typing;
  root.textContent = typing ? "The customer is typing…" : "";
}

/** Suggestions are put in the reply box to be edited, never sent as they are. */
export function renderSuggestions(root, { suggestions, label, onUse }) {
  // Unchanged suggestions keep their buttons (and the keyboard focus on them).
  const version = JSON.stringify([label, suggestions]);
  if (root.dataset.version === version) return;
  root.dataset.version = version;
  if (!suggestions.length) {
    fill(root);
    return;
  }
  fill(root, el("span", { class: "label" }, label),
    ...suggestions.map((text, i) => el("button", {
      type: "button", class: "suggestion", "data-index": i, onclick: () => onUse(text),
      title: "Put this in the reply box to edit it",
    }, text)));
}
