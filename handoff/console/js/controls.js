// Wires the page's controls and keyboard shortcuts to the console's actions. Every listener
// is added once, at creation, before login: the page is reloaded on log out.

export function bindControls({ doc, $, store, dialogs, alerts, composer, calls, openRemedies, logout }) {
  const state = () => store.get();

  $("composer").addEventListener("submit", (event) => { event.preventDefault(); composer.send(); });
  $("composer-text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.send();
    }
  });
  $("composer-text").addEventListener("input", () => { composer.showError(""); composer.startTyping(); });
  $("composer-text").addEventListener("blur", composer.stopTyping);
  $("presence-select").addEventListener("change", (event) => calls.setPresence(event.target.value));
  $("claim-button").addEventListener("click", () => calls.claim(state().openId));
  $("remedy-button").addEventListener("click", openRemedies);
  $("transfer-button").addEventListener("click", () => dialogs.transfer({
    team: state().team, meId: state().agent.id, onTransfer: calls.transfer,
  }));
  $("resolve-button").addEventListener("click", async () => dialogs.resolve({
    steps: await calls.nextSteps(), onResolve: calls.resolve,
  }));
  $("close-button").addEventListener("click", () => dialogs.close({ onClose: calls.close }));
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
