import { connectRowData, type Api, type Business, type RowDataEvents, type RowDataMessage, type Subscription } from "@pulse/client";
import { el, formatTime, perFrame } from "../dom";
import type { Session } from "../session";
import { FieldChart } from "./chart";


export interface PanelSpec {
  type: string;
  id: string;
  windowMs: number;
}

const WINDOWS: [string, number][] = [
  ["1 min", 60_000],
  ["5 min", 300_000],
  ["15 min", 900_000],
  ["1 h", 3_600_000],
];

// One dashboard panel: a business (type and id, or * for every id of the type), followed live;
// each numeric field of its data becomes a chart, prefilled from the server's snapshot.
// data-state (connection) and data-messages (row data received) are for tests.
export class Panel {
  readonly node = el("section", { class: "panel", "data-testid": "panel", "data-messages": 0 });
  onChange: () => void = () => {}; // the spec changed: the dashboard saves it
  onRemove: () => void = () => {};

  private sub: Subscription<RowDataEvents> | undefined;
  private charts = new Map<string, FieldChart>();
  private paused = false;
  private messages = 0;

  private typeInput = el("input", { placeholder: "type", "aria-label": "Business type", "data-testid": "type", required: true });
  private idInput = el("input", { placeholder: "id or *", "aria-label": "Business id", "data-testid": "id", required: true });
  private recent = el("select", { "aria-label": "Recent businesses", "data-testid": "recent" });
  private windowSelect = el("select", { "aria-label": "Time window", "data-testid": "window" },
    ...WINDOWS.map(([label, ms]) => el("option", { value: ms }, label)),
  );
  private pauseButton = el("button", { type: "button", class: "toggle", "aria-pressed": "false", "data-testid": "pause" }, "Pause");
  private status = el("span", { class: "status muted" });
  private grid = el("div", { class: "charts" });
  private draw = perFrame(() => {
    if (!this.paused) for (const chart of this.charts.values()) chart.draw();
  });

  constructor(
    readonly spec: PanelSpec,
    private session: Session,
    private api: Api,
  ) {
    this.typeInput.value = spec.type;
    this.idInput.value = spec.id;
    this.windowSelect.value = String(spec.windowMs);
    const follow = el("button", { type: "submit", "data-testid": "follow" }, "Follow");
    const remove = el("button", { type: "button", class: "icon", "aria-label": "Remove panel", title: "Remove panel" }, "✕");
    const form = el("form", { class: "panel-bar" }, this.recent, this.typeInput, el("span", { class: "muted" }, "/"), this.idInput, follow);
    this.node.append(
      el("header", {}, form, el("div", { class: "panel-tools" }, this.windowSelect, this.pauseButton, this.status, remove)),
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
      this.spec.windowMs = Number(this.windowSelect.value);
      for (const chart of this.charts.values()) chart.setWindow(this.spec.windowMs);
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
    remove.addEventListener("click", () => {
      this.close();
      this.node.remove();
      this.onRemove();
    });
    void this.loadRecent();
    this.connect();
  }

  follow(type: string, id: string): void {
    if (!type || !id) {
      this.setStatus("Give a type and an id (or *).");
      return;
    }
    this.typeInput.value = type;
    this.idInput.value = id;
    Object.assign(this.spec, { type, id });
    this.onChange();
    this.connect();
  }

  // (Re)subscribes with the session's current user and token; the charts start over from the
  // server's snapshot.
  connect(): void {
    this.close();
    const { type, id } = this.spec;
    this.node.dataset.business = type && id ? `${type}/${id}` : "";
    if (!type || !id) {
      this.setStatus("Choose a business.");
      return;
    }
    if (!this.session.canConnect) {
      this.setStatus("Authentication is on: paste a token.");
      return;
    }
    const sub = connectRowData({ type, id, user: this.session.user, token: this.session.token || undefined });
    this.sub = sub;
    sub.on("rowdata", (msg) => this.onRowData(msg));
    sub.on("state", (s) => {
      this.node.dataset.state = s.state;
      const why = s.closeCode ? ` (${s.closeCode}${s.reason ? ` ${s.reason}` : ""})` : "";
      this.setStatus(s.state === "open" ? "live" : `${s.state}${why}`);
    });
    sub.on("error", (e) => this.setStatus(`error ${e.code}: ${e.message}`));
  }

  close(): void {
    this.sub?.close();
    this.sub = undefined;
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
    this.grid.replaceChildren(el("p", { class: "muted empty" }, "No numeric data yet."));
    this.messages = 0;
    this.node.dataset.messages = "0";
    delete this.node.dataset.state;
  }

  private onRowData(msg: RowDataMessage): void {
    const item = msg.data;
    const time = item.time || msg.ts;
    // With id *, each business gets its own line in a field's chart.
    const series = this.spec.id === "*" ? `${item.businessType}/${item.businessId || "*"}` : "";
    for (const [field, value] of numericFields(item.data)) {
      let chart = this.charts.get(field);
      if (!chart) {
        if (!this.charts.size) this.grid.replaceChildren();
        chart = new FieldChart(field, this.spec.windowMs);
        this.charts.set(field, chart);
        this.grid.append(chart.node);
      }
      chart.add(series || field, time, value);
    }
    this.messages++;
    this.node.dataset.messages = String(this.messages);
    this.node.dataset.last = formatTime(time);
    this.draw();
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

  private setStatus(text: string): void {
    this.status.textContent = text;
  }
}

// The numeric fields of a row's data: a number is "value"; an object's numbers by name, nested
// objects with dotted names ("phase.a"). Strings, booleans and arrays are not charted.
export function numericFields(data: unknown, prefix = "", depth = 0): [string, number][] {
  if (typeof data === "number") return Number.isFinite(data) ? [[prefix || "value", data]] : [];
  if (typeof data !== "object" || data === null || Array.isArray(data) || depth > 3) return [];
  return Object.entries(data).flatMap(([k, v]) => numericFields(v, prefix ? `${prefix}.${k}` : k, depth + 1));
}
