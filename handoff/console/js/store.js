// One observable state object per console (created in main.js, passed explicitly).
// Views subscribe to it and re-render the parts they own.

export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    /** `change(state)` returns the parts that changed; listeners hear the new state. */
    update(change) {
      state = { ...state, ...change(state) };
      for (const listener of listeners) listener(state);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
