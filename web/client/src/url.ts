// Where the server is: baseUrl as given ("http://host:8000", "wss://host/pulse"), else the page's
// origin. WebSocket URLs use ws/wss, HTTP ones http/https.

function base(baseUrl: string | undefined): URL {
  if (baseUrl !== undefined) {
    try {
      return new URL(baseUrl);
    } catch {
      throw new TypeError(`baseUrl: not a URL: ${JSON.stringify(baseUrl)}`);
    }
  }
  const location = (globalThis as { location?: { href: string } }).location;
  if (!location) throw new TypeError("baseUrl: required outside a browser (e.g. \"http://localhost:8000\")");
  return new URL("/", location.href);
}

const httpScheme: Record<string, string> = { "http:": "http:", "https:": "https:", "ws:": "http:", "wss:": "https:" };
const wsScheme: Record<string, string> = { "http:": "ws:", "https:": "wss:", "ws:": "ws:", "wss:": "wss:" };

// serverUrl joins baseUrl's path (a prefix behind a proxy) and path (with its query, if any, and
// its segments already encoded), with the scheme of kind.
export function serverUrl(baseUrl: string | undefined, path: string, kind: "http" | "ws"): URL {
  const b = base(baseUrl);
  const scheme = (kind === "ws" ? wsScheme : httpScheme)[b.protocol];
  if (!scheme) throw new TypeError(`baseUrl: scheme must be http, https, ws or wss, got ${b.protocol}`);
  const u = new URL(b.href);
  u.protocol = scheme;
  const q = path.indexOf("?");
  u.pathname = b.pathname.replace(/\/+$/, "") + (q < 0 ? path : path.slice(0, q));
  u.search = q < 0 ? "" : path.slice(q);
  u.hash = "";
  return u;
}
