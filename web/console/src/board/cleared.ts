import type { Alarm } from "@pulse/client";
import { el, formatTime } from "../dom";
import { businessOf, keyOf } from "./alarms";
import type { AlarmCalls } from "./calls";

// The cleared alarms: the server's stored alarms with status cleared, newest first, in a time
// range (from/to on lastTime) and with a search of title and content, both done by the server, a
// page at a time ("Load more" follows the server's cursor).

const PAGE = 100;

export interface ClearedQuery {
  from: string; // datetime-local values ("" = open)
  to: string;
  q: string;
}

export class ClearedView {
  readonly node = el("section", { class: "cleared", "data-testid": "cleared", hidden: true });
  items: Alarm[] = [];
  private cursor = "";
  private tbody = el("tbody");
  private more = el("button", { type: "button", "data-testid": "cleared-more", hidden: true }, "Load more");
  private note = el("p", { class: "muted", role: "status" });
  private from = el("input", { type: "datetime-local", "aria-label": "From", "data-testid": "cleared-from" });
  private to = el("input", { type: "datetime-local", "aria-label": "To", "data-testid": "cleared-to" });
  private q = el("input", { type: "search", placeholder: "Search title or content", "aria-label": "Search cleared alarms", "data-testid": "cleared-q" });
  private generation = 0;
  // Called when the query changes (the board writes it into the URL).
  onQuery: (q: ClearedQuery) => void = () => {};

  constructor(private calls: AlarmCalls) {
    const search = el("button", { type: "button", "data-testid": "cleared-search" }, "Search");
    search.addEventListener("click", () => void this.load(true));
    this.q.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") void this.load(true);
    });
    for (const input of [this.from, this.to]) input.addEventListener("change", () => void this.load(true));
    this.more.addEventListener("click", () => void this.load(false));
    this.node.append(
      el("div", { class: "toolbar" }, el("label", {}, "From ", this.from), el("label", {}, "To ", this.to), this.q, search),
      el(
        "div",
        { class: "table-wrap" },
        el(
          "table",
          { class: "alarms cleared-list" },
          el("thead", {}, el("tr", {}, ...["Level", "Last", "Business", "Alarm", "Count", "Cleared by"].map((h) => el("th", {}, h)))),
          this.tbody,
        ),
      ),
      this.note,
      this.more,
    );
  }

  get query(): ClearedQuery {
    return { from: this.from.value, to: this.to.value, q: this.q.value.trim() };
  }

  setQuery(q: Partial<ClearedQuery>): void {
    if (q.from !== undefined) this.from.value = q.from;
    if (q.to !== undefined) this.to.value = q.to;
    if (q.q !== undefined) this.q.value = q.q;
  }

  // load fetches the first page (fresh) or the next one.
  async load(fresh: boolean): Promise<void> {
    const gen = ++this.generation;
    if (fresh) {
      this.items = [];
      this.cursor = "";
      this.onQuery(this.query);
    }
    const { from, to, q } = this.query;
    const fromMs = from ? new Date(from).getTime() : 0;
    const toMs = to ? new Date(to).getTime() + 59_999 : 0; // the input has minutes: to the minute's end
    this.node.dataset.loading = "true";
    try {
      const page = await this.calls.listCleared({ limit: PAGE, from: fromMs, to: toMs, q, cursor: this.cursor || undefined });
      if (gen !== this.generation) return;
      const seen = new Set(this.items.map(keyOf));
      for (const a of page.items) if (!seen.has(keyOf(a))) this.items.push(a);
      this.cursor = page.nextCursor ?? "";
      this.note.textContent = this.items.length ? `${this.items.length} cleared alarms${this.cursor ? ", more on the server" : ""}.` : "No cleared alarm in this range.";
    } catch (err) {
      if (gen !== this.generation) return;
      this.note.textContent = `Could not load the cleared alarms: ${(err as Error).message}`;
    } finally {
      if (gen === this.generation) delete this.node.dataset.loading;
    }
    this.draw();
  }

  private draw(): void {
    this.tbody.replaceChildren(
      ...this.items.map((a) =>
        el(
          "tr",
          { class: `alarm ${a.level} cleared`, "data-key": keyOf(a), "data-alarm-id": a.alarmId },
          el("td", { "data-label": "Level" }, el("span", { class: `level ${a.level}` }, a.level)),
          el("td", { "data-label": "Last" }, formatTime(a.lastTime)),
          el("td", { "data-label": "Business", class: "business" }, businessOf(a)),
          el("td", { "data-label": "Alarm", class: "title" }, el("strong", {}, a.title || a.alarmId), el("span", { class: "content" }, a.content)),
          el("td", { "data-label": "Count", class: "num" }, `×${a.count}`),
          el("td", { "data-label": "Cleared by" }, (a as { clearedBy?: string }).clearedBy ?? ""),
        ),
      ),
    );
    this.more.hidden = !this.cursor;
    this.node.dataset.rows = String(this.items.length);
    this.node.dataset.more = this.cursor ? "true" : "false";
  }
}
