// The agent API (docs/agent-api.md): REST for the login and the team, the /agent socket.io
// namespace for everything live. Every failure becomes an ApiError with the gateway's code
// and message, so the screen can always say what went wrong.

export const API_PREFIX = "/api/agent";
const ACK_TIMEOUT_MS = 10000;

export class ApiError extends Error {
  constructor(code, message, status = 0) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** REST calls with the bearer token. `fetchImpl` and `getToken` are injected (tests, storage). */
export function createRestClient({ fetchImpl = window.fetch.bind(window), getToken, baseUrl = "" }) {
  async function request(method, path, body) {
    const headers = { Accept: "application/json" };
    const token = getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetchImpl(`${baseUrl}${API_PREFIX}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError("network", "The gateway cannot be reached. Check your connection and try again.");
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = data && data.error ? data.error : {};
      throw new ApiError(
        error.code || `http_${response.status}`,
        error.message || `The gateway answered ${response.status}.`,
        response.status,
      );
    }
    return data || {};
  }

  // Endpoints the console asked for in docs/console-needs.md. A 404/405 means "not on this
  // gateway yet": remembered per feature, so we ask once and then say so without a request.
  const unsupported = new Set();
  async function optional(feature, method, path, body) {
    if (unsupported.has(feature)) throw new ApiError("unsupported", `${feature} is not available on this gateway yet.`, 404);
    try {
      return await request(method, path, body);
    } catch (error) {
      if (error.status === 404 && error.code !== "not_found") unsupported.add(feature);
      if (error.status === 405) unsupported.add(feature);
      throw error;
    }
  }

  return {
    login: (username, password) => request("POST", "/login", { username, password }),
    logout: () => request("POST", "/logout"),
    me: () => request("GET", "/me"),
    agents: () => request("GET", "/agents"),
    queue: () => request("GET", "/queue"),
    conversation: (id) => request("GET", `/conversations/${encodeURIComponent(id)}`),
    optional,
  };
}

/**
 * Open the /agent namespace with the token. `handlers` maps server events to functions;
 * `onStatus` hears "connected" / "reconnecting" / "refused". Returns `call(event, data)`,
 * a promise of the ack that rejects with ApiError when `ok` is false or nothing answers.
 */
export function connectAgentSocket({ io, url = "", token, handlers, onStatus }) {
  const socket = io(`${url}/agent`, {
    auth: { token },
    transports: ["websocket", "polling"],
    reconnectionDelayMax: 5000,
  });
  for (const [event, handler] of Object.entries(handlers)) socket.on(event, handler);
  socket.on("connect", () => onStatus("connected"));
  socket.on("disconnect", (reason) => {
    if (reason === "io client disconnect") {
      onStatus("closed");
      return;
    }
    onStatus("reconnecting");
    // socket.io does not retry after the server dropped us; we do, and a token that is no
    // longer valid then comes back as a refusal (→ the login form).
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", (error) => {
    // A refused connection (bad or expired token) carries the gateway's error as data:
    // error.data = {code, message} (the gateway raises a two-argument ConnectionRefusedError).
    const data = (error && error.data) || {};
    const text = String((error && error.message) || "");
    const code = data.code;
    if (code) onStatus("refused", new ApiError(code, data.message || text || "Your session expired; log in again."));
    else if (!socket.active) onStatus("refused", new ApiError("refused", text || "The gateway refused the connection."));
    else onStatus("reconnecting");
  });

  function call(event, data = {}) {
    return new Promise((resolve, reject) => {
      if (!socket.connected) {
        reject(new ApiError("offline", "Not connected to the gateway right now; try again in a moment."));
        return;
      }
      socket.timeout(ACK_TIMEOUT_MS).emit(event, data, (timeoutError, answer) => {
        if (timeoutError) {
          reject(new ApiError("timeout", `The gateway did not answer '${event}' in time.`));
        } else if (!answer || answer.ok !== true) {
          const error = (answer && answer.error) || {};
          reject(new ApiError(error.code || "error", error.message || `'${event}' failed.`));
        } else {
          resolve(answer);
        }
      });
    });
  }

  return { call, close: () => socket.disconnect(), isConnected: () => socket.connected };
}
