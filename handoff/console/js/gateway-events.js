// What the gateway's socket events do to the console's state. When an event means the
// console must catch up, it asks through the functions passed in (`watch`,
// `loadSuggestions`, from gateway-calls.js); only the team is re-read here, with `rest`.

import { rowFacts } from "./views/sidebar.js";
import { humanize } from "./dom.js";

export function createGatewayEvents({ doc, store, rest, alerts, isMine, fail, watch, loadSuggestions }) {
  const state = () => store.get();
  const notified = new Set();

  function setQueue(queue) {
    // Whatever is already queued when we connect is not "new": no alert for it. A row offered
    // to a colleague first is the exception: its `escalation` reaches us when the offer ends.
    const meId = state().agent?.id;
    const announced = (e) => !e.offered_to || e.offered_to === meId;
    if (!state().queue.length && !notified.size) for (const e of queue.filter(announced)) notified.add(e.handoff_id);
    store.update((s) => ({
      queue,
      queueReceivedAt: Date.now(),
      newIds: new Set([...s.newIds].filter((id) => queue.some((e) => e.handoff_id === id))),
    }));
    alerts.setBadge(queue.length);
  }

  function onEscalation(entry) {
    // Each escalation alerts once, even if the gateway repeats it after a reconnect.
    if (notified.has(entry.handoff_id)) return;
    notified.add(entry.handoff_id);
    const facts = rowFacts(entry);
    const who = facts.who;
    const why = facts.reasons.map(humanize).join(", ");
    store.update((s) => ({
      newIds: new Set([...s.newIds, entry.handoff_id]),
      queue: s.queue.some((e) => e.handoff_id === entry.handoff_id) ? s.queue : [...s.queue, entry],
    }));
    alerts.setBadge(state().queue.length);
    // A high-emotion escalation reaches the least-loaded agent first (handoff/agents/routing.py).
    const offered = entry.offered_to_you ? "Offered to you first. " : "";
    alerts.newEscalation("New escalation", `${offered}${who}: ${facts.problem || why || "needs a person"}`);
  }

  function setDetail(id, detail) {
    store.update((s) => ({ details: { ...s.details, [id]: detail } }));
  }

  function addMessage(id, message) {
    const detail = state().details[id];
    if (!detail) return;
    const transcript = detail.transcript || [];
    if (transcript.some((m) => m.seq === message.seq)) return;
    const last = transcript.length ? transcript[transcript.length - 1].seq : 0;
    if (message.seq > last + 1) {
      // A gap means we missed something while reconnecting: fetch the whole transcript again.
      watch(id).catch(fail);
      return;
    }
    const pending = (state().pending[id] || []).filter((p) => !message.client_id || p.client_id !== message.client_id);
    store.update((s) => ({
      details: { ...s.details, [id]: { ...detail, transcript: [...transcript, message] } },
      pending: { ...s.pending, [id]: pending },
      unread: id === s.openId && doc.visibilityState !== "hidden" ? s.unread : { ...s.unread, [id]: (s.unread[id] || 0) + 1 },
      typing: message.role === "customer" ? { ...s.typing, [id]: false } : s.typing,
    }));
    if (message.role === "customer" && isMine(id)) loadSuggestions(id);
  }

  function onConversationState(body) {
    const id = body.conversation_id;
    const me = state().agent.id;
    const nowMine = body.state === "agent" && body.agent_id === me;
    store.update((s) => {
      const owned = nowMine ? [...new Set([...s.owned, id])] : s.owned.filter((o) => o !== id);
      const detail = s.details[id];
      const details = detail
        ? { ...s.details, [id]: { ...detail, conversation: { ...detail.conversation, state: body.state, agent_id: body.agent_id } } }
        : s.details;
      return { owned, details };
    });
    if (nowMine && !state().details[id]) watch(id).catch(fail);
  }

  function onPresence(agent) {
    store.update((s) => {
      const team = s.team.some((a) => a.id === agent.id)
        ? s.team.map((a) => (a.id === agent.id ? { ...a, ...agent } : a))
        : [...s.team, agent];
      return { team, agent: s.agent && s.agent.id === agent.id ? { ...s.agent, ...agent } : s.agent };
    });
  }

  const handlers = {
    escalation: onEscalation,
    queue_updated: (body) => setQueue(body.queue || []),
    conversation_state: (body) => {
      onConversationState(body);
      // A claim, transfer, resolve or close changes someone's load: re-read the team.
      rest.agents().then((team) => store.update(() => ({ team: team.agents || [] }))).catch(() => {});
    },
    message: (body) => addMessage(body.conversation_id, body.message),
    note: (body) => {
      const detail = state().details[body.conversation_id];
      if (!detail || (detail.notes || []).some((n) => n.id === body.note.id)) return;
      setDetail(body.conversation_id, { ...detail, notes: [...(detail.notes || []), body.note] });
    },
    presence: onPresence,
    team_updated: (body) => store.update(() => ({ team: body.agents || [] })),
    transferred_to_you: (body) => {
      alerts.toast(`${body.from} passed you a conversation.`);
      store.update((s) => ({ owned: [...new Set([...s.owned, body.conversation_id])] }));
      watch(body.conversation_id).catch(fail);
    },
    follow_up: () => alerts.toast("A customer asked for a person while nobody was available: an email follow-up is due."),
    // Needs from docs/console-needs.md; handled as soon as the gateway sends them.
    typing: (body) => {
      if (body.role && body.role !== "customer") return;
      store.update((s) => ({ typing: { ...s.typing, [body.conversation_id]: Boolean(body.typing) } }));
    },
    summary_updated: (body) => {
      // The gateway rebuilt the summary after a new customer message: redraw the case.
      const detail = state().details[body.conversation_id];
      if (!detail || !detail.handoff || detail.handoff.id !== body.handoff_id) return;
      setDetail(body.conversation_id, {
        ...detail,
        handoff: { ...detail.handoff, summary: body.summary },
        summaryRev: (detail.summaryRev || 0) + 1,
      });
      // Rebuilt after Rasa recorded the new message, so its feelings are current: fresh phrasings.
      if (isMine(body.conversation_id)) loadSuggestions(body.conversation_id);
    },
    receipt: (body) => store.update((s) => ({ receipts: { ...s.receipts, [body.conversation_id]: body } })),
    suggestions: (body) => store.update((s) => ({
      suggestions: { ...s.suggestions, [body.conversation_id]: (body.suggestions || []).map((x) => x.text || x) },
    })),
  };

  return { handlers, setQueue, setDetail, addMessage, onPresence };
}
