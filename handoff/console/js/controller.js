// The console's assembly: one store, the socket, and the parts that keep the state in step
// with the gateway (gateway-events.js, gateway-calls.js), the reply box (composer.js), make
// it right (remedies-flow.js), drawing (render.js) and the controls (controls.js). Every
// dependency comes in through `deps` and is handed on explicitly, so nothing here is global.

import { ApiError, connectAgentSocket } from "./api.js";
import { createStore } from "./store.js";
import { tickWaits } from "./views/sidebar.js";
import { createDialogs } from "./views/dialogs.js";
import { newClientId } from "./client-id.js";
import { createGatewayEvents } from "./gateway-events.js";
import { createGatewayCalls } from "./gateway-calls.js";
import { createComposer } from "./composer.js";
import { createRemediesFlow } from "./remedies-flow.js";
import { createRenderer } from "./render.js";
import { bindControls } from "./controls.js";

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
  let tickTimer = null;

  const state = () => store.get();
  const isMine = (id) => state().owned.includes(id);
  // The socket is made in start(); the parts are wired now, so they reach it through this.
  const call = (event, data) => socket.call(event, data);
  const clientId = () => newClientId(win);

  function fail(error) {
    const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
    alerts.toast(message, "error");
  }

  // Events and calls need each other (a gap in a transcript re-watches it, a watch stores
  // what came back): the events reach the calls through these arrows, made just below.
  const events = createGatewayEvents({
    doc, store, rest, alerts, isMine, fail,
    watch: (id) => calls.watch(id),
    loadSuggestions: (id) => calls.loadSuggestions(id),
  });
  const calls = createGatewayCalls({ $, store, rest, alerts, call, isMine, fail, events });
  const composer = createComposer({ win, $, store, call, isMine, addMessage: events.addMessage, newClientId: clientId });
  const openRemedies = createRemediesFlow({
    doc, rest, alerts, dialogs, newClientId: clientId,
    openId: () => state().openId,
    openSummary: () => state().details[state().openId]?.handoff?.summary,
  });
  const render = createRenderer({
    doc, $, onPreview: calls.preview, onClaim: calls.claim, onAddNote: calls.addNote, onRetry: composer.retry,
  });

  function start(agent, token) {
    store.update(() => ({ ...initialState(), agent }));
    store.subscribe(render);
    render(state());
    socket = connectAgentSocket({
      io, token, handlers: events.handlers,
      onStatus: (status, error) => {
        if (status === "connected") calls.onConnected();
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
    composer.stopTyping();
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

  bindControls({ doc, $, store, dialogs, alerts, composer, calls, openRemedies, logout });
  return { start, state, store };
}
