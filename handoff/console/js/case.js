// Reads a context summary (handoff/summary/build.py, built at escalation) into the fixed shape the
// screen shows. The summary is owned by another module and may grow or be partial (the
// gateway falls back to a transcript-only summary when Rasa or the store is down), so every
// field is optional here and missing facts are shown as missing, never invented.

const first = (object, keys) => {
  if (!object || typeof object !== "object") return undefined;
  for (const key of keys) {
    const value = key.split(".").reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), object);
    if (value !== undefined && value !== null && value !== "") return value;
  }
  return undefined;
};

const list = (value) => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** A line of text from a string or from an object with one of the usual text fields. */
export function textOf(value) {
  if (value === undefined || value === null) return "";
  if (typeof value === "string" || typeof value === "number") return String(value);
  return String(first(value, ["text", "summary", "detail", "description", "label", "name", "title"]) ?? "");
}

function level(point) {
  // The conversation's level (what escalation compares to its threshold), else this message's.
  const raw = first(point, ["frustration_level", "frustration", "level", "intensity"]);
  const number = Number(raw);
  return Number.isFinite(number) ? Math.max(0, Math.min(1, number)) : 0;
}

function trajectory(summary) {
  const raw = list(first(summary, ["feelings", "emotion_trajectory", "trajectory"]));
  return raw
    .filter((p) => p && typeof p === "object")
    .map((p, i) => ({
      turn: first(p, ["turn", "index"]) ?? i + 1,
      emotion: String(first(p, ["emotion", "label"]) ?? "neutral"),
      level: level(p),
      // `words` are the words behind the feeling; `text` the whole message.
      words: list(first(p, ["words", "evidence"])).map(textOf).filter(Boolean).join(", ") || textOf(first(p, ["text"])),
    }));
}

function orderFacts(order) {
  if (!order || typeof order !== "object") return [];
  const rows = [
    ["Order", first(order, ["order_id", "id"])],
    ["Items", list(first(order, ["items", "item_names"])).map(textOf).join(", ")],
    ["Status", first(order, ["state", "status"])],
    ["Total", first(order, ["total", "amount"])],
    ["Placed", first(order, ["placed_on", "placed_at"])],
    ["Promised", first(order, ["promised_date", "promised_on", "expected_delivery"])],
    ["Days late", Number(first(order, ["days_late"])) > 0 ? first(order, ["days_late"]) : undefined],
    ["Shipping", [first(order, ["shipping_method"]), first(order, ["carrier"])].filter(Boolean).join(", ")],
    ["Tracking", first(order, ["tracking_number"])],
    ["Last scan", first(order, ["last_scan"])],
    ["Delivered", first(order, ["delivered_on"])],
    ["Issues", list(first(order, ["reported_issues", "issues"])).map(textOf).join("; ")],
    ["Refunds", list(first(order, ["refunds"])).map(textOf).join("; ")],
  ];
  return rows.filter(([, value]) => value !== undefined && value !== null && String(value) !== "")
    .map(([label, value]) => [label, String(value)]);
}

/** Reason codes from plain strings or the summary's {code, detail, ...} objects. */
function reasonCodes(raw) {
  return [...new Set(list(raw).map((r) => (r && typeof r === "object" ? first(r, ["code"]) : r)).filter(Boolean).map(String))];
}

/** Everything the case screen and the queue row show, from one summary. */
export function readCase(summary = {}, { reasons = [], evidence = [] } = {}) {
  const s = summary && typeof summary === "object" ? summary : {};
  const customer = first(s, ["customer"]) || {};
  const order = first(s, ["order", "order_facts"]);
  // handoff/summary/build.py: stakes is {stakes, deadline, deadline_label, days_to_deadline, urgent}.
  const stakesInfo = first(s, ["stakes"]);
  const stakes = stakesInfo && typeof stakesInfo === "object" ? stakesInfo.stakes : stakesInfo;
  const deadline = first(s, ["stakes.deadline", "deadline"]);
  const steps = list(first(s, ["bot_steps"])).filter((step) => step && typeof step === "object");
  const stepsOf = (...kinds) => steps.filter((step) => kinds.includes(step.kind)).map((step) => textOf(step.text));
  return {
    partial: Boolean(s.partial),
    customerName: first(customer, ["name", "full_name"]) ?? first(s, ["customer_name"]) ?? null,
    customerSince: first(customer, ["customer_since", "since"]) ?? null,
    customerEmail: first(customer, ["email"]) ?? null,
    recentOrders: list(first(customer, ["recent_orders"])).map((o) =>
      typeof o === "object" ? [first(o, ["order_id"]), first(o, ["state"]), first(o, ["total"])].filter(Boolean).join(" · ") : String(o)),
    problem: textOf(first(s, ["problem", "problem_sentence", "one_sentence"])),
    order: orderFacts(order),
    trajectory: trajectory(s),
    threshold: Number.isFinite(Number(first(s, ["frustration_threshold"])))
      ? Number(first(s, ["frustration_threshold"])) : null,
    stakes: typeof stakes === "string" ? stakes : null,
    deadline: typeof deadline === "string" ? deadline : null,
    deadlineLabel: textOf(first(s, ["stakes.deadline_label"])) || null,
    urgent: first(s, ["stakes.urgent"]) === true,
    botDid: stepsOf("did", "store", "accepted", "declined").filter(Boolean),
    botOffered: stepsOf("offered").filter(Boolean),
    botSaid: stepsOf("said").filter(Boolean),
    reasons: reasonCodes(first(s, ["escalation_reasons", "reasons"]) ?? reasons),
    evidence: list(first(s, ["evidence"]) ?? first(s, ["reasons"]) ?? evidence)
      .map((e) => textOf(first(e, ["evidence_text", "message"]) ?? (typeof e === "string" ? e : ""))).filter(Boolean),
    storeNote: textOf(first(s, ["store_note"])) || null,
    nextStep: textOf(first(s, ["next_step", "suggested_next_step"])),
    openingLine: textOf(first(s, ["opening_line", "suggested_opening_line"])),
  };
}

/** The latest customer message in a transcript (for suggestions and the queue row). */
export function latestCustomerText(transcript = []) {
  for (let i = transcript.length - 1; i >= 0; i -= 1) {
    if (transcript[i] && transcript[i].role === "customer" && transcript[i].text) return transcript[i].text;
  }
  return "";
}
