import type { Alarm, AlarmMessage } from "@pulse/client";
import { el, formatTime } from "../dom";

// The history of one alarm (GET /api/v1/alarms/{businessType}/{businessId}/{alarmId}/events) in a
// modal dialog.
export class HistoryDialog {
  readonly node = el("dialog", { class: "history", "data-testid": "history" });

  constructor() {
    this.node.addEventListener("click", (ev) => {
      if (ev.target === this.node) this.node.close(); // a click on the backdrop closes it
    });
  }

  async show(alarm: Alarm, load: () => Promise<AlarmMessage[]>): Promise<void> {
    const body = el("div", { class: "history-body" }, "Loading…");
    delete this.node.dataset.events;
    this.node.replaceChildren(
      el(
        "header",
        {},
        el("h2", {}, alarm.title || alarm.alarmId),
        el("button", { class: "icon", "aria-label": "Close", type: "button" }, "✕"),
      ),
      el("p", { class: "muted" }, `${alarm.alarmId} · ${alarm.businessType}/${alarm.businessId}`),
      body,
    );
    this.node.querySelector("header button")!.addEventListener("click", () => this.node.close());
    if (!this.node.open) this.node.showModal();
    try {
      const events = await load();
      body.replaceChildren(events.length ? this.table(events) : el("p", {}, "No stored events (retention may have purged them)."));
      this.node.dataset.events = String(events.length);
    } catch (err) {
      body.replaceChildren(el("p", { class: "error" }, `Could not load the history: ${(err as Error).message}`));
    }
  }

  private table(events: AlarmMessage[]): HTMLElement {
    const rows = events.map((e) =>
      el(
        "tr",
        { "data-seq": e.seq },
        el("td", {}, String(e.seq)),
        el("td", {}, formatTime(e.ts)),
        el("td", {}, e.event),
        el("td", {}, el("span", { class: `level ${e.data.level}` }, e.data.level)),
        el("td", {}, String(e.data.count)),
        el("td", {}, e.data.ackedBy),
        el("td", { class: "comment" }, commentOf(e)),
      ),
    );
    return el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ...["seq", "time", "event", "level", "count", "by", "comment"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...rows),
    );
  }
}

// The comment an acknowledgement or a clear carried (servers with the people's alarm API keep it
// in the alarm's state as ackComment and clearComment).
function commentOf(e: AlarmMessage): string {
  const d = e.data as { ackComment?: string; clearComment?: string };
  return (e.event === "acked" ? d.ackComment : e.event === "cleared" ? d.clearComment : "") ?? "";
}
