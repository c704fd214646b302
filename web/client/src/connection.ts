// Connection keeps one Pulse WebSocket open: it reconnects with back-off, passes the token as
// access_token, refreshes it before exp, splits frames into messages and reports its state.
// connectRowData and connectAlarms build on it; what a message means is theirs to decide. Where a
// WebSocket cannot open (a proxy that breaks it), it follows the same endpoint as a Server-Sent
// Events stream instead (GET /sse/..., PROTOCOL "Server-Sent Events"), which carries the same
// messages one per event.

import { backoffDelay, resolveBackoff, type Backoff } from "./backoff.js";
import { readEventStream } from "./eventstream.js";
import { expOf } from "./jwt.js";
import type { ErrorMessage, Options, State, StateChange, Transport } from "./types.js";
import { serverUrl } from "./url.js";

// The events every connection emits.
export interface ConnectionEvents {
  state: StateChange;
  error: ErrorMessage;
  auth: { exp: number };
}

// Where a connection emits them: the subscription's emitter, which has more events.
export interface ConnectionEmitter {
  emit<K extends keyof ConnectionEvents>(event: K, value: ConnectionEvents[K]): void;
}

export interface ConnectionHooks {
  path(): string; // the WebSocket path and query, asked at each attempt (alarms add since); /ws/ becomes /sse/ for a stream
  message(msg: { type?: unknown }): void; // every object but auth and error
}

// A connection that stayed open this long was healthy: the next failure starts the back-off over.
const healthyAfterMs = 10_000;
// Close 4401: the token expired. Get a new one and come back at once (PROTOCOL §15).
const tokenExpired = 4401;
const normalClosure = 1000;
const abnormalClosure = 1006;
const tryAgainLater = 1013;
const maxTimerMs = 2 ** 31 - 1;
// WebSocket.readyState values, spelt out: an injected constructor may lack the static names.
const readyConnecting = 0;
const readyOpen = 1;

// An event stream being read: aborting it ends the request.
interface EventStreamLink {
  abort: AbortController;
}

