// The console's behaviour: keeps the state in step with the gateway (REST at start, socket
// events after), turns the agent's clicks and keys into API calls, and re-renders. Every
// dependency comes in through `deps`, so nothing here is global.

import { ApiError, connectAgentSocket } from "./api.js";
import { createStore } from "./store.js";
import { readCase, latestCustomerText } from "./case.js";
import { renderQueue, renderMine, renderTeam, rowFacts, tickWaits } from "./views/sidebar.js";
import { humanize } from "./dom.js";
import { renderSummary } from "./views/summary.js";
import { renderTranscript, renderTyping, renderSuggestions } from "./views/transcript.js";
import { createDialogs, FALLBACK_NEXT_STEPS } from "./views/dialogs.js";
import { remediesContent } from "./views/remedies.js";

const TYPING_RENEW_MS = 3000;
const TYPING_IDLE_MS = 4000;

const initialState = () => ({
  agent: null,
  connection: "connecting",
  team: [],
  queue: [],
  queueReceivedAt: Date.now(),
  newIds: new Set(),
  owned: [],
  details: {},
  openId: null,
  typing: {},
  unread: {},
  pending: {},
  receipts: {},
  suggestions: {},
});

export function createConsole({ doc, win, io, rest, alerts, onLoggedOut }) {
  const $ = (id) => doc.getElementById(id);
  const store = createStore(initialState());
  const dialogs = createDialogs(doc);
  let socket = null;
  let typingSentAt = 0;
  let typingTimer = null;
  let tickTimer = null;
  const notified = new Set();

  const state = () => store.get();
  const isMine = (id) => state().owned.includes(id);
  const openDetail = () => state().details[state().openId];

  function fail(error) {
    const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    alerts.toast(message, "error");
  }

  // --- state changes from the gateway ---------------------------------------------------

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

  // --- calls to the gateway ---------------------------------------------------------------

  async function watch(id) {
    const detail = await socket.call("watch", { conversation_id: id });
    setDetail(id, detail);
    return detail;
  }

  async function open(id) {
    await watch(id);
    store.update((s) => ({ openId: id, unread: { ...s.unread, [id]: 0 } }));
    if (isMine(id)) loadSuggestions(id);
  }

  async function preview(id) {
    try {
      await open(id);
      $("summary").focus();
    } catch (error) {
      fail(error);
    }
  }

  async function claim(id) {
    try {
      await socket.call("claim", { conversation_id: id });
      store.update((s) => ({ owned: [...new Set([...s.owned, id])] }));
      await open(id);
      $("composer-text").focus();
    } catch (error) {
      if (error.code === "already_claimed") {
        alerts.toast("Someone else claimed that conversation first.", "error");
        socket.call("queue").then((a) => setQueue(a.queue || [])).catch(() => {});
      } else {
        fail(error);
      }
    }
  }

  async function loadSuggestions(id) {
    try {
      const data = await rest.optional("suggestions", "GET", `/conversations/${encodeURIComponent(id)}/suggestions`);
      handlers.suggestions({ conversation_id: id, suggestions: data.suggestions || [] });
    } catch (error) {
      if (error.status !== 404 && error.status !== 405) fail(error);
    }
  }

  function newClientId() {
    return win.crypto && win.crypto.randomUUID ? win.crypto.randomUUID() : `c-${Date.now()}-${Math.random().toString(16).slice(2)}`;
  }

  async function deliver(id, item) {
    try {
      const answer = await socket.call("send_message", { conversation_id: id, text: item.text, client_id: item.client_id });
      addMessage(id, answer.message);
      store.update((s) => ({ pending: { ...s.pending, [id]: (s.pending[id] || []).filter((p) => p.client_id !== item.client_id) } }));
    } catch (error) {
      // Keep the text on screen with a Retry button: the same client id makes a retry
      // idempotent, so a message that did arrive is never sent twice.
      store.update((s) => ({
        pending: {
          ...s.pending,
          [id]: (s.pending[id] || []).map((p) => (p.client_id === item.client_id ? { ...p, status: "failed", error: error.message } : p)),
        },
      }));
    }
  }

  function send() {
    const box = $("composer-text");
    const text = box.value.trim();
    const id = state().openId;
    if (!text || !id) return;
    if (!isMine(id)) {
      showComposerError("Claim the conversation before replying.");
      return;
    }
    const item = { client_id: newClientId(), text, status: "pending" };
    store.update((s) => ({ pending: { ...s.pending, [id]: [...(s.pending[id] || []), item] }, suggestions: { ...s.suggestions, [id]: [] } }));
    box.value = "";
    stopTyping();
    deliver(id, item);
  }

  function retry(clientId) {
    const id = state().openId;
    const item = (state().pending[id] || []).find((p) => p.client_id === clientId);
    if (!item) return;
    store.update((s) => ({ pending: { ...s.pending, [id]: s.pending[id].map((p) => (p.client_id === clientId ? { ...p, status: "pending" } : p)) } }));
    deliver(id, item);
  }

  function showComposerError(message) {
    const node = $("composer-error");
    node.textContent = message;
    node.hidden = !message;
  }

  function startTyping() {
    const id = state().openId;
    if (!id || !isMine(id)) return;
    const now = Date.now();
    if (now - typingSentAt > TYPING_RENEW_MS) {
      typingSentAt = now;
      socket.call("typing", { conversation_id: id, typing: true }).catch(() => {});
    }
    win.clearTimeout(typingTimer);
    typingTimer = win.setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    win.clearTimeout(typingTimer);
    const id = state().openId;
    if (!typingSentAt || !id || !isMine(id)) return;
    typingSentAt = 0;
    socket.call("typing", { conversation_id: id, typing: false }).catch(() => {});
  }

  async function addNote(text) {
    const id = state().openId;
    if (!text.trim()) {
      alerts.toast("Write the note first.", "error");
      return false;
    }
    try {
      const answer = await socket.call("note", { conversation_id: id, text });
      handlers.note({ conversation_id: id, note: answer.note });
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  }

  function forget(id) {
    store.update((s) => ({ owned: s.owned.filter((o) => o !== id) }));
  }

  async function afterOwnershipChange(id, answer) {
    forget(id);
    const detail = state().details[id];
    if (detail && answer.conversation) setDetail(id, { ...detail, conversation: answer.conversation });
    await watch(id).catch(() => {});
  }

  function openRemedies() {
    const id = state().openId;
    const summary = openDetail()?.handoff?.summary;
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
  }

  async function nextSteps() {
    try {
      const answer = await rest.optional("next-steps", "GET", "/next-steps");
      if (Array.isArray(answer.next_steps) && answer.next_steps.length) return answer.next_steps;
    } catch (error) {
      if (error.status !== 404 && error.status !== 405) fail(error);
    }
    return FALLBACK_NEXT_STEPS;
  }

  // --- rendering ----------------------------------------------------------------------------

  function render(s) {
    const meId = s.agent && s.agent.id;
    const agentsById = Object.fromEntries(s.team.map((a) => [a.id, a]));
    const connection = $("connection");
    connection.className = `connection ${s.connection}`;
    connection.textContent = s.connection === "connected" ? "Live" : s.connection === "reconnecting" ? "Reconnecting…" : "Connecting…";
    $("me-name").textContent = s.agent ? s.agent.display_name : "";
    if (s.agent && ["available", "away"].includes(s.agent.presence) && $("presence-select").value !== s.agent.presence) {
      $("presence-select").value = s.agent.presence;
    }
    const cap = s.agent && s.agent.max_chats;
    $("my-load").textContent = cap ? `${s.owned.length} of ${cap} chats` : `${s.owned.length} open chat${s.owned.length === 1 ? "" : "s"}`;
    $("queue-count").textContent = `(${s.queue.length})`;
    renderQueue($("queue-list"), {
      queue: s.queue, receivedAt: s.queueReceivedAt, newIds: s.newIds,
      canClaim: !cap || s.owned.length < cap, meId, nameOf: (id) => agentsById[id]?.display_name,
      onPreview: preview, onClaim: claim,
    });
    renderMine($("mine-list"), { owned: s.owned, details: s.details, openId: s.openId, unread: s.unread, onOpen: preview });
    renderTeam($("team-list"), { team: s.team, meId });
    renderCase(s, agentsById);
  }

  let renderedCase = null;
  function renderCase(s, agentsById) {
    const detail = s.details[s.openId];
    $("case-empty").hidden = Boolean(detail);
    $("case-body").hidden = !detail;
    if (!detail) return;
    const id = s.openId;
    const conversation = detail.conversation || {};
    const mine = s.owned.includes(id) && conversation.state === "agent";
    const facts = readCase(detail.handoff?.summary, detail.handoff || {});
    $("case-title").textContent = facts.customerName || `Customer ${id.slice(0, 6)}`;
    const owner = conversation.agent_id ? agentsById[conversation.agent_id]?.display_name || "another agent" : null;
    $("case-state").textContent = conversation.state === "agent" ? (mine ? "with you" : `with ${owner}`) : conversation.state || "";
    $("claim-button").hidden = conversation.state !== "queued";
    for (const button of ["remedy-button", "transfer-button", "resolve-button", "close-button"]) $(button).disabled = !mine;
    $("composer-text").disabled = !mine;
    $("send-button").disabled = !mine;
    // The summary is rebuilt only when its inputs change, so a note being typed survives
    // every incoming message.
    const inputsKey = [id, detail.handoff?.id, (detail.notes || []).length, s.team.length].join("|");
    const summaryKey = `${inputsKey}|${detail.summaryRev || 0}`;
    if (renderedCase !== summaryKey) {
      // Only the summary changed (summary_updated): a note being typed must survive the redraw.
      const onlySummary = String(renderedCase || "").startsWith(`${inputsKey}|`);
      const draftBox = doc.getElementById("note-text");
      const draft = onlySummary && draftBox ? { value: draftBox.value, focused: doc.activeElement === draftBox } : null;
      renderedCase = summaryKey;
      renderSummary($("summary"), { detail, agentsById, onAddNote: addNote });
      const box = doc.getElementById("note-text");
      if (draft && box) {
        box.value = draft.value;
        if (draft.focused) {
          box.focus();
          box.setSelectionRange(draft.value.length, draft.value.length);
        }
      }
    }
    renderTranscript($("transcript"), { transcript: detail.transcript || [], pending: s.pending[id] || [], receipts: s.receipts[id] || conversation, onRetry: retry });
    renderTyping($("customer-typing"), s.typing[id]);
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

  // --- wiring ---------------------------------------------------------------------------------

  function bindControls() {
    $("composer").addEventListener("submit", (event) => { event.preventDefault(); send(); });
    $("composer-text").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
    $("composer-text").addEventListener("input", () => { showComposerError(""); startTyping(); });
    $("composer-text").addEventListener("blur", stopTyping);
    $("presence-select").addEventListener("change", async (event) => {
      try {
        const answer = await socket.call("presence", { presence: event.target.value });
        onPresence(answer.agent);
      } catch (error) {
        fail(error);
      }
    });
    $("claim-button").addEventListener("click", () => claim(state().openId));
    $("remedy-button").addEventListener("click", openRemedies);
    $("transfer-button").addEventListener("click", () => dialogs.transfer({
      team: state().team, meId: state().agent.id,
      onTransfer: async (toAgentId) => {
        const id = state().openId;
        await afterOwnershipChange(id, await socket.call("transfer", { conversation_id: id, to_agent_id: toAgentId }));
        alerts.toast("Transferred.");
      },
    }));
    $("resolve-button").addEventListener("click", async () => dialogs.resolve({
      steps: await nextSteps(),
      onResolve: async (step) => {
        const id = state().openId;
        await afterOwnershipChange(id, await socket.call("resolve", { conversation_id: id, next_step: step }));
        alerts.toast("Handed back to the bot.");
      },
    }));
    $("close-button").addEventListener("click", () => dialogs.close({
      onClose: async () => {
        const id = state().openId;
        await afterOwnershipChange(id, await socket.call("close", { conversation_id: id }));
        alerts.toast("Closed; the customer was asked for a rating.");
      },
    }));
    $("notify-button").addEventListener("click", async () => {
      const permission = await alerts.askPermission();
      $("notify-button").hidden = permission === "granted";
      if (permission === "denied") alerts.toast("Desktop alerts are blocked in this browser's site settings.", "error");
    });
    $("logout-button").addEventListener("click", logout);
    doc.addEventListener("keydown", (event) => {
      if (!event.altKey || dialogs.isOpen()) return;
      const key = event.key.toLowerCase();
      const target = { q: () => doc.querySelector("#queue-list button") || $("queue-list"), c: () => $("composer-text"), n: () => doc.getElementById("note-text") }[key];
      if (target && target()) {
        event.preventDefault();
        target().focus();
      }
    });
    doc.addEventListener("visibilitychange", () => {
      const id = state().openId;
      if (doc.visibilityState === "visible" && id) store.update((s) => ({ unread: { ...s.unread, [id]: 0 } }));
    });
  }

  async function onConnected() {
    store.update(() => ({ connection: "connected" }));
    try {
      const [queue, team] = await Promise.all([socket.call("queue"), rest.agents()]);
      setQueue(queue.queue || []);
      store.update(() => ({ team: team.agents || [] }));
      // What we own comes from the gateway (a reload, a second tab, a transfer while we
      // were away); re-watching each catches up on whatever we missed.
      const mine = await rest.optional("mine", "GET", "/conversations/mine").catch(() => ({ conversations: [] }));
      const owned = (mine.conversations || []).map((c) => c.conversation.id);
      store.update(() => ({ owned }));
      const ids = new Set([...owned, ...(state().openId ? [state().openId] : [])]);
      for (const id of ids) await watch(id).catch(() => null);
    } catch (error) {
      fail(error);
    }
  }

  function start(agent, token) {
    store.update(() => ({ ...initialState(), agent }));
    store.subscribe(render);
    render(state());
    socket = connectAgentSocket({
      io, token, handlers,
      onStatus: (status, error) => {
        if (status === "connected") onConnected();
        else if (status === "refused") {
          alerts.toast(error.message, "error");
          finish();
        } else store.update(() => ({ connection: status }));
      },
    });
    $("notify-button").hidden = !("Notification" in win) || win.Notification.permission === "granted";
    tickTimer = win.setInterval(() => tickWaits($("queue-list"), state().queue, state().queueReceivedAt), 1000);
  }

  async function logout() {
    stopTyping();
    try {
      await rest.logout();
    } catch (error) {
      if (error.status !== 401) {
        fail(error);
        return;
      }
    }
    finish();
  }

  function finish() {
    if (socket) socket.close();
    win.clearInterval(tickTimer);
    alerts.setBadge(0);
    onLoggedOut();
  }

  bindControls();
  return { start, state, store };
}
