// The reply box: sending (shown at once as "Sending…", kept with Retry if it fails), the
// "Claim first" error, and the agent's typing indicator sent to the customer.

const TYPING_RENEW_MS = 3000;
const TYPING_IDLE_MS = 4000;

export function createComposer({ win, $, store, call, isMine, addMessage, newClientId }) {
  const state = () => store.get();
  let typingSentAt = 0;
  let typingTimer = null;

  async function deliver(id, item) {
    try {
      const answer = await call("send_message", { conversation_id: id, text: item.text, client_id: item.client_id });
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
      showError("Claim the conversation before replying.");
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

  function showError(message) {
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
      call("typing", { conversation_id: id, typing: true }).catch(() => {});
    }
    win.clearTimeout(typingTimer);
    typingTimer = win.setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    win.clearTimeout(typingTimer);
    const id = state().openId;
    if (!typingSentAt || !id || !isMine(id)) return;
    typingSentAt = 0;
    call("typing", { conversation_id: id, typing: false }).catch(() => {});
  }

  return { send, retry, showError, startTyping, stopTyping };
}
