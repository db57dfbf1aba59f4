/* connection.js: one socket to the gateway, kept alive. It reconnects with exponential
 * backoff and jitter (its own schedule, so the widget can show "retrying in 4 s"), re-sends
 * session_request with the stored id and last seen seq on every (re)connect, and drains the
 * outbox one message at a time, each waiting for the server's ack, so order holds. */
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
      socket.on(E.sessionRefused, function (body) { on.refused(body || {}); });
      socket.on(E.botUttered, function (body) { on.message(Protocol.fromBotUttered(body)); });
      socket.on(E.userMessage, function (m) { on.message(Protocol.fromStored(m || {})); });
      socket.on(E.resync, function (body) { on.resync(Protocol.resync(body)); });
      socket.on(E.status, function (body) { on.status(Protocol.status(body)); });
      socket.on(E.typing, function (body) { on.typing(Protocol.typing(body)); });
      socket.on(E.ratingRequest, function () { on.ratingRequest(); });
      socket.on(E.error, function (body) {
        // Errors answering an emit come back in its ack too; only report the others here.
        var err = Protocol.error(body);
        if (!err.clientId) on.serverError(err);
      });
      state("connecting");
    }

    function onConnect() {
      attempt = 0;
      confirmed = false;
      state("online");
      var s = opts.session();
      socket.emit(E.sessionRequest, Protocol.sessionRequest(s.id, s.lastSeq, s.identity));
    }

    function onConfirm(body) {
      // Stock Rasa sends the id as a string; tolerate {session_id} too.
      var id = typeof body === "string" ? body : body && body.session_id;
      if (typeof id !== "string" || !id) return;
      confirmed = true;
      on.session(id);
      flush();
    }

    function lost(why) {
      confirmed = false;
      flushing = false;
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
      if (flushing || !confirmed || !socket || !socket.connected) return;
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
        if (ack && ack.ok === false) {
          on.rejected(next, Protocol.error(ack));
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
      timer = null;
      if (socket) socket.disconnect();
    }

    return {
      start: start,
      stop: stop,
      flush: flush,
      nudge: nudge,
      emit: emit,
      connected: function () { return !!(socket && socket.connected && confirmed); }
    };
  }

  return { create: create };
})();
