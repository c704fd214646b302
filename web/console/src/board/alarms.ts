import type { Alarm, AlarmMessage } from "@pulse/client";

// The board's model: the latest state of every alarm that is not cleared, keyed by alarmId, so
// a repeat updates its row (and count) instead of adding one.

export const LEVELS = ["critical", "major", "minor", "warning", "info"] as const;
export type Level = (typeof LEVELS)[number];

const rank = (level: string) => {
  const i = LEVELS.indexOf(level as Level);
  return i < 0 ? LEVELS.length : i;
};

export interface Filter {
  level: string; // "" = any
  status: string; // "" = any
  business: string; // substring of "type/id"
  text: string; // substring of alarmId, title or content
}

export class AlarmState {
  private byId = new Map<string, Alarm>();

  // Applies one event; returns true when it raised an alarm that was not on the board (a new
  // alarm, or one raised again after it was cleared).
  apply(msg: AlarmMessage): boolean {
    const alarm = msg.data;
    const known = this.byId.has(alarm.alarmId);
    if (alarm.status === "cleared") {
      this.byId.delete(alarm.alarmId);
      return false;
    }
    this.byId.set(alarm.alarmId, alarm);
    return msg.event === "raised" && !known;
  }

  clear(): void {
    this.byId.clear();
  }

  get size(): number {
    return this.byId.size;
  }

  get(alarmId: string): Alarm | undefined {
    return this.byId.get(alarmId);
  }

  // Alarms on the board per level.
  counts(): Record<Level, number> {
    const counts = { critical: 0, major: 0, minor: 0, warning: 0, info: 0 };
    for (const a of this.byId.values()) {
      if (a.level in counts) counts[a.level as Level]++;
    }
    return counts;
  }

  // The alarms the filter lets through, most severe first, then the most recently raised.
  list(filter: Filter): Alarm[] {
    const business = filter.business.trim().toLowerCase();
    const text = filter.text.trim().toLowerCase();
    const out: Alarm[] = [];
    for (const a of this.byId.values()) {
      if (filter.level && a.level !== filter.level) continue;
      if (filter.status && a.status !== filter.status) continue;
      if (business && !`${a.businessType}/${a.businessId}`.toLowerCase().includes(business)) continue;
      if (text && !`${a.alarmId}\n${a.title}\n${a.content}`.toLowerCase().includes(text)) continue;
      out.push(a);
    }
    return out.sort(
      (x, y) => rank(x.level) - rank(y.level) || y.lastTime - x.lastTime || (x.alarmId < y.alarmId ? -1 : 1),
    );
  }
}
