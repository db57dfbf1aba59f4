// One modal <dialog> reused for every decision that changes who owns the conversation or
// touches the order: transfer, hand back, close, make it right. A native modal dialog
// traps focus and closes on Escape, so all of it works from the keyboard.

import { el, fill } from "../dom.js";

// Used only when the gateway cannot list the bot's next steps (GET /next-steps).
export const FALLBACK_NEXT_STEPS = [
  { label: "Ask what the customer would like to do next", type: "action", name: "utter_anything_else" },
  { label: "Nothing: wait for the customer", type: "none", name: null },
];

export function createDialogs(doc = document) {
  const dialog = doc.getElementById("dialog");
  const title = doc.getElementById("dialog-title");
  const body = doc.getElementById("dialog-body");
  const error = doc.getElementById("dialog-error");
  const confirm = doc.getElementById("dialog-confirm");
  const cancel = doc.getElementById("dialog-cancel");
  let active = null;

  cancel.addEventListener("click", () => dialog.close("cancel"));
  dialog.addEventListener("close", () => { active = null; });
  doc.getElementById("dialog-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!active) return;
    error.hidden = true;
    confirm.disabled = true;
    try {
      await active();
      dialog.close("done");
    } catch (failure) {
      error.textContent = failure.message || String(failure);
      error.hidden = false;
    } finally {
      confirm.disabled = false;
    }
  });

  /**
   * Show a dialog; `onConfirm()` runs on OK and may throw (the message is shown and the
   * dialog stays open, so nothing the agent chose is lost). Without `confirmLabel` there
   * is no OK button (the body's own buttons act).
   */
  function open({ heading, content, confirmLabel, onConfirm }) {
    title.textContent = heading;
    fill(body, ...content);
    error.hidden = true;
    confirm.hidden = !confirmLabel;
    confirm.textContent = confirmLabel || "OK";
    active = onConfirm || null;
    if (!dialog.open) dialog.showModal();
    (body.querySelector("input, select, textarea, button") || (confirmLabel ? confirm : cancel)).focus();
  }

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  function radios(name, options) {
    return options.map((option, i) => el("label", { class: "option" },
      el("input", { type: "radio", name, value: String(i), checked: i === 0 }), option.label));
  }

  function chosen(name) {
    const input = body.querySelector(`input[name="${name}"]:checked`);
    return input ? Number(input.value) : -1;
  }

  return {
    open,
    showError,
    close: () => dialog.close("cancel"),
    isOpen: () => dialog.open,

    transfer({ team, meId, onTransfer }) {
      const options = [
        { label: "Back to the queue (next available person)", id: null },
        ...team.filter((a) => a.id !== meId && a.presence === "available")
          .map((a) => ({ label: `${a.display_name}`, id: a.id })),
      ];
      open({
        heading: "Transfer this conversation",
        content: [el("p", {}, "The customer is told who takes over. Your notes go with the conversation."), ...radios("transfer", options)],
        confirmLabel: "Transfer",
        onConfirm: () => onTransfer(options[chosen("transfer")].id),
      });
    },

    /** `steps`: [{type, name, label}] from GET /next-steps, the gateway's default first. */
    resolve({ steps, onResolve }) {
      const select = el("select", { id: "next-step-select" },
        ...steps.map((step, i) => el("option", { value: String(i) }, step.label)));
      open({
        heading: "Hand back to the bot",
        content: [
          el("p", {}, "The bot carries on with the whole story. What should it do first?"),
          el("label", { for: "next-step-select" }, "Next step"),
          select,
        ],
        confirmLabel: "Hand back",
        onConfirm: () => {
          const step = steps[Number(select.value)];
          return onResolve({ type: step.type, name: step.name });
        },
      });
    },

    close({ onClose }) {
      open({
        heading: "Close the conversation",
        content: [el("p", {}, "The customer is asked to rate the conversation from 1 to 5 and may leave a comment. The bot does not resume.")],
        confirmLabel: "Close and ask for a rating",
        onConfirm: onClose,
      });
    },
  };
}
