/* transcript.js: the conversation as the customer sees it, free of duplicates.
 * Server messages are keyed by seq (and id); a customer message the server acknowledged
 * replaces its outbox entry by client id. Local items (the "person joined" moment, a
 * proactive offer, messages from a stock server without seq) are anchored after the last
 * seq seen when they appeared, so a later resync slots missed messages in before them. */
var Transcript = (function () {
  function sortKey(m) {
    return m.seq != null ? m.seq : (m.anchor || 0) + 0.5;
  }

  function create(state) {
    // `state` is the persisted object from SessionStore; we mutate it in place.
    function lastSeq() {
      var max = 0;
      for (var i = 0; i < state.messages.length; i++) {
        var s = state.messages[i].seq;
        if (s != null && s > max) max = s;
      }
      return max;
    }

    /** Where a resync must start so nothing is missing: the highest seq up to which every
     *  message is here (after a reload from a trimmed cache: 0, the whole conversation). */
    function resumeSeq() {
      var seen = {};
      for (var i = 0; i < state.messages.length; i++) {
        var s = state.messages[i].seq;
        if (s != null) seen[s] = true;
      }
      var n = 0;
      while (seen[n + 1]) n++;
      return n;
    }

    function has(record) {
      for (var i = 0; i < state.messages.length; i++) {
        var m = state.messages[i];
        if (record.seq != null && m.seq === record.seq) return true;
        if (record.id && m.id === record.id) return true;
        if (record.key && m.key === record.key) return true;
      }
      return false;
    }

    function confirmOutbox(clientId) {
      if (!clientId) return null;
      for (var i = 0; i < state.outbox.length; i++) {
        if (state.outbox[i].clientId === clientId) return state.outbox.splice(i, 1)[0];
      }
      return null;
    }

    /** Add a record; returns false when it was already there (a replay or another tab). */
    function add(record) {
      var queued = record.role === "customer" ? confirmOutbox(record.clientId) : null;
      if (queued && queued.text) record.display = queued.text;
      if (has(record)) return false;
      if (record.seq == null) record.anchor = lastSeq();
      if (!record.key) record.key = record.id || (record.seq != null ? "s" + record.seq : "l" + Date.now() + Math.random());
      var k = sortKey(record), i = state.messages.length;
      while (i > 0 && sortKey(state.messages[i - 1]) > k) i--;
      state.messages.splice(i, 0, record);
      return true;
    }

    function enqueue(text, payload) {
      var item = {
        clientId: "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10),
        text: text,
        payload: payload || null,
        ts: Date.now(),
        error: null
      };
      state.outbox.push(item);
      return item;
    }

    /** Quick-reply payloads the bot offered, so "/request_human" reads as its title. */
    function titleFor(payload) {
      for (var i = state.messages.length - 1; i >= 0; i--) {
        var qr = state.messages[i].quickReplies || [];
        for (var j = 0; j < qr.length; j++) if (qr[j].payload === payload) return qr[j].title;
      }
      return null;
    }

    function unread() {
      var n = 0;
      for (var i = 0; i < state.messages.length; i++) {
        var m = state.messages[i];
        if (m.role !== "customer" && m.kind !== "join" && sortKey(m) > state.readSeq) n++;
      }
      return n;
    }

    function markRead() {
      var last = state.messages.length ? sortKey(state.messages[state.messages.length - 1]) : 0;
      state.readSeq = Math.max(state.readSeq, last);
    }

    function reset() {
      state.messages = [];
      state.readSeq = 0;
    }

    return {
      add: add,
      enqueue: enqueue,
      confirmOutbox: confirmOutbox,
      lastSeq: lastSeq,
      resumeSeq: resumeSeq,
      titleFor: titleFor,
      unread: unread,
      markRead: markRead,
      reset: reset,
      messages: function () { return state.messages; },
      outbox: function () { return state.outbox; }
    };
  }

  return { create: create };
})();
