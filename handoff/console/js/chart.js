// The emotion trajectory as a small inline SVG: frustration (0..1) per customer turn, a dot
// coloured by the detected emotion, and the escalation threshold as a dashed line.
// Built with createElementNS and attributes only, so no text becomes markup.

const SVG = "http://www.w3.org/2000/svg";
const EMOTION_COLOURS = {
  frustrated: "#c0392b", angry: "#c0392b", anxious: "#d98e04", sad: "#6c5ce7",
  confused: "#2e86c1", positive: "#1c7c3a", neutral: "#7f8c8d",
};

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

export function emotionColour(emotion) {
  return EMOTION_COLOURS[String(emotion || "neutral").toLowerCase()] || EMOTION_COLOURS.neutral;
}

/**
 * `points`: [{turn, emotion, level}] with level in 0..1. Returns an <svg> with a <title>
 * describing the whole trajectory in words for screen readers.
 */
export function trajectoryChart(points, { width = 360, height = 76, threshold = null } = {}) {
  const pad = { left: 22, right: 8, top: 6, bottom: 16 };
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "trajectory-title" });
  const title = svg("title", { id: "trajectory-title" });
  title.textContent = points.length
    ? `Emotion over ${points.length} customer turns: ` +
      points.map((p) => `turn ${p.turn} ${p.emotion || "neutral"} ${Math.round(p.level * 100)}%`).join(", ")
    : "No emotion data for this conversation";
  root.append(title);
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const y = (level) => pad.top + innerH * (1 - Math.max(0, Math.min(1, level)));
  const x = (i) => pad.left + (points.length <= 1 ? innerW / 2 : (innerW * i) / (points.length - 1));

  root.append(svg("line", { x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0), stroke: "#d9dde4" }));
  for (const [level, label] of [[0, "0"], [1, "1"]]) {
    const text = svg("text", { x: 2, y: y(level) + 4, "font-size": 9, fill: "#5b6575" });
    text.textContent = label;
    root.append(text);
  }
  if (typeof threshold === "number") {
    root.append(svg("line", {
      x1: pad.left, y1: y(threshold), x2: width - pad.right, y2: y(threshold),
      stroke: "#c0392b", "stroke-dasharray": "3 3", "stroke-width": 1, class: "threshold",
    }));
  }
  if (points.length > 1) {
    root.append(svg("polyline", {
      points: points.map((p, i) => `${x(i)},${y(p.level)}`).join(" "),
      fill: "none", stroke: "#1f5fbf", "stroke-width": 2,
    }));
  }
  points.forEach((p, i) => {
    const dot = svg("circle", { cx: x(i), cy: y(p.level), r: 4, fill: emotionColour(p.emotion), class: "point" });
    const tip = svg("title");
    tip.textContent = `Turn ${p.turn}: ${p.emotion || "neutral"}, ${Math.round(p.level * 100)}%` +
      (p.words ? ` — "${p.words}"` : "");
    dot.append(tip);
    root.append(dot);
    const label = svg("text", { x: x(i) - 3, y: height - 3, "font-size": 9, fill: "#5b6575" });
    label.textContent = String(p.turn);
    root.append(label);
  });
  return root;
}
