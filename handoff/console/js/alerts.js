// How a new escalation reaches an agent who is looking elsewhere: a short chime (generated
// with Web Audio, so there is no sound file to fetch), a count in the tab title and favicon,
// and a desktop notification when the agent allowed them. Plus in-page toasts for results
// and errors, announced to screen readers.

import { el } from "./dom.js";

const BASE_TITLE = "Agent console";
const TOAST_MS = 6000;

export function createAlerts({ doc = document, win = window, toastRoot }) {
  let audio = null;

  function chime() {
    try {
      const Context = win.AudioContext || win.webkitAudioContext;
      if (!Context) return false;
      audio = audio || new Context();
      const now = audio.currentTime;
      for (const [offset, frequency] of [[0, 880], [0.16, 1175]]) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, now + offset);
        gain.gain.exponentialRampToValueAtTime(0.2, now + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.14);
        osc.connect(gain).connect(audio.destination);
        osc.start(now + offset);
        osc.stop(now + offset + 0.15);
      }
      return true;
    } catch {
      return false; // autoplay rules or no audio device: the other signals still fire
    }
  }

  function drawFavicon(count) {
    const link = doc.getElementById("favicon");
    const canvas = doc.createElement("canvas");
    canvas.width = canvas.height = 32;
    const ctx = canvas.getContext && canvas.getContext("2d");
    if (!link || !ctx) return;
    ctx.fillStyle = "#1f5fbf";
    ctx.beginPath();
    ctx.arc(16, 16, 15, 0, Math.PI * 2);
    ctx.fill();
    if (count > 0) {
      ctx.fillStyle = "#fff";
      ctx.font = "bold 18px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(count > 9 ? "9+" : String(count), 16, 17);
    }
    link.href = canvas.toDataURL("image/png");
  }

  /** The tab badge: "(3) Agent console" while 3 conversations wait. */
  function setBadge(count) {
    doc.title = count > 0 ? `(${count}) ${BASE_TITLE}` : BASE_TITLE;
    drawFavicon(count);
  }

  function desktop(title, body) {
    if (!("Notification" in win) || win.Notification.permission !== "granted") return false;
    try {
      const note = new win.Notification(title, { body, tag: "escalation" });
      note.onclick = () => win.focus();
      return true;
    } catch {
      return false;
    }
  }

  async function askPermission() {
    if (!("Notification" in win)) return "unsupported";
    if (win.Notification.permission !== "default") return win.Notification.permission;
    return win.Notification.requestPermission();
  }

  function toast(text, kind = "info") {
    const node = el("div", { class: `toast ${kind}` }, text);
    toastRoot.append(node);
    win.setTimeout(() => node.remove(), TOAST_MS);
    return node;
  }

  /** Every signal at once for one new escalation; returns which ones fired (for tests). */
  function newEscalation(title, body) {
    const fired = { sound: chime(), desktop: desktop(title, body) };
    toast(`${title}: ${body}`, "info");
    return fired;
  }

  return { setBadge, newEscalation, askPermission, toast };
}