export class Connection {
  private readonly backoff: Backoff;
  private readonly WS: typeof WebSocket | undefined;
  private readonly sseAfterFailures: number;
  private token: string | undefined;
  private ws: WebSocket | undefined;
  private stream: EventStreamLink | undefined;
  private transport: Transport = "websocket"; // the current (or last) attempt's
  private failedOpens = 0; // attempts in a row that could not open, of the current transport
  private streamOpened = false; // a stream has opened: an "auto" subscription keeps to streams
  private current: State = "connecting";
  private attempt = 0;
  private openedAt = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly o: Options,
    private readonly events: ConnectionEmitter,
    private readonly hooks: ConnectionHooks,
  ) {
    this.backoff = resolveBackoff(o.backoff);
    const WS = o.WebSocket ?? (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
    const mode = o.transport ?? "auto";
    if (mode !== "auto" && mode !== "websocket" && mode !== "sse") {
      throw new TypeError(`transport: "auto", "websocket" or "sse", got ${JSON.stringify(mode)}`);
    }
    if (!WS && mode === "websocket") {
      throw new TypeError(
        "no WebSocket in this runtime: run Node 20 with --experimental-websocket, use Node 22+, or pass options.WebSocket",
      );
    }
    this.WS = WS;
    this.sseAfterFailures = o.sseAfterFailures ?? 2;
    if (!(Number.isInteger(this.sseAfterFailures) && this.sseAfterFailures >= 1)) {
      throw new RangeError(`sseAfterFailures: an integer >= 1, got ${o.sseAfterFailures}`);
    }
    this.token = o.token;
    serverUrl(o.baseUrl, "/", "ws"); // a bad baseUrl fails here, not at each attempt
    // Start after the caller had a chance to add listeners, so that it sees "connecting".
    queueMicrotask(() => void this.connect());
  }

  get state(): State {
    return this.current;
  }

  // isOpen says whether send would reach the server now.
  get isOpen(): boolean {
    return this.current === "open" && this.ws?.readyState === readyOpen;
  }

  send(msg: object): void {
    if (this.stream) {
      throw new Error('pulse: the connection is an event stream (transport "sse"), which cannot send: acknowledge with createApi(...).ack');
    }
    if (!this.isOpen) throw new Error(`pulse: not connected (state ${this.current}): try again once the state is "open"`);
    this.ws!.send(JSON.stringify(msg));
  }

  // setToken replaces the token: an open connection sends it as a refresh at once; a connection
  // waiting to reconnect uses it for an attempt made now.
  setToken(token: string): void {
    this.token = token;
    if (this.isOpen) this.sendAuth(token);
    else if (this.stream && this.current === "open") this.reopenStream();
    else if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      void this.connect();
    }
  }

  // retryNow makes the next attempt at once when the connection is waiting to reconnect (state
  // "reconnecting"), instead of at the end of the back-off; otherwise it does nothing. The
  // back-off goes on from where it was if that attempt fails too.
  retryNow(): void {
    if (this.stopped || this.retryTimer === undefined) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.connect();
  }

  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.refreshTimer);
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(normalClosure);
    this.stream?.abort.abort();
    this.stream = undefined;
    this.setState({ state: "closed", attempt: this.attempt });
  }

  private setState(change: Omit<StateChange, "transport">): void {
    this.current = change.state;
    this.events.emit("state", { ...change, transport: this.transport });
  }

  // pickTransport is the transport of the next attempt: the one asked for, else WebSocket until
  // sseAfterFailures attempts in a row could not open one while the server answers plain HTTP (a
  // proxy breaks WebSocket; a server that is down is waited for on WebSocket), then streams. A
  // stream that cannot open sends it back to WebSocket; once one has opened, the subscription
  // keeps to streams (this network breaks WebSocket) until it is closed.
  private async pickTransport(): Promise<Transport> {
    const mode = this.o.transport ?? "auto";
    if (mode !== "auto") return mode;
    if (!this.WS) return "sse";
    if (this.streamOpened) return "sse";
    if (this.transport === "sse") return this.failedOpens >= 1 ? "websocket" : "sse";
    if (this.failedOpens < this.sseAfterFailures) return "websocket";
    return (await this.answersHttp()) ? "sse" : "websocket";
  }

  // answersHttp reports whether the server answers GET /healthz at all (no-cors: any answer will do).
  private async answersHttp(): Promise<boolean> {
    try {
      await fetch(serverUrl(this.o.baseUrl, "/healthz", "http").href, { mode: "no-cors", cache: "no-store" });
      return true;
    } catch {
      return false;
    }
  }

  private clientError(message: string): void {
    this.events.emit("error", { type: "error", code: 0, message });
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    const transport = await this.pickTransport();
    if (this.stopped) return;
    if (transport !== this.transport) this.failedOpens = 0;
    this.transport = transport;
    this.setState({ state: "connecting", attempt: this.attempt });
    // A missing or expired token would be refused at the door, which a WebSocket reports only as
    // 1006: ask for a new one first.
    if (this.o.refreshToken && (this.token === undefined || isExpired(this.token))) {
      try {
        this.token = await this.o.refreshToken();
      } catch (err) {
        this.clientError(`refreshToken failed: ${describe(err)}`);
        return this.retry({ reason: "no token" });
      }
      if (this.stopped) return;
    }
    if (transport === "sse") return this.connectStream();
    let ws: WebSocket;
    try {
      const target = serverUrl(this.o.baseUrl, this.hooks.path(), "ws");
      if (this.token !== undefined) target.searchParams.set("access_token", this.token);
      ws = new this.WS!(target.href);
    } catch (err) {
      return this.retry({ reason: describe(err) });
    }
    this.ws = ws;
    ws.onopen = () => this.opened(ws);
    ws.onmessage = (ev: MessageEvent) => this.frame(ws, ev.data);
    ws.onclose = (ev: CloseEvent) => this.closed(ws, ev.code, ev.reason);
    // A connection that fails before it opens (server down, refused at the door) fires error,
    // then close 1006 in browsers; Node 20's WebSocket fires error only.
    ws.onerror = () => {
      if (ws.readyState === readyConnecting) this.closed(ws, abnormalClosure, "connection failed");
    };
  }

  // connectStream opens the endpoint as an event stream: the token goes in Authorization (not in
  // the URL), a refusal is an HTTP answer with {code,message}, and each event's data is one message.
  private async connectStream(): Promise<void> {
    const link: EventStreamLink = { abort: new AbortController() };
    this.stream = link;
    let res: Response;
    try {
      const target = serverUrl(this.o.baseUrl, this.hooks.path().replace(/^\/ws\//, "/sse/"), "http");
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      if (this.token !== undefined) headers.Authorization = `Bearer ${this.token}`;
      res = await fetch(target.href, { headers, signal: link.abort.signal, cache: "no-store" });
    } catch (err) {
      return this.closed(link, abnormalClosure, describe(err));
    }
    if (link !== this.stream) {
      link.abort.abort();
      return;
    }
    if (!res.ok || !res.body) {
      let reason = `HTTP ${res.status}`;
      try {
        const answer = (await res.json()) as { message?: unknown };
        if (typeof answer.message === "string") reason += `: ${answer.message}`;
      } catch {
        // not JSON: the status says enough
      }
      // 401: the token was refused; the next attempt asks refreshToken for another.
      if (res.status === 401 && this.o.refreshToken) this.token = undefined;
      return this.closed(link, abnormalClosure, reason);
    }
    this.streamOpened = true;
    this.opened(link);
    try {
      await readEventStream(res.body, (e) => {
        if (link !== this.stream) return;
        if (e.event === "auth") {
          // {"code":4401}: the token expired; the server ends the stream (as close 4401 would).
          link.abort.abort();
          this.closed(link, tokenExpired, "token expired");
          return;
        }
        if (e.event === "message") this.frame(link, e.data);
      });
      this.closed(link, abnormalClosure, "the stream ended");
    } catch (err) {
      this.closed(link, abnormalClosure, describe(err));
    }
  }

  // reopenStream follows a stream again at once, with the current token: a stream cannot take a
  // refreshed token, so it is reopened with it (alarms resume with since).
  private reopenStream(): void {
    const link = this.stream;
    this.stream = undefined;
    link?.abort.abort();
    clearTimeout(this.refreshTimer);
    void this.connect();
  }

  private opened(link: WebSocket | EventStreamLink): void {
    if (link !== this.ws && link !== this.stream) return;
    this.failedOpens = 0;
    this.openedAt = Date.now();
    this.setState({ state: "open", attempt: this.attempt });
    const exp = this.token === undefined ? undefined : expOf(this.token);
    if (exp !== undefined) this.scheduleRefresh(exp);
  }

  private frame(link: WebSocket | EventStreamLink, data: unknown): void {
    if (link !== this.ws && link !== this.stream) return;
    if (typeof data !== "string") return this.clientError("the server sent a binary frame; Pulse sends text only");
    // One frame may hold several messages, one per line.
    for (const line of data.split("\n")) {
      if (!line) continue;
      let msg: { type?: unknown; exp?: unknown; code?: unknown; message?: unknown };
      try {
        msg = JSON.parse(line);
      } catch {
        this.clientError(`the server sent a line that is not JSON: ${line.slice(0, 80)}`);
        continue;
      }
      if (msg === null || typeof msg !== "object") continue;
      if (msg.type === "auth" && typeof msg.exp === "number") {
        this.scheduleRefresh(msg.exp);
        this.events.emit("auth", { exp: msg.exp });
      } else if (msg.type === "error") {
        this.events.emit("error", msg as ErrorMessage);
      } else {
        this.hooks.message(msg);
      }
      if (link !== this.ws && link !== this.stream) return; // a listener closed the subscription
    }
  }

  private closed(link: WebSocket | EventStreamLink, code: number, reason: string): void {
    if (link !== this.ws && link !== this.stream) return;
    this.ws = undefined;
    this.stream = undefined;
    clearTimeout(this.refreshTimer);
    if (this.stopped) return;
    if (!this.openedAt) this.failedOpens++;
    // Healthy for a while, or closed because this client fell behind (1013): start the back-off over.
    if ((this.openedAt && Date.now() - this.openedAt >= healthyAfterMs) || code === tryAgainLater) this.attempt = 0;
    this.openedAt = 0;
    if (code === tokenExpired && this.o.refreshToken) {
      // Not a server problem: no back-off. connect asks refreshToken, as the token has expired.
      this.token = undefined;
      this.setState({ state: "reconnecting", attempt: this.attempt, closeCode: code, reason, retryInMs: 0 });
      this.retryTimer = setTimeout(() => void this.connect(), 0);
      return;
    }
    this.retry({ closeCode: code, reason });
  }

  private retry(why: { closeCode?: number; reason?: string }): void {
    if (this.stopped) return;
    this.attempt++;
    const retryInMs = backoffDelay(this.backoff, this.attempt);
    this.setState({ state: "reconnecting", attempt: this.attempt, ...why, retryInMs });
    this.retryTimer = setTimeout(() => void this.connect(), retryInMs);
  }

  // scheduleRefresh asks refreshToken for a new token once 80 % of the time left until exp (unix
  // seconds) has passed, and sends it on the open connection.
  private scheduleRefresh(exp: number): void {
    clearTimeout(this.refreshTimer);
    const refresh = this.o.refreshToken;
    if (!refresh) return;
    const left = exp * 1000 - Date.now();
    if (left <= 0) return; // too late: the server closes with 4401 and connect refreshes
    const wait = Math.max(0.8 * left, Math.min(left, 1000));
    if (wait > maxTimerMs) {
      // setTimeout fires at once beyond about 24.8 days: wait in steps.
      this.refreshTimer = setTimeout(() => this.scheduleRefresh(exp), maxTimerMs);
      return;
    }
    this.refreshTimer = setTimeout(async () => {
      const ws = this.ws;
      const stream = this.stream;
      let token: string;
      try {
        token = await refresh();
      } catch (err) {
        this.clientError(`refreshToken failed: ${describe(err)}`);
        if (ws === this.ws && stream === this.stream) this.scheduleRefresh(exp); // try again in 80 % of what is left
        return;
      }
      this.token = token;
      if (ws && ws === this.ws && this.isOpen) this.sendAuth(token);
      else if (stream && stream === this.stream) this.reopenStream();
    }, wait);
  }

  private sendAuth(token: string): void {
    this.ws!.send(JSON.stringify({ type: "auth", token }));
  }
}

function isExpired(token: string): boolean {
  const exp = expOf(token);
  return exp !== undefined && exp * 1000 <= Date.now();
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
