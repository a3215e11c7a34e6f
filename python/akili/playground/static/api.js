// The server's JSON API (see akili/playground/server.py for the routes).

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, `the server answered with something other than JSON (${response.status})`);
  }
  if (!response.ok) throw new ApiError(response.status, value?.error ?? `HTTP ${response.status}`);
  return value;
}

export const api = {
  options: () => call("GET", "/api/options"),
  create: (config) => call("POST", "/api/sessions", config),
  state: (id) => call("GET", `/api/sessions/${id}`),
  configure: (id, changes) => call("POST", `/api/sessions/${id}/config`, changes),
  frame: (id) => call("POST", `/api/sessions/${id}/frame`, {}),
  step: (id, kind) => call("POST", `/api/sessions/${id}/step`, { kind }),
  addPoint: (id, x, y, label) => call("POST", `/api/sessions/${id}/points`, { x, y, class: label }),
  reset: (id) => call("POST", `/api/sessions/${id}/reset`, {}),
  modelUrl: (id) => `/api/sessions/${id}/model`,
  codeUrl: (id) => `/api/sessions/${id}/code`,
  /** Said when the tab goes away, so the server frees the session at once. */
  close: (id) => navigator.sendBeacon(`/api/sessions/${id}/close`, ""),
};
