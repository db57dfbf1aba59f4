// Client ids make a repeated request harmless: the gateway carries out a message or a remedy
// with the same id once, so a retry after a lost answer never sends or refunds twice.

export function newClientId(win) {
  return win.crypto && win.crypto.randomUUID ? win.crypto.randomUUID() : `c-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
