// The left column: the live queue (priority order, as the gateway ranks it), the agent's own
// conversations, and the team with presence and recent emotional load.

import { el, fill, formatDuration, describeDeadline, humanize, unchanged } from "../dom.js";
import { readCase } from "../case.js";

/** Seconds waited now, from the gateway's figure plus the time since we received it. */
export function waitedSeconds(entry, receivedAt, now = Date.now()) {
  return Number(entry.waiting_seconds || 0) + Math.max(0, (now - receivedAt) / 1000);
}

/** A queue row's headline facts: the gateway's top-level fields, else the summary's. */
export function rowFacts(entry) {
  const facts = readCase(entry.summary, entry);
  return {
    who: entry.customer_name || facts.customerName || `Customer ${String(entry.conversation_id).slice(0, 6)}`,
    problem: entry.problem || facts.problem,
    reasons: (entry.reasons && entry.reasons.length ? entry.reasons : facts.reasons).map(String),
    stakes: entry.stakes || facts.stakes,
    deadline: entry.deadline || facts.deadline,
  };
}

function reasonChips(facts) {
  return [
    ...[...new Set(facts.reasons)].map((r) => el("span", { class: "chip reason" }, humanize(r))),
    facts.stakes && facts.stakes !== "none" ? el("span", { class: "chip stakes" }, `stakes: ${humanize(facts.stakes)}`) : null,
    facts.deadline ? el("span", { class: "chip deadline" }, `deadline ${describeDeadline(facts.deadline)}`) : null,
  ];
}

/** Who a high-emotion row is offered to first (handoff/agents/routing.py): you, a colleague, or nobody. */
function offerChip(entry, meId, nameOf) {
  if (!entry.offered_to) return null;
  if (entry.offered_to === meId) return el("span", { class: "chip offered" }, "Offered to you");
  return el("span", { class: "chip offered-other" }, `offered to ${nameOf(entry.offered_to) || "a colleague"}`);
}

export function renderQueue(root, { queue, receivedAt, newIds, canClaim, meId, nameOf = () => null, onPreview, onClaim }) {
  const offeredTo = queue.map((e) => e.offered_to && nameOf(e.offered_to));
  if (unchanged(root, [queue, [...newIds], canClaim, meId, offeredTo])) return;
  const focusedId = document.activeElement && document.activeElement.closest
    ? document.activeElement.closest("[data-conversation]")?.dataset.conversation : null;
  const focusedRole = document.activeElement?.dataset?.role;
  if (!queue.length) {
    fill(root, el("li", { class: "muted" }, "Nobody is waiting."));
    return;
  }
  fill(root, ...queue.map((entry) => {
    const facts = rowFacts(entry);
    const who = facts.who;
    const mine = Boolean(entry.offered_to) && entry.offered_to === meId;
    return el("li", {
      class: `queue-row${newIds.has(entry.handoff_id) ? " new" : ""}${mine ? " offered" : ""}`,
      "data-conversation": entry.conversation_id,
      "aria-label": `Number ${entry.position}: ${who}${mine ? ", offered to you first" : ""}`,
    },
    el("div", { class: "line1" },
      el("span", { class: "rank", title: `priority ${entry.priority}` }, `#${entry.position}`),
      el("span", { class: "who" }, who),
      el("span", { class: "wait", "data-wait": entry.handoff_id, title: "waiting" },
        formatDuration(waitedSeconds(entry, receivedAt)))),
    el("div", { class: "chips" }, offerChip(entry, meId, nameOf), reasonChips(facts)),
    facts.problem ? el("div", { class: "problem" }, facts.problem) : null,
    el("div", { class: "buttons" },
      el("button", { type: "button", "data-role": "preview", onclick: () => onPreview(entry.conversation_id) }, "Preview"),
      el("button", {
        type: "button", class: "primary", "data-role": "claim", disabled: !canClaim,
        title: canClaim ? "" : "You are at your cap of concurrent chats",
        onclick: () => onClaim(entry.conversation_id),
      }, "Claim")));
  }));
  if (focusedId) {
    root.querySelector(`[data-conversation="${CSS.escape(focusedId)}"] [data-role="${focusedRole || "claim"}"]`)?.focus();
  }
}

/** Tick the waiting times without rebuilding the rows (keeps focus and screen-reader calm). */
export function tickWaits(root, queue, receivedAt) {
  for (const entry of queue) {
    const cell = root.querySelector(`[data-wait="${CSS.escape(entry.handoff_id)}"]`);
    if (cell) cell.textContent = formatDuration(waitedSeconds(entry, receivedAt));
  }
}

export function renderMine(root, { owned, details, openId, unread, onOpen }) {
  const names = owned.map((id) => readCase(details[id]?.handoff?.summary).customerName);
  if (unchanged(root, [owned, names, openId, owned.map((id) => unread[id] || 0)])) return;
  if (!owned.length) {
    fill(root, el("li", { class: "muted" }, "None yet."));
    return;
  }
  fill(root, ...owned.map((id) => {
    const detail = details[id];
    const facts = readCase(detail?.handoff?.summary);
    const count = unread[id] || 0;
    return el("li", {},
      el("button", {
        type: "button", "aria-current": id === openId ? "true" : "false", onclick: () => onOpen(id),
      },
      el("span", {}, facts.customerName || `Customer ${id.slice(0, 6)}`),
      count ? el("span", { class: "badge", "aria-label": `${count} unread` }, String(count)) : null));
  }));
}

/** "3 heavy in 8 h": the gateway's count of high-emotion conversations, when it reports it. */
export function loadText(agent) {
  const load = agent.load;
  if (!load || typeof load !== "object") return { text: "load n/a", heavy: false, title: "This gateway does not report emotional load yet" };
  const heavy = Number(load.high_emotion_recent ?? 0);
  const hours = load.window_hours ?? 8;
  const chats = load.active_chats !== undefined
    ? `${load.active_chats}${load.max_chats ? `/${load.max_chats}` : ""} chats · ` : "";
  return { text: `${chats}${heavy} heavy in ${hours} h`, heavy: heavy >= 3, title: "Recent high-emotion conversations" };
}

export function renderTeam(root, { team, meId }) {
  if (unchanged(root, [team, meId])) return;
  const visible = team.filter((a) => a.presence !== "offline");
  if (!visible.length) {
    fill(root, el("li", { class: "muted" }, "Nobody else is online."));
    return;
  }
  fill(root, ...visible.map((agent) => {
    const load = loadText(agent);
    return el("li", { "data-agent": agent.id },
      el("span", { class: `dot ${agent.presence}`, "aria-hidden": "true" }),
      el("span", {}, `${agent.display_name}${agent.id === meId ? " (you)" : ""} — ${agent.presence}`),
      el("span", { class: `load${load.heavy ? " heavy" : ""}`, title: load.title }, load.text));
  }));
}
