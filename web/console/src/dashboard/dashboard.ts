import type { Api, NoticeMessage } from "@pulse/client";
import { el } from "../dom";
import type { Session } from "../session";
import { Panel, WINDOWS, type PanelSpec } from "./panel";

const PANELS_KEY = "pulse.panels";
const DEFAULT_WINDOW = 300_000;
const CHART_HEIGHT = 180;
// Panels an address may open: a link is not a way to open a thousand sockets in someone's browser.
const MAX_URL_PANELS = 24;

// The dashboard: several panels on one screen. The panels (business and window) are in the
// page's address (?p=type/id/window, one per panel), so that a view can be shared as a link, and
// in localStorage, so that a wall screen comes back as it was after a reload. An address that
// names panels wins over what the browser remembers.
export class Dashboard {
  readonly node = el("section", { class: "dashboard", "data-testid": "dashboard" });
  // Called with every notice to this user a panel's socket brings (the page shows each once).
  onNotice: (n: NoticeMessage) => void = () => {};
  private panels: Panel[] = [];
  private list = el("div", { class: "panels" });
  private wall = false;

  constructor(
    private session: Session,
    private api: Api,
  ) {
    const add = el("button", { type: "button", "data-testid": "add-panel" }, "+ Add panel");
    add.addEventListener("click", () => this.add({ type: "", id: "", windowMs: DEFAULT_WINDOW }));
    this.node.append(this.list, el("div", { class: "dashboard-bar" }, add));
    const fromUrl = specsFromUrl();
    const saved = fromUrl.length ? fromUrl : loadSpecs();
    for (const spec of saved.length ? saved : [{ type: "", id: "", windowMs: DEFAULT_WINDOW }]) this.add(spec);
    addEventListener("resize", () => this.fit());
    matchMedia("(prefers-color-scheme: light)").addEventListener("change", () => this.restyle());
  }

  // The user or token changed: every panel subscribes again.
  reconnect(): void {
    for (const panel of this.panels) panel.connect();
  }

  // The session changed: an expired token stops the panels (their charts stay, marked).
  refresh(): void {
    if (this.session.authOn && this.session.expired) for (const panel of this.panels) panel.expire();
  }

  // Wall mode: the charts share the screen's height instead of keeping a fixed one.
  setWall(on: boolean): void {
    if (on === this.wall) return;
    this.wall = on;
    this.restyle();
  }

  private restyle(): void {
    for (const panel of this.panels) panel.restyle();
  }

  private add(spec: PanelSpec): void {
    const panel = new Panel(spec, this.session, this.api, () => this.chartHeight());
    panel.onChange = () => this.save();
    panel.onCharts = () => this.fit();
    panel.onNotice = (n) => this.onNotice(n);
    panel.onRemove = () => {
      this.panels = this.panels.filter((p) => p !== panel);
      this.save();
      this.fit();
    };
    this.panels.push(panel);
    this.list.append(panel.node);
    this.save();
  }

  // On a wall, the rows of charts (two charts a row in each panel, as the wall's CSS lays them
  // out) share what the header and the panels' own bars leave of the screen's height.
  private chartHeight(): number {
    if (!this.wall) return CHART_HEIGHT;
    const rows = this.panels.reduce((n, p) => n + Math.max(1, Math.ceil(p.chartCount / 2)), 0) || 1;
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const header = document.querySelector("header.top")?.getBoundingClientRect().height ?? 0;
    const chrome = this.panels.length * 5 * rem + rows * 5 * rem + 4 * rem; // bars, captions and legends
    return Math.max(CHART_HEIGHT, Math.floor((innerHeight - header - chrome) / rows));
  }

  private fit(): void {
    for (const panel of this.panels) panel.resize();
  }

  private save(): void {
    const specs = this.panels.map((p) => p.spec);
    localStorage.setItem(PANELS_KEY, JSON.stringify(specs));
    const url = new URL(location.href);
    url.searchParams.delete("p");
    for (const s of specs) if (s.type && s.id) url.searchParams.append("p", specToParam(s));
    if (url.href !== location.href) history.replaceState(history.state, "", url);
  }
}

// "meter/m-1/900" for meter/m-1 over 15 minutes; a type or id with "/" in it is percent-encoded.
function specToParam(s: PanelSpec): string {
  return `${encodeURIComponent(s.type)}/${encodeURIComponent(s.id)}/${Math.round(s.windowMs / 1000)}`;
}

function specsFromUrl(): PanelSpec[] {
  const windows = new Set(WINDOWS.map(([, ms]) => ms));
  return new URLSearchParams(location.search).getAll("p").slice(0, MAX_URL_PANELS).flatMap((p) => {
    const [type, id, seconds] = p.split("/");
    if (!type || !id) return [];
    try {
      const windowMs = Number(seconds) * 1000;
      return [{ type: decodeURIComponent(type), id: decodeURIComponent(id), windowMs: windows.has(windowMs) ? windowMs : DEFAULT_WINDOW }];
    } catch {
      return [];
    }
  });
}

function loadSpecs(): PanelSpec[] {
  try {
    const specs: unknown = JSON.parse(localStorage.getItem(PANELS_KEY) ?? "[]");
    if (!Array.isArray(specs)) return [];
    return specs
      .filter((s) => s && typeof s.type === "string" && typeof s.id === "string")
      .map((s) => ({ type: s.type, id: s.id, windowMs: Number(s.windowMs) || DEFAULT_WINDOW }));
  } catch {
    return [];
  }
}
