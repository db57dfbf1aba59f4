/* widget.js: configuration, the public API and the glue between the connection, the
 * transcript and the view. `StoreChat.init(options)` is the one call a shop page makes. */
var STRINGS = {
  open: "Chat with us",
  openUnread: "Chat with us, {n} unread",
  close: "Close chat",
  conversation: "Conversation",
  suggestions: "Suggested replies",
  inputLabel: "Your message",
  placeholder: "Type your message\u2026",
  send: "Send",
  you: "You",
  agent: "Support agent",
  agentName: "{name} (support team)",
  system: "Notice",
  image: "Image from support",
  online: "Online",
  connecting: "Connecting\u2026",
  offline: "Offline, retrying in {s} s",
  sending: "Sending\u2026",
  queuedOffline: "Waiting for connection; will send automatically",
  notSent: "Not sent:",
  editResend: "Edit and resend",
  tooLong: "That message is too long ({n} characters, the limit is {max}). Nothing was sent; please shorten it.",
  typing: "{name} is typing\u2026",
  queued: "Waiting for a person from our team.",
  position: "You're number {n} in the queue.",
  wait: "Expected wait: about {m} min.",
  withAgent: "You're chatting with {name}",
  joined: "{name} has joined the conversation",
  followUp: "A person will follow up by email.",
  restarted: "We couldn't restore your earlier conversation, so a new one has started.",
  expired: "Your earlier conversation had been inactive for a long time, so for your privacy it was closed. This is a new conversation.",
  ended: "That conversation was ended, so a new one has started.",
  endedElsewhere: "This conversation was forgotten in another tab, so a new one has started.",
  slowDown: "You're sending messages faster than we can take them. We'll send the rest in {s} s; nothing is lost.",
  busy: "Many chats are starting from your network right now. We'll connect you in {s} s.",
  held: "Will send in a moment",
  forget: "Forget this conversation",
  forgetAsk: "Remove this conversation from this device and end it?",
  forgetYes: "Forget it",
  forgetNo: "Keep it",
  forgotten: "Done: the conversation was removed from this device and ended. You can start a new one any time.",
  rateAsk: "How did we do? Rate this conversation from 1 (poor) to 5 (excellent).",
  rateScore: "Rate {n} out of 5",
  rateComment: "Anything you'd like to tell us? (optional)",
  rateSend: "Send feedback",
  rateThanks: "Thank you for your feedback."
};

var DEFAULTS = {
  serverUrl: null,
  socketPath: "/socket.io/",
  transports: ["polling", "websocket"],
  title: "Customer support",
  subtitle: "A bot answers at once; a person is a click away.",
  botName: "Support bot",
  greeting: "Hi! I can help with orders, deliveries, returns and payments. What can I do for you?",
  lang: null,
  colors: {},
  strings: {},
  storage: null,
  storageKey: "store-chat",
  signals: {},
  metadata: {},
  startOpen: false,
  container: null,
  maxChars: 4000,
  cacheMessages: 30,
  reconnect: { baseMs: 1000, maxMs: 15000 },
  ackTimeoutMs: 10000,
  io: null,
  debug: false
};

var SIGNAL_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
var MAX_SIGNAL_DETAIL = 512;
var TYPING_EVERY_MS = 2500;

function merge(base, extra) {
  var out = {};
  for (var k in base) out[k] = base[k];
  for (var j in extra || {}) if (extra[j] !== undefined) out[j] = extra[j];
  return out;
}

