// Draws the whole screen from the state on every change: the top bar and the three lists
// here, the open case in render-case.js. The views skip what has not changed.

import { renderQueue, renderMine, renderTeam } from "./views/sidebar.js";
import { createCaseRenderer } from "./render-case.js";

export function createRenderer({ doc, $, onPreview, onClaim, onAddNote, onRetry }) {
  const renderCase = createCaseRenderer({ doc, $, onAddNote, onRetry });

  function renderTopBar(s) {
    const connection = $("connection");
    connection.className = `connection ${s.connection}`;
    connection.textContent = s.connection === "connected" ? "Live" : s.connection === "reconnecting" ? "Reconnecting…" : "Connecting…";
    $("me-name").textContent = s.agent ? s.agent.display_name : "";
    if (s.agent && ["available", "away"].includes(s.agent.presence) && $("presence-select").value !== s.agent.presence) {
      $("presence-select").value = s.agent.presence;
    }
  }

  return function render(s) {
    const meId = s.agent && s.agent.id;
    const agentsById = Object.fromEntries(s.team.map((a) => [a.id, a]));
    renderTopBar(s);
    const cap = s.agent && s.agent.max_chats;
    $("my-load").textContent = cap ? `${s.owned.length} of ${cap} chats` : `${s.owned.length} open chat${s.owned.length === 1 ? "" : "s"}`;
    $("queue-count").textContent = `(${s.queue.length})`;
    renderQueue($("queue-list"), {
      queue: s.queue, receivedAt: s.queueReceivedAt, newIds: s.newIds,
      canClaim: !cap || s.owned.length < cap, meId, nameOf: (id) => agentsById[id]?.display_name,
      onPreview, onClaim,
    });
    renderMine($("mine-list"), { owned: s.owned, details: s.details, openId: s.openId, unread: s.unread, onOpen: onPreview });
    renderTeam($("team-list"), { team: s.team, meId });
    renderCase(s, agentsById);
  };
}
