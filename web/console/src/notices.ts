import type { NoticeMessage } from "@pulse/client";
import { el, formatTime } from "./dom";

// Notices are messages to this user ("alarm X is yours"), not alarms: they come over the same
// sockets but are not stored, not acknowledged and never join the board. They show in a tray of
// their own, in a corner, newest first, each with its title, content, level and sender, until
// dismissed. A notice that names an alarm (data.alarmId with its business) opens it on a click.

// How many notices the tray keeps: older ones go.
const MAX_NOTICES = 20;

// AlarmLink is the alarm a notice names in its data, if any.
export interface AlarmLink {
  businessType: string;
  businessId: string;
  alarmId: string;
}

export function alarmOf(n: NoticeMessage): AlarmLink | undefined {
  const d = n.data.data as { alarmId?: unknown } | undefined;
  if (typeof d?.alarmId !== "string" || !d.alarmId) return undefined;
  return { businessType: n.data.businessType, businessId: n.data.businessId, alarmId: d.alarmId };
}

export class NoticeTray {
  readonly node = el("section", { class: "user-notices", "aria-label": "Notices to you", "data-testid": "notices", "aria-live": "polite" });
  // Called when a notice that names an alarm is clicked.
  onOpenAlarm: (a: AlarmLink) => void = () => {};
  // The same notice comes over every socket of this user (the board's and each chart's): shown once.
  private seen = new Set<string>();

  show(n: NoticeMessage): void {
    const id = JSON.stringify([n.ts, n.data.from, n.data.title, n.data.businessType, n.data.businessId]);
    if (this.seen.has(id)) return;
    this.seen.add(id);
    const alarm = alarmOf(n);
    const close = el("button", { type: "button", class: "icon", "aria-label": "Dismiss", "data-action": "dismiss" }, "✕");
    const open = alarm ? el("button", { type: "button", "data-action": "open-alarm" }, "Open alarm") : null;
    const item = el(
      "article",
      { class: `user-notice ${n.data.level}`, "data-testid": "notice", "data-level": n.data.level, "data-alarm-id": alarm?.alarmId },
      el("header", {}, el("span", { class: `level ${n.data.level}` }, n.data.level), el("strong", { class: "notice-title" }, n.data.title), close),
      n.data.content ? el("p", { class: "notice-content" }, n.data.content) : null,
      el("p", { class: "muted" }, `${n.data.from ? `from ${n.data.from} · ` : ""}${n.data.businessType}/${n.data.businessId} · ${formatTime(n.ts)}`),
      open,
    );
    close.addEventListener("click", () => this.dismiss(item, id));
    if (alarm) {
      item.classList.add("links");
      item.addEventListener("click", (ev) => {
        if ((ev.target as HTMLElement).closest("[data-action=dismiss]")) return;
        this.onOpenAlarm(alarm);
      });
    }
    this.node.prepend(item);
    while (this.node.childElementCount > MAX_NOTICES) this.node.lastElementChild!.remove();
  }

  private dismiss(item: HTMLElement, id: string): void {
    item.remove();
    this.seen.delete(id);
  }
}
