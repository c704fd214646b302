// The messages Pulse sends and the options and events of this client (docs/PROTOCOL.md).

export type State = "connecting" | "open" | "reconnecting" | "closed";

// A change of a subscription's connection. attempt counts the connection attempts since the last
// one that stayed open; closeCode and reason say why the last connection ended (1006: it broke or
// was refused before the upgrade, which a WebSocket cannot tell apart); retryInMs is the wait
// before the next attempt.
export interface StateChange {
  state: State;
  attempt: number;
  closeCode?: number;
  reason?: string;
  retryInMs?: number;
}

export interface Options {
  baseUrl?: string; // "http://host:8000" or "ws://host:8000"; default: the page's origin (browsers)
  token?: string; // JWT; sent as ?access_token= on the WebSocket URL
  refreshToken?: () => Promise<string>; // called before exp (80 % of the time left) and after close 4401
  backoff?: { initialMs?: number; maxMs?: number }; // exponential with full jitter; defaults 500 ms .. 30 s
  WebSocket?: typeof WebSocket; // for runtimes without a global one
}

export interface RowDataMessage {
  type: "rowdata";
  ts: number;
  snapshot?: boolean;
  data: { businessType: string; businessId: string; time: number; data: unknown };
}

export type Level = "critical" | "major" | "minor" | "warning" | "info";

export interface Alarm {
  alarmId: string;
  businessType: string;
  businessId: string;
  level: Level;
  title: string;
  content: string;
  time: number;
  data?: unknown;
  status: "active" | "acked" | "cleared";
  count: number;
  firstTime: number;
  lastTime: number;
  ackedBy: string;
  ackTime: number;
}

export interface AlarmMessage {
  type: "alarm";
  seq: number;
  ts: number;
  event: "raised" | "repeated" | "acked" | "cleared";
  data: Alarm;
}

// An error object from the server (codes in PROTOCOL §11). Code 0 is this client's own: a frame
// that is not JSON, or a refreshToken callback that failed.
export interface ErrorMessage {
  type: "error";
  code: number;
  message: string;
}

export interface Subscription<E> {
  on<K extends keyof E>(event: K, fn: (value: E[K]) => void): () => void;
  readonly state: State;
  close(): void;
  setToken(token: string): void;
}

export interface RowDataEvents {
  rowdata: RowDataMessage;
  state: StateChange;
  error: ErrorMessage;
  auth: { exp: number }; // a token refresh the server accepted: the connection now lasts until exp (unix s)
}

export interface AlarmEvents {
  alarm: AlarmMessage;
  synced: { seq: number };
  reset: Record<string, never>;
  state: StateChange;
  error: ErrorMessage;
  auth: { exp: number };
}
