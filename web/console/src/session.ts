// Who the console acts as: the pasted token (kept in sessionStorage, so it dies with the tab),
// the name used when auth is off, and whether the server asks for credentials at all.

const TOKEN_KEY = "pulse.token";
const NAME_KEY = "pulse.name";

export interface Claims {
  sub?: string;
  exp?: number;
  pulse?: { rowdata?: string[]; alarms?: string[]; ack?: boolean };
}

type Listener = () => void;

export class Session {
  token = sessionStorage.getItem(TOKEN_KEY) ?? "";
  name = localStorage.getItem(NAME_KEY) || "console";
  // Learned from the server: a 401 without a token means auth is on.
  authOn = false;
  private listeners: Listener[] = [];

  onChange(fn: Listener): void {
    this.listeners.push(fn);
  }

  setToken(token: string): void {
    this.token = token.trim();
    if (this.token) sessionStorage.setItem(TOKEN_KEY, this.token);
    else sessionStorage.removeItem(TOKEN_KEY);
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

  // Whether ack and clear may be offered: always with auth off; with auth on, a token whose
  // pulse.ack is true.
  get canAck(): boolean {
    if (!this.authOn) return true;
    return this.token !== "" && this.claims.pulse?.ack === true;
  }

  // Whether the sockets can be opened: with auth on, only with a token.
  get canConnect(): boolean {
    return !this.authOn || this.token !== "";
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
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