function createWidget(options, doc) {
  var cfg = merge(DEFAULTS, options);
  cfg.strings = merge(STRINGS, options.strings);
  cfg.reconnect = merge(DEFAULTS.reconnect, options.reconnect);
  cfg.lang = cfg.lang || doc.documentElement.lang || "en";
  cfg.serverUrl = cfg.serverUrl || SCRIPT_ORIGIN || doc.location.origin;
  var io = cfg.io || BUNDLED_IO || window.io;
  if (typeof io !== "function") throw new Error("StoreChat: no socket.io client available");

  var log = function (msg, err) { if (cfg.debug && window.console) console.info("[StoreChat] " + msg, err || ""); };
  var store = SessionStore.create(cfg.storage, cfg.storageKey, log, cfg.cacheMessages);
  var state = store.read();
  var transcript = Transcript.create(state);
  var listeners = {};
  var sentIds = {};
  var status = state.status || { state: "bot" };
  var connState = "connecting";
  var typingSentAt = 0, typingTimer = null, ratingStage = null, conn = null, noticeKind = null;

  function fire(name, detail) {
    (listeners[name] || []).slice().forEach(function (fn) {
      try { fn(detail); } catch (e) { log("listener for " + name + " failed", e); }
    });
  }

  function persist() {
    // Another tab may have queued messages since we last read: keep them (the server
    // dedupes by client id, so adopting them is safe), never overwrite them away.
    var fresh = store.read();
    var known = {};
    state.outbox.forEach(function (o) { known[o.clientId] = true; });
    state.messages.forEach(function (m) { if (m.clientId) known[m.clientId] = true; });
    fresh.outbox.forEach(function (o) { if (!known[o.clientId] && !sentIds[o.clientId]) state.outbox.push(o); });
    state.status = status;
    store.write(state);
  }

  var greeting = { key: "greeting", kind: "greeting", role: "bot", text: cfg.greeting, ts: Date.now(), quickReplies: [] };

  function display(m) {
    if (m.display) return m.display;
    if (m.role === "customer" && m.text.charAt(0) === "/") return transcript.titleFor(m.text) || m.text;
    return m.text;
  }

  function currentQuickReplies() {
    if (state.outbox.length) return [];
    if (status.state === "closed" && ratingStage === "awaiting_score") return [];
    var list = transcript.messages();
    for (var i = list.length - 1; i >= 0; i--) {
      var m = list[i];
      if (m.kind === "join") continue;
      return m.role === "customer" ? [] : m.quickReplies || [];
    }
    return [];
  }

  var receipted = { delivered: 0, read: 0 };
  function receipts() {
    // Tell the agent what reached the screen and what was seen (only ever increasing).
    var seq = transcript.lastSeq();
    var states = view.isOpen() && !doc.hidden ? ["delivered", "read"] : ["delivered"];
    states.forEach(function (st) {
      if (seq > receipted[st] && conn && conn.emit(Protocol.EVENTS.receipt, { seq: seq, state: st })) receipted[st] = seq;
    });
  }

  function render() {
    var messages = transcript.messages();
    view.renderMessages(messages.length || !cfg.greeting ? messages : [greeting], state.outbox, display);
    view.renderQuickReplies(currentQuickReplies());
    if (view.isOpen() && !doc.hidden) transcript.markRead();
    view.setUnread(view.isOpen() ? 0 : transcript.unread());
    receipts();
  }

  function update() {
    render();
    persist();
  }

  function setOpen(open, focus) {
    state.open = open;
    view.setOpen(open, focus);
    update();
    fire(open ? "open" : "close", {});
  }

  function send(text, payload) {
    text = String(text == null ? "" : text);
    if (!text.trim()) return { ok: false, reason: "empty" };
    if (text.length > cfg.maxChars) {
      view.showAlert(cfg.strings.tooLong.replace("{n}", String(text.length)).replace("{max}", String(cfg.maxChars)));
      return { ok: false, reason: "too_long" };
    }
    view.showAlert("");
    // News about the last conversation has been read once the customer writes again.
    if (noticeKind === "forget" || noticeKind === "refused") clearNotice(noticeKind);
    var item = transcript.enqueue(text.trim(), payload);
    if (!payload) view.input.value = "";
    stopTyping();
    update();
    conn.flush();
    return { ok: true, clientId: item.clientId };
  }

  function typingChanged(value) {
    if (!value) return stopTyping();
    var now = Date.now();
    if (now - typingSentAt > TYPING_EVERY_MS) {
      typingSentAt = now;
      conn.emit(Protocol.EVENTS.typing, { typing: true });
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_EVERY_MS * 2);
  }

  function stopTyping() {
    clearTimeout(typingTimer);
    if (!typingSentAt) return;
    typingSentAt = 0;
    conn.emit(Protocol.EVENTS.typing, { typing: false });
  }

  function rate(score, comment) {
    var body = score != null ? { score: score } : { comment: comment };
    conn.emit(Protocol.EVENTS.rating, body, function (ack) {
      if (ack && ack.ok === false) view.showAlert(Protocol.error(ack).message);
    });
  }

  function notice(kind, text) {
    noticeKind = kind;
    view.showNotice(text);
  }

  function clearNotice(kind) {
    if (noticeKind !== kind) return;
    noticeKind = null;
    view.showNotice("");
  }

  /** Empty this page's copy of the conversation (in place: the transcript holds `state`). */
  function resetLocal() {
    store.clear();
    transcript.reset();
    state.sessionId = null;
    state.rotatedFrom = null;
    state.outbox = [];
    state.offers = {};
    state.signals = [];
    status = { state: "bot" };
    ratingStage = null;
    receipted = { delivered: 0, read: 0 };
    view.showAlert("");
    view.setStatus(status);
    view.renderRating(null);
    render();
  }

  /** "Forget this conversation": gone from this device, and ended on the server. */
  function forget() {
    var old = state.sessionId;
    resetLocal();
    conn.forget(old);
    notice("forget", cfg.strings.forgotten);
    fire("forget", {});
    return { ok: true };
  }

  function session() {
    // Another tab may hold a newer id for this conversation (rotated) or another
    // conversation altogether: follow it, and keep the transcript only in the first case.
    var stored = store.read();
    if (stored.sessionId && stored.sessionId !== state.sessionId) {
      if (state.sessionId && stored.rotatedFrom !== state.sessionId) transcript.reset();
      state.sessionId = stored.sessionId;
      state.rotatedFrom = stored.rotatedFrom;
    }
    return { id: state.sessionId, lastSeq: transcript.resumeSeq(), identity: identity };
  }

  function edit(clientId) {
    var list = state.outbox;
    for (var i = 0; i < list.length; i++) {
      if (list[i].clientId !== clientId) continue;
      view.input.value = list[i].text;
      sentIds[clientId] = true; // settled here: no other tab's copy should bring it back
      list.splice(i, 1);
      view.showAlert("");
      update();
      view.input.focus();
      return;
    }
  }

  function signal(name, detail) {
    if (typeof name !== "string" || !SIGNAL_NAME.test(name)) {
      log("signal ignored: the name must be 1-64 letters, digits or _.:-");
      return { ok: false, reason: "bad_name" };
    }
    var json = "";
    try { json = JSON.stringify(detail === undefined ? null : detail) || "null"; } catch (e) { json = "null"; }
    var entry = { name: name, at: Date.now(), detail: json.length <= MAX_SIGNAL_DETAIL ? JSON.parse(json) : { truncated: true } };
    state.signals = state.signals.concat([entry]).slice(-5);
    var offer = cfg.signals[name];
    var offered = false;
    if (offer && offer.text && (offer.repeat || !state.offers[name])) {
      state.offers[name] = entry.at;
      transcript.add({
        key: "offer:" + name + ":" + entry.at, kind: "offer", role: "bot", text: String(offer.text),
        quickReplies: Array.isArray(offer.quickReplies) ? offer.quickReplies : [], ts: entry.at
      });
      offered = true;
      // Open without taking focus: the customer may be typing in the shop's own form.
      if (!view.isOpen()) setOpen(true, false);
    }
    update();
    fire("signal", { name: name, detail: entry.detail, offered: offered });
    return { ok: true, offered: offered };
  }

  function metadataFor() {
    // Recent struggle signals travel with the next message so the bot knows the context.
    var meta = merge(cfg.metadata, {});
    if (state.signals.length) meta.signals = state.signals;
    return meta;
  }

  var view = View.create(doc, merge(cfg, { isOnline: function () { return conn && conn.connected(); } }), {
    toggle: function () { setOpen(!view.isOpen(), true); },
    close: function () { setOpen(false, true); },
    send: function (text) { send(text, null); },
    quickReply: function (q) { send(q.title, q.payload); },
    typing: typingChanged,
    rate: rate,
    edit: edit,
    forget: forget
  });

  conn = Connection.create({
    io: io,
    url: cfg.serverUrl,
    path: cfg.socketPath,
    transports: cfg.transports,
    backoff: cfg.reconnect,
    ackTimeoutMs: cfg.ackTimeoutMs,
    session: session,
    outbox: function () { return state.outbox; },
    metadata: metadataFor,
    on: {
      log: log,
      state: function (name, detail) {
        connState = name;
        view.setConnection(name, detail);
        if (name !== "online") view.setTyping(null);
        render();
        fire("connection", { state: name, attempt: detail.attempt, retryInMs: detail.retryInMs });
      },
      session: function (id, how) {
        // A new id for the same conversation (rotation) keeps the transcript; a refused one
        // starts a fresh one.
        if (how.rotated) state.rotatedFrom = how.requested;
        else if (how.requested && how.requested !== id) { transcript.reset(); state.rotatedFrom = null; }
        state.sessionId = id;
        clearNotice("session");
        update();
      },
      refused: function (why) {
        if (why.reason === "session_expired") notice("refused", cfg.strings.expired);
        else if (why.reason === "session_ended") notice("refused", cfg.strings.ended);
        else view.showAlert(cfg.strings.restarted);
      },
      ended: function () {
        resetLocal();
        notice("refused", cfg.strings.endedElsewhere);
      },
      limited: function (kind, seconds, item) {
        var text = kind === "session" ? cfg.strings.busy : cfg.strings.slowDown;
        notice(kind, text.replace("{s}", String(seconds)));
        if (item) item.held = true;
        render();
      },
      message: function (record) {
        var added = transcript.add(record);
        if (record.role !== "customer") view.setTyping(null);
        if (added) {
          update();
          fire("message", { role: record.role, name: record.name, text: record.text, seq: record.seq });
        }
      },
      resync: function (body) {
        var added = 0;
        body.messages.forEach(function (m) { if (transcript.add(m)) added++; });
        if (added) update();
      },
      sent: function (item, ack) {
        sentIds[item.clientId] = true;
        clearNotice("message");
        transcript.add({
          id: typeof ack.message_id === "string" ? ack.message_id : null,
          seq: typeof ack.seq === "number" ? ack.seq : null,
          role: "customer", text: item.payload || item.text, display: item.text,
          clientId: item.clientId, ts: item.ts, quickReplies: []
        });
        transcript.confirmOutbox(item.clientId);
        update();
      },
      rejected: function (item, err) {
        item.error = err.message;
        view.showAlert(cfg.strings.notSent + " " + err.message);
        update();
      },
      status: function (st) {
        var joined = st.state === "agent" && st.agentName && (status.state !== "agent" || status.agentName !== st.agentName);
        if (joined) transcript.add({ key: "join:" + st.agentName + ":" + Date.now(), kind: "join", role: "agent", name: st.agentName, text: "", ts: Date.now() });
        status = st;
        ratingStage = st.state === "closed" ? st.ratingStage : null;
        view.setStatus(st);
        view.renderRating(ratingStage);
        update();
        fire("status", st);
      },
      typing: function (t) { view.setTyping(t.on && t.role !== "customer" ? t : null); },
      ratingRequest: function () {
        ratingStage = "awaiting_score";
        view.renderRating(ratingStage);
        render();
      },
      serverError: function (err) {
        view.showAlert(err.message);
        fire("error", err);
      }
    }
  });

  // Who the shop's server says the customer is: kept in memory only (never in storage), sent
  // with every session_request and checked by the gateway; a browser cannot forge it.
  var identity = validIdentity(cfg.identity);
  function identify(customerId, hmac, cb) {
    var claim = validIdentity({ customerId: customerId, hmac: hmac });
    if (!claim) {
      var bad = { ok: false, error: { code: "invalid_identity", message: "identify(customerId, hmac) needs two non-empty strings." } };
      if (cb) cb(bad);
      return bad;
    }
    identity = claim;
    var sent = conn.emit("identify", Protocol.identityBody(claim), function (ack) {
      if (!ack || !ack.ok) fire("error", (ack && ack.error) || { code: "invalid_identity" });
      if (cb) cb(ack);
    });
    // Not connected yet: the next session_request carries it.
    return { ok: true, sent: sent };
  }

  function onVisible() { if (!doc.hidden) render(); }
  function onOnline() { conn.nudge(); }
  doc.addEventListener("visibilitychange", onVisible);
  window.addEventListener("online", onOnline);

  view.setStatus(status);
  view.setOpen(!!(state.open || cfg.startOpen), false);
  render();
  conn.start();

  return {
    open: function () { setOpen(true, true); },
    close: function () { setOpen(false, true); },
    toggle: function () { setOpen(!view.isOpen(), true); },
    send: function (text) { return send(text, null); },
    identify: identify,
    signal: signal,
    forget: forget,
    on: function (name, fn) { (listeners[name] = listeners[name] || []).push(fn); return this; },
    off: function (name, fn) { listeners[name] = (listeners[name] || []).filter(function (f) { return f !== fn; }); return this; },
    state: function () {
      return { connection: connState, sessionId: state.sessionId, lastSeq: transcript.lastSeq(), outbox: state.outbox.length, handoff: status };
    },
    destroy: function () {
      conn.stop();
      doc.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("online", onOnline);
      view.destroy();
    }
  };
}

