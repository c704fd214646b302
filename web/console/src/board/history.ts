import type { Alarm, AlarmMessage, Delivery } from "@pulse/client";
import { el, formatTime } from "../dom";

// The history of one alarm (GET /api/v1/alarms/{businessType}/{businessId}/{alarmId}/events) in a
// modal dialog, and below it its deliveries (.../deliveries): every attempt to notify someone of it.
export class HistoryDialog {
  readonly node = el("dialog", { class: "history", "data-testid": "history" });

  constructor() {
    this.node.addEventListener("click", (ev) => {
      if (ev.target === this.node) this.node.close(); // a click on the backdrop closes it
    });
  }

  async show(alarm: Alarm, load: () => Promise<AlarmMessage[]>, deliveries?: () => Promise<Delivery[]>): Promise<void> {
    const body = el("div", { class: "history-body" }, "Loading…");
    const sent = el("div", { class: "history-body", "data-testid": "deliveries" }, deliveries ? "Loading…" : "");
    delete this.node.dataset.events;
    delete this.node.dataset.deliveries;
    this.node.replaceChildren(
      el(
        "header",
        {},
        el("h2", {}, alarm.title || alarm.alarmId),
        el("button", { class: "icon", "aria-label": "Close", type: "button" }, "✕"),
      ),
      el("p", { class: "muted" }, `${alarm.alarmId} · ${alarm.businessType}/${alarm.businessId}`),
      body,
      deliveries ? el("h3", {}, "Deliveries") : "",
      sent,
    );
    if (deliveries) void this.showDeliveries(sent, deliveries);
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

  private async showDeliveries(into: HTMLElement, load: () => Promise<Delivery[]>): Promise<void> {
    try {
      const list = await load();
      into.replaceChildren(list.length ? deliveryTable(list) : el("p", { class: "muted" }, "No deliveries: nobody was notified of this alarm."));
      this.node.dataset.deliveries = String(list.length);
    } catch (err) {
      into.replaceChildren(el("p", { class: "error" }, `Could not load the deliveries: ${(err as Error).message}`));
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
        el("td", {}, e.event === "silenced" || e.event === "unsilenced" ? e.data.silenced?.createdBy ?? "" : e.data.ackedBy),
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
  if (e.event === "silenced") return e.data.silenced?.comment ?? "";
  return (e.event === "acked" ? d.ackComment : e.event === "cleared" ? d.clearComment : "") ?? "";
}

// deliveryTable shows notification records: when, the kind of notification, the outlet and
// recipient, the attempt and what came of it (errors are cut by the server to scheme, host and
// status; a cancelled reminder or escalation says why).
function deliveryTable(list: Delivery[]): HTMLElement {
  const text = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  const when = (d: Delivery) => {
    const t = d.time ?? (d as { at?: number }).at ?? (d as { sentAt?: number }).sentAt;
    return typeof t === "number" ? formatTime(t) : text(t);
  };
  const rows = list.map((d) =>
    el(
      "tr",
      { "data-delivery": text(d.id), "data-status": text(d.status) },
      el("td", {}, when(d)),
      el("td", {}, text(d.kind)),
      el("td", {}, [d.route, d.step].filter(Boolean).join(" · ")),
      el("td", {}, text(d.outlet)),
      el("td", {}, text(d.target)),
      el("td", {}, text(d.attempt)),
      el("td", {}, text(d.status)),
      el("td", { class: "comment" }, text(d.error ?? d.reason)),
    ),
  );
  return el(
    "table",
    { class: "deliveries" },
    el("thead", {}, el("tr", {}, ...["time", "kind", "route", "outlet", "to", "attempt", "status", "error / reason"].map((h) => el("th", {}, h)))),
    el("tbody", {}, ...rows),
  );
}
