import {
  connectRowData,
  PulseError,
  rowdataHistory,
  type Api,
  type Business,
  type NoticeMessage,
  type RowDataEvents,
  type RowDataHistory,
  type RowDataMessage,
  type StateChange,
  type Subscription,
} from "@pulse/client";
import { el, formatTime, perFrame } from "../dom";
import type { Session } from "../session";
import { FieldChart, type SeriesKey } from "./chart";

export interface PanelSpec {
  type: string;
  id: string;
  windowMs: number;
}

export const WINDOWS: [string, number][] = [
  ["1 min", 60_000],
  ["5 min", 300_000],
  ["15 min", 900_000],
  ["1 h", 3_600_000],
];

// What a panel's connection is, as the operator needs to tell it: data-status says it for tests.
//   live: open; connecting: the first attempt; lost: closed, waiting to retry (a countdown);
//   reconnecting: an attempt after a loss; forbidden: the token does not cover the business;
//   expired: the token has expired; refused: the server does not accept the token (401);
//   no-token: auth is on and no token is set; idle: no business.
type Status = "live" | "connecting" | "lost" | "reconnecting" | "forbidden" | "expired" | "refused" | "no-token" | "idle";

// How long "showing latest values" stays after the server last left values out for a panel.
const LATEST_ONLY_MS = 30_000;

let panels = 0; // panels made so far: each has its own key for its charts' cursors

// One dashboard panel: a business (type and id, or * for every id of the type), followed live;
// each numeric field of its data becomes a chart, whose window is filled from the server's
// history when the panel opens and after each reconnect.
// data-state (the socket's state), data-status and data-messages are for tests.
export class Panel {
  readonly node = el("section", { class: "panel", "data-testid": "panel", "data-messages": 0 });
  onChange: () => void = () => {}; // the spec changed: the dashboard saves it
  onRemove: () => void = () => {};
  onNotice: (n: NoticeMessage) => void = () => {}; // a notice to this user came over the panel's socket
  onCharts: () => void = () => {}; // a chart was added: the dashboard lays the charts out again

  private sub: Subscription<RowDataEvents> | undefined;
  private charts = new Map<string, FieldChart>();
  private units: Record<string, string> = {};
  private paused = false;
  private messages = 0;
  private wasOpen = false;
  private retryAt = 0; // when a lost connection is tried again (unix ms)
  private lastState: StateChange | undefined;
  private ticker: ReturnType<typeof setInterval>;
  // The panel's charts move their cursors together: hovering one shows the values of all.
  private syncKey = `panel-${++panels}`;

  private typeInput = el("input", { placeholder: "type", "aria-label": "Business type", "data-testid": "type", required: true });
  private idInput = el("input", { placeholder: "id or *", "aria-label": "Business id", "data-testid": "id", required: true });
  private recent = el("select", { "aria-label": "Recent businesses", "data-testid": "recent" });
  private windowSelect = el("select", { "aria-label": "Time window", "data-testid": "window" },
    ...WINDOWS.map(([label, ms]) => el("option", { value: ms }, label)),
  );
  private pauseButton = el("button", { type: "button", class: "toggle", "aria-pressed": "false", "data-testid": "pause" }, "Pause");
  private status = el("span", { class: "status", role: "status", "data-testid": "status" });
  private retryButton = el("button", { type: "button", "data-testid": "retry", hidden: true }, "Retry now");
  // Shown for a while after the server left out older values to catch a slow connection up.
  private latestOnly = el("span", { class: "latest-only", "data-testid": "coalesced", hidden: true }, "showing latest values");
  private latestOnlyTimer: ReturnType<typeof setTimeout> | undefined;
  private grid = el("div", { class: "charts" });
  private title = el("h2", { class: "panel-title" }); // shown in wall mode, where the form is not
  private draw = perFrame(() => {
    if (!this.paused) for (const chart of this.charts.values()) chart.draw();
  });