function validIdentity(raw) {
  if (!raw || typeof raw.customerId !== "string" || typeof raw.hmac !== "string") return null;
  if (!raw.customerId || !raw.hmac) return null;
  return { customerId: raw.customerId, hmac: raw.hmac };
}

function injectCss(doc, nonce) {
  if (doc.getElementById("store-chat-css")) return;
  var style = doc.createElement("style");
  style.id = "store-chat-css";
  if (nonce) style.setAttribute("nonce", nonce);
  style.textContent = CSS;
  doc.head.appendChild(style);
}

/* The global: calls made before init (signals, listeners) are queued, as the host page may
 * load the script asynchronously. */
var pending = { signals: [], listeners: [], identity: null };
var instance = null;

var StoreChat = {
  version: VERSION,
  init: function (options) {
    if (instance) instance.destroy();
    injectCss(document, (options || {}).cssNonce);
    instance = createWidget(options || {}, document);
    pending.listeners.forEach(function (l) { instance.on(l[0], l[1]); });
    pending.signals.forEach(function (s) { instance.signal(s[0], s[1]); });
    if (pending.identity) instance.identify(pending.identity[0], pending.identity[1]);
    pending = { signals: [], listeners: [], identity: null };
    return instance;
  },
  signal: function (name, detail) {
    if (instance) return instance.signal(name, detail);
    pending.signals.push([name, detail]);
    return { ok: true, offered: false, queued: true };
  },
  /* A shop whose customer is logged in: its server signs the customer id (HMAC-SHA256 with
   * SHOP_IDENTITY_SECRET) and the page passes both here. */
  identify: function (customerId, hmac, cb) {
    if (instance) return instance.identify(customerId, hmac, cb);
    pending.identity = [customerId, hmac];
    return { ok: true, queued: true };
  },
  on: function (name, fn) {
    if (instance) instance.on(name, fn); else pending.listeners.push([name, fn]);
    return StoreChat;
  },
  open: function () { if (instance) instance.open(); },
  forget: function () { return instance ? instance.forget() : { ok: false, reason: "not_started" }; },
  close: function () { if (instance) instance.close(); },
  instance: function () { return instance; }
};
