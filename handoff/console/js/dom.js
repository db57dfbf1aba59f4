// Small DOM helpers. Everything a customer, agent or the bot wrote goes through text nodes
// (textContent), never innerHTML, so message text can never become markup or script.

/**
 * Create an element. `props` sets attributes (`class`, `aria-*`, `data-*`...), DOM
 * properties (`hidden`, `disabled`, `value`) and listeners (`onclick`...). Children are
 * nodes or strings; strings become text nodes.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      node.className = value;
    } else if (key in node && !key.includes("-")) {
      node[key] = value;
    } else {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace every child of `node` with `children`. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** "2 min", "1 h 5 min", "40 s": waiting times the way people say them. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return rest ? `${Math.floor(minutes / 60)} h ${rest} min` : `${Math.floor(minutes / 60)} h`;
}

/** Clock time of a Unix timestamp in seconds (the gateway's unit). */
export function formatClock(timestamp) {
  const date = new Date(Number(timestamp) * 1000);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** "in 2 days", "today", "1 day ago" from an ISO date, relative to `now` (ms). */
export function describeDeadline(isoDate, now = Date.now()) {
  if (typeof isoDate !== "string" || !isoDate) return null;
  const day = Date.parse(`${isoDate.slice(0, 10)}T00:00:00`);
  if (Number.isNaN(day)) return isoDate;
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  const days = Math.round((day - today.getTime()) / 86400000);
  const when = days === 0 ? "today" : days === 1 ? "tomorrow" : days > 1 ? `in ${days} days`
    : days === -1 ? "yesterday" : `${-days} days ago`;
  return `${isoDate.slice(0, 10)} (${when})`;
}

// The escalation policy's reason codes (handoff/escalation/policy.py ReasonCode) in the
// words an agent uses; unknown codes fall back to their spelled-out form.
const REASON_WORDS = {
  request_human: "asked for a person",
  asked_for_person: "asked for a person",
  risk_safety: "safety risk",
  risk_legal: "legal or chargeback threat",
  high_stakes: "high stakes",
  frustration: "frustrated",
  failed_understanding: "bot didn't understand",
};

/** Human words for machine codes: "request_human" → "asked for a person". */
export function humanize(code) {
  const text = String(code ?? "").trim();
  return REASON_WORDS[text] || text.replace(/[_-]+/g, " ");
}

/**
 * True when `root` already shows `data` (compared as JSON); records it otherwise. Lets a
 * view skip rebuilding, so focus, selection and live-region announcements are left alone.
 */
export function unchanged(root, data) {
  const version = JSON.stringify(data);
  if (root.dataset.version === version) return true;
  root.dataset.version = version;
  return false;
}