  constructor(
    readonly spec: PanelSpec,
    private session: Session,
    private api: Api,
    private chartHeight: () => number,
  ) {
    this.typeInput.value = spec.type;
    this.idInput.value = spec.id;
    this.windowSelect.value = String(spec.windowMs);
    const follow = el("button", { type: "submit", "data-testid": "follow" }, "Follow");
    const remove = el("button", { type: "button", class: "icon", "aria-label": "Remove panel", title: "Remove panel" }, "✕");
    const form = el("form", { class: "panel-bar" }, this.recent, this.typeInput, el("span", { class: "muted" }, "/"), this.idInput, follow);
    this.node.append(
      el("header", {}, this.title, form, el("div", { class: "panel-tools" }, this.windowSelect, this.pauseButton, remove)),
      el("div", { class: "panel-status" }, this.status, this.latestOnly, this.retryButton),
      this.grid,
    );

    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.follow(this.typeInput.value.trim(), this.idInput.value.trim());
    });
    this.recent.addEventListener("focus", () => void this.loadRecent());
    this.recent.addEventListener("change", () => {
      const [type, id] = JSON.parse(this.recent.value || "null") ?? [];
      if (type) this.follow(type, id);
    });
    this.windowSelect.addEventListener("change", () => {
      const wider = Number(this.windowSelect.value) > this.spec.windowMs;
      this.spec.windowMs = Number(this.windowSelect.value);
      for (const chart of this.charts.values()) chart.setWindow(this.spec.windowMs);
      if (wider) void this.loadHistory();
      this.draw();
      this.onChange();
    });
    this.pauseButton.addEventListener("click", () => {
      this.paused = !this.paused;
      this.pauseButton.setAttribute("aria-pressed", String(this.paused));
      this.pauseButton.textContent = this.paused ? "Resume" : "Pause";
      this.node.classList.toggle("paused", this.paused);
      this.draw();
    });
    this.retryButton.addEventListener("click", () => this.retryNow());
    remove.addEventListener("click", () => {
      this.close();
      clearInterval(this.ticker);
      this.node.remove();
      this.onRemove();
    });
    // Every second: the window moves on (the x-axis ends now) and a countdown counts down.
    this.ticker = setInterval(() => {
      if (document.hidden) return;
      this.draw();
      if (this.node.dataset.status === "lost") this.showState();
    }, 1000);
    void this.loadRecent();
    this.connect();
  }

  get chartCount(): number {
    return this.charts.size;
  }

  // The charts take a new size (wall mode, a resized window).
  resize(): void {
    for (const chart of this.charts.values()) chart.resize();
  }

  // The charts are drawn anew (wall mode's type, the theme's colours).
  restyle(): void {
    for (const chart of this.charts.values()) chart.restyle();
  }

  follow(type: string, id: string): void {
    if (!type || !id) {
      this.setStatus("idle", "Give a type and an id (or *).");
      return;
    }
    this.typeInput.value = type;
    this.idInput.value = id;
    Object.assign(this.spec, { type, id });
    this.onChange();
    this.connect();
  }

  // (Re)subscribes with the session's current user and token; the charts start over from the
  // server's history.
  connect(): void {
    this.close();
    const { type, id } = this.spec;
    this.node.dataset.business = type && id ? `${type}/${id}` : "";
    this.title.textContent = this.node.dataset.business;
    if (!type || !id) return this.setStatus("idle", "Choose a business.");
    if (this.session.authOn && this.session.expired) return this.expire();
    if (!this.session.canConnect) return this.setStatus("no-token", "Authentication is on: paste a token.");
    if (!this.session.mayRead(type, id)) return this.forbidden();
    this.subscribe();
    void this.loadHistory();
  }

  close(): void {
    this.unsubscribe();
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
    this.grid.replaceChildren(el("p", { class: "muted empty" }, "No numeric data yet."));
    this.messages = 0;
    this.node.dataset.messages = "0";
  }

  private subscribe(): void {
    const { type, id } = this.spec;
    const sub = connectRowData({ type, id, user: this.session.user, token: this.session.token || undefined });
    this.sub = sub;
    this.wasOpen = false;
    sub.on("rowdata", (msg) => {
      this.addItem(msg.data, msg.ts);
      this.messages++;
      this.node.dataset.messages = String(this.messages);
      this.draw();
    });
    sub.on("coalesced", (c) => this.showLatestOnly(c.skipped));
    sub.on("notice", (n) => this.onNotice(n));
    sub.on("state", (s) => this.onState(sub, s));
    sub.on("error", (e) => this.setStatus((this.node.dataset.status as Status | undefined) ?? "connecting", `The server refused a request: ${e.message} (code ${e.code})`));
  }

  // The connection could not keep up, so the server sent the latest value of each business and
  // left skipped older ones out: said quietly, for LATEST_ONLY_MS after the last time.
  private showLatestOnly(skipped: number): void {
    this.latestOnly.hidden = false;
    this.latestOnly.title = `This connection fell behind: ${skipped} older value${skipped === 1 ? " was" : "s were"} skipped, and every business shows its latest value.`;
    this.node.dataset.coalesced = String(Number(this.node.dataset.coalesced ?? 0) + skipped);
    clearTimeout(this.latestOnlyTimer);
    this.latestOnlyTimer = setTimeout(() => (this.latestOnly.hidden = true), LATEST_ONLY_MS);
  }

  private unsubscribe(): void {
    clearTimeout(this.latestOnlyTimer);
    this.latestOnly.hidden = true;
    this.sub?.close();
    this.sub = undefined;
    this.lastState = undefined;
    delete this.node.dataset.state;
  }

  private onState(sub: Subscription<RowDataEvents>, s: StateChange): void {
    if (sub !== this.sub) return;
    this.node.dataset.state = s.state;
    this.node.dataset.attempt = String(s.attempt);
    this.lastState = s;
    if (s.state === "open") {
      // Back after a loss: what the server received meanwhile fills the hole.
      if (this.wasOpen) void this.loadHistory();
      this.wasOpen = true;
    }
    if (s.state === "reconnecting") {
      this.retryAt = Date.now() + (s.retryInMs ?? 0);
      // A socket refused at the door closes with 1006 like a broken one: the history call, under
      // the same rules, says whether the token is the reason (401, 403).
      if (s.closeCode === 1006 && this.session.authOn) void this.loadHistory();
    }
    this.showState();
  }

  private showState(): void {
    const s = this.lastState;
    if (!s) return;
    if (s.state === "open") return this.setStatus("live", "live");
    if (s.state === "connecting") {
      return this.setStatus(this.wasOpen || s.attempt > 0 ? "reconnecting" : "connecting", s.attempt > 0 ? `Reconnecting (attempt ${s.attempt + 1})…` : "Connecting…");
    }
    if (s.state === "reconnecting") {
      const why = s.closeCode ? ` (closed with ${s.closeCode}${s.reason ? `: ${s.reason}` : ""})` : "";
      const left = Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
      return this.setStatus("lost", `Connection lost${why}: retrying in ${left} s.`);
    }
  }

  // Retry now: a lost connection is tried again at once, keeping what the charts hold.
  private retryNow(): void {
    if (this.node.dataset.status !== "lost") return;
    this.unsubscribe();
    this.subscribe();
    void this.loadHistory();
  }

  // The token expired: the socket stops (the server would close it), the charts stay as they
  // were, marked as no longer live.
  expire(): void {
    if (!this.spec.type || !this.spec.id) return;
    this.unsubscribe();
    this.setStatus("expired", `Your token expired at ${formatTime(this.session.expiresAt)}: this chart is no longer live. Paste a new token.`);
  }

  private forbidden(): void {
    this.unsubscribe();
    const { type, id } = this.spec;
    const grants = this.session.claims.pulse?.rowdata ?? [];
    this.setStatus("forbidden", `Not permitted: your token does not allow ${type}/${id}${grants.length ? ` (it allows ${grants.join(", ")})` : ""}.`);
  }

  // Fills the window from the server's history; every point is merged with what the socket
  // brought (the same point twice is kept once).
  private async loadHistory(): Promise<void> {
    const { type, id } = this.spec;
    const sub = this.sub;
    let history: RowDataHistory;
    try {
      history = await rowdataHistory({ businessType: type, businessId: id, since: Math.max(0, Math.floor(Date.now() - this.spec.windowMs)), token: this.session.token || undefined });
    } catch (err) {
      if (sub !== this.sub || !(err instanceof PulseError)) return;
      if (err.status === 403) this.forbidden();
      else if (err.status === 401 && this.session.authOn) {
        this.unsubscribe();
        this.setStatus("refused", `The server refused your token (${err.message}): paste a valid one.`);
      }
      return; // 404: a server without history; 0: the socket says the server is away
    }
    if (sub !== this.sub || type !== this.spec.type || id !== this.spec.id) return;
    this.units = { ...this.units, ...history.units };
    for (const series of history.series) for (const msg of series.items) this.addItem(msg.data, msg.ts);
    for (const [field, chart] of this.charts) chart.setUnit(this.units[field] ?? "");
    this.node.dataset.history = String(history.series.reduce((n, s) => n + s.items.length, 0));
    this.draw();
  }

  private addItem(item: RowDataMessage["data"], ts: number): void {
    const time = item.time || ts;
    const key = `${item.businessType}/${item.businessId || "*"}`;
    const series: SeriesKey = { key, label: key };
    for (const [field, value] of numericFields(item.data)) {
      let chart = this.charts.get(field);
      if (!chart) {
        if (!this.charts.size) this.grid.replaceChildren();
        chart = new FieldChart(field, this.spec.windowMs, this.chartHeight, `${field} of ${this.spec.type}/${this.spec.id}`, this.syncKey);
        chart.setUnit(this.units[field] ?? "");
        this.charts.set(field, chart);
        this.grid.append(chart.node);
        this.onCharts();
      }
      chart.add(series, time, value);
    }
    this.node.dataset.last = formatTime(time);
  }

  private async loadRecent(): Promise<void> {
    let keys: Business[] = [];
    try {
      keys = await this.api.businesses();
    } catch {
      // without access (auth on, no token) the list stays empty; typing still works
    }
    const types = [...new Set(keys.map((k) => k.businessType).filter(Boolean))];
    const option = (label: string, type: string, id: string) => el("option", { value: JSON.stringify([type, id]) }, label);
    this.recent.replaceChildren(
      el("option", { value: "" }, keys.length ? "Recent…" : "No recent data"),
      ...keys.filter((k) => k.businessType && k.businessId)
        .map((k) => option(`${k.businessType}/${k.businessId} · ${formatTime(k.lastTime)}`, k.businessType, k.businessId)),
      ...types.map((t) => option(`${t}/* (every ${t})`, t, "*")),
    );
  }

  private setStatus(status: Status, text: string): void {
    // The last statuses, in order, for tests: an attempt may last a few milliseconds.
    if (this.node.dataset.status !== status) {
      const log = [...(this.node.dataset.statuses ?? "").split(" ").filter(Boolean), status];
      this.node.dataset.statuses = " " + log.slice(-12).join(" ");
    }
    this.node.dataset.status = status;
    this.status.dataset.status = status; // the status line's colour
    this.status.textContent = text;
    this.retryButton.hidden = status !== "lost";
  }
}

// The numeric fields of a row's data: a number is "value"; an object's numbers by name, nested
// objects with dotted names ("phase.a"). Strings, booleans and arrays are not charted.
export function numericFields(data: unknown, prefix = "", depth = 0): [string, number][] {
  if (typeof data === "number") return Number.isFinite(data) ? [[prefix || "value", data]] : [];
  if (typeof data !== "object" || data === null || Array.isArray(data) || depth > 3) return [];
  return Object.entries(data).flatMap(([k, v]) => numericFields(v, prefix ? `${prefix}.${k}` : k, depth + 1));
}
