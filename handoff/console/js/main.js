// Entry point: builds the console's dependencies from the browser and starts it. The login
// token lives in sessionStorage (this tab only, gone when the tab closes).

import { io } from "../vendor/socket.io.esm.min.js";
import { createRestClient } from "./api.js";
import { createAlerts } from "./alerts.js";
import { createConsole } from "./controller.js";
import { bindLogin } from "./views/login.js";

const TOKEN_KEY = "agent-console.token";

function sessionStore(storage) {
  return {
    get: (key) => storage.getItem(key),
    set: (key, value) => storage.setItem(key, value),
    remove: (key) => storage.removeItem(key),
  };
}

function boot(doc, win) {
  const session = sessionStore(win.sessionStorage);
  const rest = createRestClient({ getToken: () => session.get(TOKEN_KEY) });
  const alerts = createAlerts({ doc, win, toastRoot: doc.getElementById("toasts") });
  const loginView = doc.getElementById("login-view");
  const consoleView = doc.getElementById("console-view");

  const app = createConsole({
    doc, win, io, rest, alerts,
    // A fresh page is the simplest way to be sure nothing of the last login stays behind.
    onLoggedOut: () => {
      session.remove(TOKEN_KEY);
      win.location.reload();
    },
  });

  function show(agent, token) {
    loginView.hidden = true;
    consoleView.hidden = false;
    app.start(agent, token);
  }

  bindLogin({
    doc, rest,
    onLoggedIn: (login) => {
      session.set(TOKEN_KEY, login.token);
      show({ ...login.agent, max_chats: login.max_chats_per_agent ?? login.agent.max_chats }, login.token);
    },
  });

  const token = session.get(TOKEN_KEY);
  if (!token) {
    doc.getElementById("login-username").focus();
    return;
  }
  rest.me().then(
    (me) => show({ ...me.agent, max_chats: me.max_chats_per_agent ?? me.agent.max_chats }, token),
    () => {
      session.remove(TOKEN_KEY);
      doc.getElementById("login-username").focus();
    },
  );
}

boot(document, window);
