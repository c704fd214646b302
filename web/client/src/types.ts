// The messages Pulse sends and the options and events of this client (docs/PROTOCOL.md).

export type State = "connecting" | "open" | "reconnecting" | "closed";

// A change of a subscription's connection. attempt counts the connection attempts since the last
// one that stayed open; closeCode and reason say why the last connection ended (1006: it broke or
// was refused before the upgrade, which a WebSocket cannot tell apart); retryInMs is the wait
// before the next attempt; transport is how the attempt connects (see Options.transport).
export interface StateChange {
  state: State;
  attempt: number;
  transport: Transport;
  closeCode?: number;
  reason?: string;
  retryInMs?: number;
}

// How a subscription reaches the server: a WebSocket, or a Server-Sent Events stream (for
// networks whose proxies break WebSocket; it cannot send, so ack goes through createApi).
export type Transport = "websocket" | "sse";

export interface Options {
  baseUrl?: string; // "http://host:8000" or "ws://host:8000"; default: the page's origin (browsers)
  token?: string; // JWT; sent as ?access_token= on the WebSocket URL
  refreshToken?: () => Promise<string>; // called before exp (80 % of the time left) and after close 4401
  backoff?: { initialMs?: number; maxMs?: number }; // exponential with full jitter; defaults 500 ms .. 30 s
  WebSocket?: typeof WebSocket; // for runtimes without a global one
  // "auto" (default): WebSocket, falling back to an event stream (GET /sse/...) after
  // sseAfterFailures WebSocket attempts in a row that could not open; "websocket" or "sse": only that.
  transport?: "auto" | Transport;
  sseAfterFailures?: number; // default 2
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
  clearedBy: string; // a user, or the ingest key that resolved it; "" when not cleared
  clearTime: number;
  ackComment?: string; // what the acknowledgement said (absent when nothing)
  clearComment?: string; // what the clear said (absent when nothing)
  silenced?: SilenceMark; // the silence that holds its notifications back (absent when none)
}

// SilenceMark is the silence an alarm is under: consoles still show the alarm, marked.
export interface SilenceMark {
  id: string;
  endsAt: number; // unix ms; 0: until the alarm is cleared
  comment: string;
  createdBy: string;
}

export type AlarmStatus = Alarm["status"];

// AlarmRef names one alarm: its business and its id (an Alarm is one).
export interface AlarmRef {
  businessType: string;
  businessId: string;
  alarmId: string;
}

// AlarmQuery is what GET /api/v1/alarms filters on (PROTOCOL: the alarm list). Every filter
// given must pass; a list (statuses, levels) is any of them.
export interface AlarmQuery {
  status?: AlarmStatus | AlarmStatus[];
  level?: Level | Level[];
  business?: string; // a pattern: "type/id", "type/*" or "*" (within the token's patterns)
  q?: string; // a substring of the title or content, in any case; % and _ are themselves
  from?: number; // lastTime from (unix ms, inclusive)
  to?: number; // lastTime to (unix ms, inclusive)
  limit?: number; // the page's size, 1 to 1000 (server default 100)
  cursor?: string; // the previous page's nextCursor
}

// AlarmPage is a page of the list, newest lastTime first; nextCursor is absent on the last page.
export interface AlarmPage {
  items: Alarm[];
  nextCursor?: string;
}

// Change is who acknowledges or clears and what they say. With auth on the token's sub is the
// user and user is ignored; with auth off an acknowledgement needs one.
export interface Change {
  user?: string;
  comment?: string; // up to 1 KiB of UTF-8
}

// BulkItem is what became of one alarm of bulkAck or bulkClear: ok with the alarm's new state, or
// refused with the status, code and message that alarm alone would have had (404 unknown or out
// of scope, 409 cleared).
export interface BulkItem extends AlarmRef {
  ok: boolean;
  status?: number;
  code?: number;
  message?: string;
  alarm?: Alarm;
}

export interface AlarmMessage {
  type: "alarm";
  seq: number;
  ts: number;
  event: "raised" | "repeated" | "acked" | "cleared" | "silenced" | "unsilenced";
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
  // Makes the next attempt at once while waiting to reconnect (state "reconnecting"), instead of
  // at the end of the back-off; does nothing in any other state.
  retryNow(): void;
}

// Notice is a message to one user (POST /api/v1/users/{user}/notices, api.sendNotice): about one
// business, which the sender must be allowed and the receiver must follow.
export interface Notice {
  title: string; // 1 to 512 bytes
  content?: string; // at most 8192 bytes
  level?: Level; // default info
  data?: unknown; // any JSON value, at most 16 KiB encoded
  businessType: string;
  businessId: string;
}

// NoticeMessage is what every open socket of the notice's user receives (dashboards and alarm
// consoles alike): the notice, who it is for, and who sent it ("" with auth off).
export interface NoticeMessage {
  type: "notice";
  ts: number;
  data: Notice & { user: string; from: string; level: Level; content: string };
}

export interface RowDataEvents {
  rowdata: RowDataMessage;
  // The connection could not keep up: skipped older values were left out, and what follows
  // includes the latest value of every business it follows (PROTOCOL §6).
  coalesced: { skipped: number };
  notice: NoticeMessage;
  state: StateChange;
  error: ErrorMessage;
  auth: { exp: number }; // a token refresh the server accepted: the connection now lasts until exp (unix s)
}

export interface AlarmEvents {
  alarm: AlarmMessage;
  notice: NoticeMessage;
  synced: { seq: number };
  reset: Record<string, never>;
  state: StateChange;
  error: ErrorMessage;
  auth: { exp: number };
}

// Silences: while one is active the alarms its matchers select notify nobody (consoles still show
// them, marked by silenced and unsilenced events). Matchers of different fields all apply, values
// of one field any.
export interface SilenceMatchers {
  businesses?: string[]; // patterns: type/id, type/* or *
  levels?: string[];
  alarmIds?: string[];
  text?: string; // a case-insensitive substring of the title or content
}

export interface NewSilence {
  matchers: SilenceMatchers;
  startsAt?: number; // unix ms; absent: now
  endsAt?: number; // unix ms; absent with untilCleared
  untilCleared?: boolean; // shelve one alarm (one alarmId and one business) until it is cleared
  comment?: string;
  user?: string; // auth off: who silences
}

export interface Silence {
  id: string;
  matchers: SilenceMatchers;
  startsAt: number;
  endsAt: number; // 0 until cleared
  untilCleared?: boolean;
  comment: string;
  createdBy: string;
  createdAt: number;
}

// Delivery is one notification record of an alarm (an attempt to notify someone): the fields the
// server sends, of which a console shows what it finds.
export interface Delivery {
  id?: string; // the notification's id (webhook-id): the same on every attempt
  route?: string;
  step?: string; // an escalation step
  seq?: number; // the alarm event it is of
  kind?: string;
  outlet?: string;
  target?: string;
  attempt?: number;
  status?: string;
  time?: number;
  error?: string;
  [field: string]: unknown;
}
