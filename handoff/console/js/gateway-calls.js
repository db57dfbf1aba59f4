// The agent's requests to the gateway (socket acks and REST) and what their answers change.
// `call(event, data)` is the socket's, looked up at call time: the socket only exists once
// the console has started, but these functions are wired before that.

import { FALLBACK_NEXT_STEPS } from "./views/dialogs.js";

export function createGatewayCalls({ $, store, rest, alerts, call, isMine, fail, events }) {
  const state = () => store.get();

  async function watch(id) {
    const detail = await call("watch", { conversation_id: id });
    events.setDetail(id, detail);
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
      await call("claim", { conversation_id: id });
      store.update((s) => ({ owned: [...new Set([...s.owned, id])] }));
      await open(id);
      $("composer-text").focus();
    } catch (error) {
      if (error.code === "already_claimed") {
        alerts.toast("Someone else claimed that conversation first.", "error");
        call("queue").then((a) => events.setQueue(a.queue || [])).catch(() => {});
      } else {
        fail(error);
      }
    }
  }

  async function loadSuggestions(id) {
    try {
      const data = await rest.optional("suggestions", "GET", `/conversations/${encodeURIComponent(id)}/suggestions`);
      events.handlers.suggestions({ conversation_id: id, suggestions: data.suggestions || [] });
    } catch (error) {
      if (error.status !== 404 && error.status !== 405) fail(error);
    }
  }

  async function addNote(text) {
    const id = state().openId;
    if (!text.trim()) {
      alerts.toast("Write the note first.", "error");
      return false;
    }
    try {
      const answer = await call("note", { conversation_id: id, text });
      events.handlers.note({ conversation_id: id, note: answer.note });
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  }

  async function setPresence(presence) {
    try {
      const answer = await call("presence", { presence });
      events.onPresence(answer.agent);
    } catch (error) {
      fail(error);
    }
  }

  async function afterOwnershipChange(id, answer) {
    store.update((s) => ({ owned: s.owned.filter((o) => o !== id) }));
    const detail = state().details[id];
    if (detail && answer.conversation) events.setDetail(id, { ...detail, conversation: answer.conversation });
    await watch(id).catch(() => {});
  }

  // The dialogs' confirm actions: each may throw, and the dialog then shows why and stays open.
  async function transfer(toAgentId) {
    const id = state().openId;
    await afterOwnershipChange(id, await call("transfer", { conversation_id: id, to_agent_id: toAgentId }));
    alerts.toast("Transferred.");
  }

  async function resolve(step) {
    const id = state().openId;
    await afterOwnershipChange(id, await call("resolve", { conversation_id: id, next_step: step }));
    alerts.toast("Handed back to the bot.");
  }

  async function close() {
    const id = state().openId;
    await afterOwnershipChange(id, await call("close", { conversation_id: id }));
    alerts.toast("Closed; the customer was asked for a rating.");
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

  async function onConnected() {
    store.update(() => ({ connection: "connected" }));
    try {
      const [queue, team] = await Promise.all([call("queue"), rest.agents()]);
      events.setQueue(queue.queue || []);
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

  return { watch, preview, claim, loadSuggestions, addNote, setPresence, transfer, resolve, close, nextSteps, onConnected };
}
