/* connection.js: one socket to the gateway, kept alive. It reconnects with exponential
 * backoff and jitter (its own schedule, so the widget can show "retrying in 4 s"), re-sends
 * session_request with the stored id and last seen seq on every (re)connect, and drains the
 * outbox one message at a time, each waiting for the server's ack, so order holds. A
 * `rate_limited` answer keeps the message (or the session request) and tries again after the
 * server's `retry_after`. */
var Connection = (function () {
  var E = Protocol.EVENTS;

  function create(opts) {
    // opts: {io, url, path, transports, backoff: {baseMs, maxMs}, ackTimeoutMs,
    //        session(): {id, lastSeq}, outbox(): item[], metadata(item), on: {...callbacks}}
    var on = opts.on;
    var socket = null;
    var attempt = 0;
    var timer = null;
    var flushing = false;
    var confirmed = false;
    var stopped = false;
    var retryAt = 0;
    // The id the last session_request offered, and whether the server replaced it (rotation).
    var requested = null;
    var rotated = false;
    // Rate limited: nothing is sent before this time (ms), and one timer resumes the drain.
    var holdUntil = 0;
    var holdTimer = null;
    var sessionTimer = null;
    // "Forget" while offline: the session to end as soon as there is a connection.
    var pendingEnd = null;
    // Bumped on every send and every lost connection, so a late ack from an older socket
    // cannot start a second, concurrent drain of the outbox.
    var sendGeneration = 0;

    function state(name) {
      on.state(name, { attempt: attempt, retryInMs: Math.max(0, retryAt - Date.now()) });
    }

    function start() {
      stopped = false;
      socket = opts.io(opts.url, {
        path: opts.path,
        transports: opts.transports,
        reconnection: false,
        forceNew: true,
        timeout: 10000
      });
      socket.on("connect", onConnect);
      socket.on("disconnect", function (reason) { lost("disconnect: " + reason); });
      socket.on("connect_error", function (err) { lost("connect_error: " + (err && err.message)); });
      socket.on(E.sessionConfirm, onConfirm);
      socket.on(E.sessionRefused, function (body) { on.refused(Protocol.refusal(body)); });
      socket.on(E.sessionRotated, function () { rotated = true; });
      socket.on(E.sessionEnded, function () {
        // Another tab forgot this conversation: the server has let go of this socket too.
        confirmed = false;
        requested = null;
        on.ended();
        requestSession();
      });
      socket.on(E.botUttered, function (body) { on.message(Protocol.fromBotUttered(body)); });
      socket.on(E.userMessage, function (m) { on.message(Protocol.fromStored(m || {})); });
      socket.on(E.resync, function (body) { on.resync(Protocol.resync(body)); });
      socket.on(E.status, function (body) { on.status(Protocol.status(body)); });
      socket.on(E.typing, function (body) { on.typing(Protocol.typing(body)); });
      socket.on(E.ratingRequest, function () { on.ratingRequest(); });
      socket.on(E.error, function (body) {
        // Errors answering an emit come back in its ack too; only report the others here.
        var err = Protocol.error(body);
        if (err.clientId) return;
        // A limit on an event sent with an ack is handled where the ack arrives.
        if (err.code === "rate_limited") on.log("rate limited: " + err.message);
        else on.serverError(err);
      });
      state("connecting");
    }

    function onConnect() {
      attempt = 0;
      confirmed = false;
      state("online");
      if (pendingEnd) endSession(pendingEnd);
      requestSession();
    }

    function requestSession() {
      clearTimeout(sessionTimer);
      sessionTimer = null;
      if (!socket || !socket.connected) return;
      var s = opts.session();
      requested = s.id || null;
      rotated = false;
      socket.emit(E.sessionRequest, Protocol.sessionRequest(s.id, s.lastSeq, s.identity), function (ack) {
        if (!ack || ack.ok !== false) return;
        var err = Protocol.error(ack);
        if (err.code === "rate_limited") {
          on.limited("session", err.retryAfter || 5);
          sessionTimer = setTimeout(requestSession, (err.retryAfter || 5) * 1000);
        } else {
          on.serverError(err);
        }
      });
    }

    function onConfirm(body) {
      // Stock Rasa sends the id as a string; tolerate {session_id} too.
      var id = typeof body === "string" ? body : body && body.session_id;
      if (typeof id !== "string" || !id) return;
      confirmed = true;
      on.session(id, { requested: requested, rotated: rotated });
      flush();
    }

    function endSession(id) {
      pendingEnd = null;
      socket.emit(E.endSession, { session_id: id }, function (ack) {
        if (ack && ack.ok === false) on.log("end_session: " + Protocol.error(ack).message);
      });
    }

    /** "Forget this conversation": end `id` on the server (now, or on the next connection)
     *  and start a new session. */
    function forget(id) {
      confirmed = false;
      if (!id) return requestSession();
      if (socket && socket.connected) {
        endSession(id);
        requestSession();
      } else {
        pendingEnd = id;
      }
    }

    function hold(seconds) {
      holdUntil = Date.now() + seconds * 1000;
      clearTimeout(holdTimer);
      holdTimer = setTimeout(function () { holdTimer = null; flush(); }, seconds * 1000);
    }

    function lost(why) {
      confirmed = false;
      flushing = false;
      clearTimeout(sessionTimer);
      sendGeneration += 1;
      if (stopped || timer) return;
      attempt += 1;
      var exp = Math.min(opts.backoff.maxMs, opts.backoff.baseMs * Math.pow(2, attempt - 1));
      var delay = Math.round(exp * (0.75 + Math.random() * 0.5));
      retryAt = Date.now() + delay;
      on.log("connection lost (" + why + "); retry " + attempt + " in " + delay + " ms");
      state("offline");
      timer = setTimeout(retry, delay);
    }

    function retry() {
      timer = null;
      if (stopped) return;
      retryAt = 0;
      state("connecting");
      socket.connect();
    }

    /** Reconnect now (the browser says it is back online, or the customer asked). */
    function nudge() {
      if (stopped || (socket && socket.connected)) return;
      if (timer) { clearTimeout(timer); timer = null; }
      retry();
    }

    function flush() {
      if (flushing || !confirmed || !socket || !socket.connected || Date.now() < holdUntil) return;
      var next = null, box = opts.outbox();
      for (var i = 0; i < box.length; i++) if (!box[i].error) { next = box[i]; break; }
      if (!next) return;
      flushing = true;
      var generation = ++sendGeneration;
      var body = Protocol.userUttered(next, opts.session().id, opts.metadata(next));
      socket.timeout(opts.ackTimeoutMs).emit(E.userUttered, body, function (err, ack) {
        if (generation !== sendGeneration) return;
        flushing = false;
        if (err) {
          // No ack in time: the message stays queued; the server dedupes by client id.
          on.log("no ack for " + next.clientId + "; will retry");
          setTimeout(flush, opts.backoff.baseMs);
          return;
        }
        var err = ack && ack.ok === false ? Protocol.error(ack) : null;
        if (err && err.code === "rate_limited") {
          // Not stored: it stays first in the outbox and goes again when the server says.
          on.limited("message", err.retryAfter || 5, next);
          hold(err.retryAfter || 5);
          return;
        }
        if (err && err.code === "session_required") {
          // The session went away under us (forgotten in another tab): keep it, start anew.
          confirmed = false;
          requestSession();
          return;
        }
        if (err) {
          on.rejected(next, err);
        } else {
          on.sent(next, ack || {});
        }
        flush();
      });
    }

    function emit(event, body, cb) {
      if (!socket || !socket.connected || !confirmed) {
        if (cb) cb({ ok: false, error: { code: "offline", message: "Not connected." } });
        return false;
      }
      if (cb) {
        socket.timeout(opts.ackTimeoutMs).emit(event, body, function (err, ack) {
          cb(err ? { ok: false, error: { code: "timeout", message: "No answer from the server." } } : ack || { ok: true });
        });
      } else {
        socket.emit(event, body);
      }
      return true;
    }

    function stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      clearTimeout(holdTimer);
      clearTimeout(sessionTimer);
      timer = null;
      if (socket) socket.disconnect();
    }

    return {
      start: start,
      stop: stop,
      flush: flush,
      nudge: nudge,
      emit: emit,
      forget: forget,
      connected: function () { return !!(socket && socket.connected && confirmed); }
    };
  }

  return { create: create };
})();
