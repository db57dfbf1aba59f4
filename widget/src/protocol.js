/* protocol.js: the one place that knows the gateway's wire format.
 * Rasa's socket.io channel (session_request / session_confirm / user_uttered / bot_uttered)
 * plus the gateway's documented extras (message ids, seq, sender, typing, handoff_status,
 * resync, message_ack). Everything else in the widget sees only the normalised records
 * built here, so aligning with a protocol change touches this file alone. */
var Protocol = (function () {
  var EVENTS = {
    sessionRequest: "session_request",
    sessionConfirm: "session_confirm",
    sessionRefused: "session_refused",
    sessionRotated: "session_rotated",
    sessionEnded: "session_ended",
    endSession: "end_session",
    userUttered: "user_uttered",
    botUttered: "bot_uttered",
    userMessage: "user_message",
    ack: "message_ack",
    typing: "typing",
    status: "handoff_status",
    resync: "resync",
    error: "handoff_error",
    rating: "rating",
    ratingRequest: "rating_request",
    receipt: "message_receipt"
  };
  var ROLES = ["customer", "bot", "agent", "system"];

  function toMillis(ts) {
    // The gateway sends seconds (float); tolerate milliseconds and missing values.
    if (typeof ts !== "number" || !isFinite(ts)) return Date.now();
    return ts < 1e12 ? Math.round(ts * 1000) : ts;
  }

  function quickReplies(list) {
    if (!Array.isArray(list)) return [];
    var out = [];
    for (var i = 0; i < list.length && out.length < 12; i++) {
      var q = list[i] || {};
      var title = typeof q.title === "string" ? q.title : "";
      var payload = typeof q.payload === "string" ? q.payload : title;
      if (title) out.push({ title: title, payload: payload });
    }
    return out;
  }

  function imageOf(attachment) {
    // Rasa's send_image_url: {type: "image", payload: {src}}.
    if (!attachment || attachment.type !== "image" || !attachment.payload) return null;
    var src = attachment.payload.src;
    return typeof src === "string" ? src : null;
  }

  function role(value, fallback) {
    return ROLES.indexOf(value) >= 0 ? value : fallback;
  }

  function seqOf(value) {
    return typeof value === "number" && value > 0 && Math.floor(value) === value ? value : null;
  }

  /** A live `bot_uttered` (stock Rasa or gateway) as a record. The gateway's extras may sit
   *  at the top level or under `metadata` (where stock rasa-webchat tolerates them). */
  function fromBotUttered(body) {
    body = body && typeof body === "object" ? body : { text: String(body) };
    var meta = body.metadata && typeof body.metadata === "object" ? body.metadata : {};
    var extra = function (key) { return body[key] !== undefined ? body[key] : meta[key]; };
    var sender = extra("sender") || {};
    return {
      id: typeof extra("message_id") === "string" ? extra("message_id") : null,
      seq: seqOf(extra("seq")),
      role: role(sender.role, "bot"),
      name: typeof sender.name === "string" ? sender.name : null,
      text: typeof body.text === "string" ? body.text : "",
      quickReplies: quickReplies(body.quick_replies || body.buttons),
      image: imageOf(body.attachment),
      clientId: null,
      ts: toMillis(extra("timestamp"))
    };
  }

  /** A stored message (resync, another tab's `user_message`) as a record. */
  function fromStored(m) {
    var payload = (m && m.payload) || {};
    return {
      id: typeof m.id === "string" ? m.id : null,
      seq: seqOf(m.seq),
      role: role(m.role, "bot"),
      name: typeof m.sender_name === "string" ? m.sender_name : null,
      text: typeof m.text === "string" ? m.text : "",
      quickReplies: quickReplies(payload.quick_replies || payload.buttons),
      image: imageOf(payload.attachment),
      clientId: typeof m.client_id === "string" ? m.client_id : null,
      ts: toMillis(m.created_at)
    };
  }

  /** `handoff_status` as {state, agentName, position, waitSeconds, ratingStage, followUp}. */
  function status(body) {
    body = body || {};
    return {
      state: typeof body.state === "string" ? body.state : "bot",
      agentName: typeof body.agent_name === "string" ? body.agent_name : null,
      position: typeof body.position === "number" ? body.position : null,
      waitSeconds: typeof body.estimated_wait_seconds === "number" ? body.estimated_wait_seconds : null,
      ratingStage: typeof body.rating_stage === "string" ? body.rating_stage : null,
      followUp: !!body.follow_up
    };
  }

  function typing(body) {
    body = body || {};
    return { role: role(body.role, "bot"), name: body.name || null, on: !!body.typing };
  }

  function sessionRequest(sessionId, lastSeq, identity) {
    // Stock Rasa reads session_id; the gateway also replays what came after last_seq, and
    // checks a signed identity from the shop's server (docs/widget.md, "Signed-in customers").
    var body = { session_id: sessionId || null, last_seq: lastSeq || 0 };
    if (identity) body.identity = identityBody(identity);
    return body;
  }

  function identityBody(identity) {
    return { customer_id: String(identity.customerId), hmac: String(identity.hmac) };
  }

  function userUttered(item, sessionId, metadata) {
    return {
      message: item.payload || item.text,
      session_id: sessionId,
      message_id: item.clientId,
      metadata: metadata
    };
  }

  function resyncBody(body) {
    body = body || {};
    var list = Array.isArray(body.messages) ? body.messages : [];
    return { messages: list.map(fromStored), lastSeq: seqOf(body.last_seq) || 0 };
  }

  function errorMessage(body) {
    var e = (body && body.error) || {};
    return {
      code: typeof e.code === "string" ? e.code : "error",
      message: typeof e.message === "string" ? e.message : "The server refused that.",
      clientId: body && typeof body.client_id === "string" ? body.client_id : null,
      // rate_limited: whole seconds until the gateway takes it again.
      retryAfter: typeof e.retry_after === "number" && e.retry_after > 0 ? Math.min(e.retry_after, 3600) : null
    };
  }

  /** `session_refused`: why the stored id did not open its conversation. */
  function refusal(body) {
    body = body || {};
    return {
      reason: typeof body.reason === "string" ? body.reason : "unknown_session",
      message: typeof body.message === "string" ? body.message : ""
    };
  }

  return {
    EVENTS: EVENTS,
    fromBotUttered: fromBotUttered,
    fromStored: fromStored,
    status: status,
    typing: typing,
    sessionRequest: sessionRequest,
    identityBody: identityBody,
    userUttered: userUttered,
    resync: resyncBody,
    error: errorMessage,
    refusal: refusal
  };
})();
