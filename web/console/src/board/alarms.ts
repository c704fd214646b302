import type { Alarm, AlarmMessage } from "@pulse/client";

// The board's model: the latest state of every alarm that is not cleared, keyed by the alarm's
// business and id (the same alarmId under two businesses is two alarms), so a repeat updates its
// row (and count) instead of adding one.

export const LEVELS = ["critical", "major", "minor", "warning", "info"] as const;
export type Level = (typeof LEVELS)[number];
export type Grouping = "" | "business" | "title";

export const rank = (level: string) => {
  const i = LEVELS.indexOf(level as Level);
  return i < 0 ? LEVELS.length : i;
};

// keyOf names an alarm on the board: its (businessType, businessId, alarmId) triple.
export const keyOf = (a: { businessType: string; businessId: string; alarmId: string }) =>
  JSON.stringify([a.businessType, a.businessId, a.alarmId]);

export const businessOf = (a: Alarm) => (a.businessType ? `${a.businessType}/${a.businessId}` : a.businessId);

// nameOf is how an action names the alarm it acted on: "Over-voltage · meter/m-1".
export const nameOf = (a: Alarm) => `${a.title || a.alarmId} · ${businessOf(a)}`;

export interface Filter {
  level: string; // "" = any
  status: string; // "" = any
  business: string; // substring of "type/id"
  text: string; // substring of alarmId, title or content
}

export const noFilter: Filter = { level: "", status: "", business: "", text: "" };

export function matches(a: Alarm, filter: Filter): boolean {
  const business = filter.business.trim().toLowerCase();
  const text = filter.text.trim().toLowerCase();
  if (filter.level && a.level !== filter.level) return false;
  if (filter.status && a.status !== filter.status) return false;
  if (business && !`${a.businessType}/${a.businessId}`.toLowerCase().includes(business)) return false;
  if (text && !`${a.alarmId}\n${a.title}\n${a.content}`.toLowerCase().includes(text)) return false;
  return true;
}

// What one event did to the board, for the alerts: a critical that is new, that was of a lower
// level before (escalated), or that was acknowledged and is raised again.
export interface Change {
  isNew: boolean;
  alert: "" | "new" | "escalated" | "reraised";
}

export class AlarmState {
  private byKey = new Map<string, Alarm>();
  // Alarms acknowledged and then raised again: the server keeps them acked, the board shows it.
  readonly reraised = new Set<string>();

  apply(msg: AlarmMessage): Change {
    const alarm = msg.data;
    const key = keyOf(alarm);
    const before = this.byKey.get(key);
    if (alarm.status === "cleared") {
      this.byKey.delete(key);
      this.reraised.delete(key);
      return { isNew: false, alert: "" };
    }
    this.byKey.set(key, alarm);
    if (alarm.status !== "acked") this.reraised.delete(key);
    const raise = msg.event === "raised" || msg.event === "repeated";
    if (!raise) return { isNew: false, alert: "" };
    if (before?.status === "acked") this.reraised.add(key);
    const critical = alarm.level === "critical";
    if (!before) return { isNew: msg.event === "raised", alert: critical ? "new" : "" };
    if (critical && before.level !== "critical") return { isNew: false, alert: "escalated" };
    if (critical && before.status === "acked") return { isNew: false, alert: "reraised" };
    return { isNew: false, alert: "" };
  }

  clear(): void {
    this.byKey.clear();
    this.reraised.clear();
  }

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): Alarm | undefined {
    return this.byKey.get(key);
  }

  values(): IterableIterator<Alarm> {
    return this.byKey.values();
  }

  // Alarms on the board per level: unacknowledged and total.
  counts(): Record<Level, { unacked: number; total: number }> {
    const counts = Object.fromEntries(LEVELS.map((l) => [l, { unacked: 0, total: 0 }])) as Record<Level, { unacked: number; total: number }>;
    for (const a of this.byKey.values()) {
      const c = counts[a.level as Level];
      if (!c) continue;
      c.total++;
      if (a.status === "active") c.unacked++;
    }
    return counts;
  }

  // The alarms the filter lets through: unacknowledged first, then the most severe, then the most
  // recently raised.
  list(filter: Filter): Alarm[] {
    const out: Alarm[] = [];
    for (const a of this.byKey.values()) if (matches(a, filter)) out.push(a);
    return out.sort(compare);
  }
}

export function compare(x: Alarm, y: Alarm): number {
  const acked = (a: Alarm) => (a.status === "acked" ? 1 : 0);
  return (
    acked(x) - acked(y) ||
    rank(x.level) - rank(y.level) ||
    y.lastTime - x.lastTime ||
    (x.businessType < y.businessType ? -1 : x.businessType > y.businessType ? 1 : 0) ||
    (x.businessId < y.businessId ? -1 : x.businessId > y.businessId ? 1 : 0) ||
    (x.alarmId < y.alarmId ? -1 : x.alarmId > y.alarmId ? 1 : 0)
  );
}

// groupOf names the group an alarm is shown in.
export function groupOf(a: Alarm, grouping: Grouping): string {
  return grouping === "business" ? businessOf(a) : grouping === "title" ? a.title || a.alarmId : "";
}
