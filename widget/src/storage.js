/* storage.js: what survives a reload or another tab. The session id the server issued, a
 * small cache of the conversation's last messages (`cacheMessages`, 30 by default, 0 for none:
 * it is only for an instant first paint, the server stays the source of truth through
 * resync), the outbox of unsent messages and small UI state. The backing store is injectable
 * ({getItem, setItem, removeItem}, localStorage by default); when it is missing or throws
 * (private mode, quota) the widget keeps working from memory. */
var SessionStore = (function () {

  function memoryStorage() {
    var data = {};
    return {
      getItem: function (k) { return Object.prototype.hasOwnProperty.call(data, k) ? data[k] : null; },
      setItem: function (k, v) { data[k] = String(v); },
      removeItem: function (k) { delete data[k]; }
    };
  }

  function defaultStorage() {
    try {
      var probe = "__store_chat_probe__";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return memoryStorage();
    }
  }

  function create(backing, key, log, cacheMessages) {
    var storage = backing || defaultStorage();
    var keep = Math.max(0, Math.floor(cacheMessages));
    var fallback = memoryStorage();

    function read() {
      var raw = null;
      try { raw = storage.getItem(key); } catch (e) { raw = fallback.getItem(key); }
      if (!raw) return empty();
      try {
        var state = JSON.parse(raw);
        return state && typeof state === "object" ? normalise(state) : empty();
      } catch (e) {
        log("stored chat state was unreadable; starting fresh", e);
        return empty();
      }
    }

    function write(state) {
      // A copy: the page keeps the whole conversation, the storage only its last few messages.
      var saved = {};
      for (var k in state) saved[k] = state[k];
      saved.messages = keep ? state.messages.slice(-keep) : [];
      var raw = JSON.stringify(saved);
      try {
        storage.setItem(key, raw);
      } catch (e) {
        // Quota or a locked-down browser: keep the state for this page's life at least.
        log("could not persist chat state; keeping it in memory", e);
        storage = fallback;
        fallback.setItem(key, raw);
      }
    }

    function clear() {
      try { storage.removeItem(key); } catch (e) { /* nothing stored there */ }
      fallback.removeItem(key);
    }

    return { read: read, write: write, clear: clear, key: key };
  }

  function empty() {
    return { sessionId: null, rotatedFrom: null, messages: [], outbox: [], readSeq: 0, open: false, offers: {}, signals: [] };
  }

  function normalise(s) {
    var e = empty();
    return {
      sessionId: typeof s.sessionId === "string" ? s.sessionId : null,
      // The id the current one replaced (rotation), so another tab still holding it knows
      // it is the same conversation.
      rotatedFrom: typeof s.rotatedFrom === "string" ? s.rotatedFrom : null,
      messages: Array.isArray(s.messages) ? s.messages : e.messages,
      outbox: Array.isArray(s.outbox) ? s.outbox : e.outbox,
      readSeq: typeof s.readSeq === "number" ? s.readSeq : 0,
      open: !!s.open,
      offers: s.offers && typeof s.offers === "object" ? s.offers : {},
      signals: Array.isArray(s.signals) ? s.signals : []
    };
  }

  return { create: create, empty: empty, memoryStorage: memoryStorage };
})();
