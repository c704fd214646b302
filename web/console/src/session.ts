// Who the console acts as: the pasted token, the name used when auth is off, and whether the
// server asks for credentials at all. The token is kept in localStorage and shared by every tab
// of the console (a token pasted or forgotten in one tab is used or forgotten in all).

const TOKEN_KEY = "pulse.token";
const NAME_KEY = "pulse.name";
// How long before the token's exp the console warns that it is about to expire.
export const EXPIRY_WARNING_MS = 5 * 60_000;

export interface Claims {
  sub?: string;
  exp?: number;
  pulse?: { rowdata?: string[]; alarms?: string[]; ack?: boolean };
}

type Listener = () => void;

export class Session {
  token = localStorage.getItem(TOKEN_KEY) ?? "";
  name = localStorage.getItem(NAME_KEY) || "console";
  // Learned from the server: a 401 without a token means auth is on.
  authOn = false;
  private listeners: Listener[] = [];
  private timers: ReturnType<typeof setTimeout>[] = [];

  constructor() {
    // A token kept per tab by an older console moves to the shared place.
    const old = sessionStorage.getItem(TOKEN_KEY);
    if (old && !this.token) {
      this.token = old;
      localStorage.setItem(TOKEN_KEY, old);
    }
    sessionStorage.removeItem(TOKEN_KEY);
    // Another tab pasted or forgot a token.
    addEventListener("storage", (ev) => {
      if (ev.key === TOKEN_KEY || ev.key === null) {
        const token = localStorage.getItem(TOKEN_KEY) ?? "";
        if (token !== this.token) {
          this.token = token;
          this.changed();
        }
      } else if (ev.key === NAME_KEY) {
        this.name = localStorage.getItem(NAME_KEY) || "console";
        this.changed();
      }
    });
    this.scheduleExpiry();
  }

  onChange(fn: Listener): void {
    this.listeners.push(fn);
  }

  setToken(token: string): void {
    this.token = token.trim();
    if (this.token) localStorage.setItem(TOKEN_KEY, this.token);
    else localStorage.removeItem(TOKEN_KEY);
    this.changed();
  }

  setName(name: string): void {
    this.name = name.trim() || "console";
    localStorage.setItem(NAME_KEY, this.name);
    this.changed();
  }

  setAuthOn(on: boolean): void {
    if (on === this.authOn) return;
    this.authOn = on;
    this.changed();
  }

  // The token's claims, read without checking the signature (the server checks it); {} when
  // there is no token or it does not parse.
  get claims(): Claims {
    return decodeClaims(this.token);
  }

  // The user name for row-data subscriptions and acknowledgements: the token's sub when a
  // token is set (the server requires userName = sub), else the name field.
  get user(): string {
    return this.claims.sub || this.name;
  }

  // When the token expires (unix ms), 0 for a token without exp or no token.
  get expiresAt(): number {
    const exp = this.claims.exp;
    return typeof exp === "number" ? exp * 1000 : 0;
  }

  // Whether the token has expired: the server refuses it (401 at the door, 4401 on a socket).
  get expired(): boolean {
    return this.expiresAt > 0 && this.expiresAt <= Date.now();
  }

  // Whether the token expires within EXPIRY_WARNING_MS.
  get expiresSoon(): boolean {
    return this.expiresAt > 0 && !this.expired && this.expiresAt - Date.now() <= EXPIRY_WARNING_MS;
  }

  // Whether ack and clear may be offered: always with auth off; with auth on, a token that has
  // not expired and whose pulse.ack is true.
  get canAck(): boolean {
    if (!this.authOn) return true;
    return this.token !== "" && !this.expired && this.claims.pulse?.ack === true;
  }

  // Whether the sockets can be opened: with auth on, only with a token that has not expired.
  get canConnect(): boolean {
    return !this.authOn || (this.token !== "" && !this.expired);
  }

  // Whether the token's rowdata patterns cover a business (PROTOCOL: T/I, T/*, *; a whole type
  // needs T/* or *). True with auth off: the server then lets everyone read everything.
  mayRead(type: string, id: string): boolean {
    if (!this.authOn) return true;
    const patterns = this.claims.pulse?.rowdata ?? [];
    return patterns.some((p) => p === "*" || p === `${type}/*` || (id !== "*" && p === `${type}/${id}`));
  }

  private changed(): void {
    this.scheduleExpiry();
    for (const fn of this.listeners) fn();
  }

  // Tells the listeners when the warning starts and when the token expires, so that the views
  // say so and Ack is disabled without waiting for a refusal.
  private scheduleExpiry(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    const at = this.expiresAt;
    if (!at) return;
    for (const when of [at - EXPIRY_WARNING_MS, at]) {
      const wait = when - Date.now();
      if (wait > 0 && wait < 2 ** 31 - 1) this.timers.push(setTimeout(() => this.changed(), wait + 50));
    }
  }
}

export function decodeClaims(token: string): Claims {
  const part = token.split(".")[1];
  if (!part) return {};
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === "object" && claims !== null ? (claims as Claims) : {};
  } catch {
    return {};
  }
}
