import type { Api } from "@pulse/client";
import { el } from "../dom";
import type { Session } from "../session";
import { Panel, type PanelSpec } from "./panel";

const PANELS_KEY = "pulse.panels";
const DEFAULT_WINDOW = 300_000;

// The dashboard: several panels on one screen. The panels (business and window) are remembered
// in localStorage, so a wall screen comes back as it was after a reload.
export class Dashboard {
  readonly node = el("section", { class: "dashboard", "data-testid": "dashboard" });
  private panels: Panel[] = [];
  private list = el("div", { class: "panels" });

  constructor(
    private session: Session,
    private api: Api,
  ) {
    const add = el("button", { type: "button", "data-testid": "add-panel" }, "+ Add panel");
    add.addEventListener("click", () => this.add({ type: "", id: "", windowMs: DEFAULT_WINDOW }));
    this.node.append(this.list, el("div", { class: "dashboard-bar" }, add));
    const saved = loadSpecs();
    for (const spec of saved.length ? saved : [{ type: "", id: "", windowMs: DEFAULT_WINDOW }]) this.add(spec);
  }

  // The user or token changed: every panel subscribes again.
  reconnect(): void {
    for (const panel of this.panels) panel.connect();
  }

  private add(spec: PanelSpec): void {
    const panel = new Panel(spec, this.session, this.api);
    panel.onChange = () => this.save();
    panel.onRemove = () => {
      this.panels = this.panels.filter((p) => p !== panel);
      this.save();
    };
    this.panels.push(panel);
    this.list.append(panel.node);
    this.save();
  }

  private save(): void {
    localStorage.setItem(PANELS_KEY, JSON.stringify(this.panels.map((p) => p.spec)));
  }
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
