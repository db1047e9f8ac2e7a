// Small helpers to talk to the lab server. Errors carry the server's message.

export class ApiError extends Error {
  constructor(status, detail) {
    const first = Array.isArray(detail) ? detail[0] : detail;
    super(typeof first === "string" ? first : (first && first.message) || `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

async function handle(response) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.detail);
  return body;
}

export const UNREACHABLE = "The lab server cannot be reached: is `neuralab` still running? " +
  "This part will work again once it is back.";

// fetch(), with a failure to connect said in the lab's words (status 0)
async function request(url, options) {
  try {
    return await fetch(url, options);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, UNREACHABLE);
  }
}

export async function getJSON(path, query = {}, { signal } = {}) {
  const qs = new URLSearchParams(query).toString();
  return handle(await request(qs ? `${path}?${qs}` : path, { signal }));
}

export async function postJSON(path, body, { signal } = {}) {
  return handle(await request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  }));
}

export async function fetchParams() {
  return getJSON("/api/params");
}

// A WebSocket URL on the same host as the page.
export function wsURL(path) {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}${path}`;
}

// "Only the newest request counts": `const ask = latest();` then
// `const r = await ask((signal) => getJSON(path, query, { signal }));`. Each call aborts the
// request before it; a superseded call resolves to null (drop it), and only the newest call's
// errors are thrown.
export function latest() {
  let controller = null;
  let newest = 0;
  return async function ask(request) {
    controller?.abort();
    const mine = ++newest;
    const own = (controller = new AbortController());
    try {
      const value = await request(own.signal);
      return mine === newest ? value : null;
    } catch (err) {
      if (mine !== newest || err.name === "AbortError") return null;
      throw err;
    } finally {
      if (controller === own && mine === newest) controller = null;
    }
  };
}
