import { PulseError, type Alarm, type AlarmMessage, type AlarmPage, type AlarmRef, type AlarmTarget, type Api, type Change, type Delivery, type NewSilence, type Silence } from "@pulse/client";
import type { Session } from "../session";

// The board's calls to the people's alarm API, through the client library: every alarm is named
// by its business and id (the canonical paths), so that one alarmId in two businesses is never
// ambiguous, and each change carries the user (auth off) and the comment.

// target names an alarm for the API: by its business, or by its id alone for an alarm published
// without a business type (it has no canonical path).
export function target(a: Alarm): AlarmTarget {
  return a.businessType && a.businessId ? refOf(a) : a.alarmId;
}

const refOf = (a: AlarmRef): AlarmRef => ({ businessType: a.businessType, businessId: a.businessId, alarmId: a.alarmId });

export interface ClearedQuery {
  from?: number;
  to?: number;
  q?: string;
  limit: number;
  cursor?: string;
}

export class AlarmCalls {
  constructor(
    private api: Api,
    private session: Session,
  ) {}

  // With auth on the server takes the user from the token; with it off, from the body.
  private change(comment: string): Change {
    return { ...(this.session.authOn ? {} : { user: this.session.user }), ...(comment ? { comment } : {}) };
  }

  ack(a: Alarm, comment = ""): Promise<Alarm> {
    return this.api.ack(target(a), this.change(comment));
  }

  clear(a: Alarm, comment = ""): Promise<Alarm> {
    return this.api.clear(target(a), this.change(comment));
  }

  events(a: Alarm): Promise<AlarmMessage[]> {
    return this.api.alarmEvents(target(a));
  }

  // Acknowledges many alarms with one comment in one request (POST /api/v1/alarms/ack), at most
  // 500 a request; each is acknowledged or refused on its own. Returns how many were acknowledged
  // and why the others were refused.
  async ackMany(alarms: Alarm[], comment: string): Promise<{ acked: number; refused: string[] }> {
    let acked = 0;
    const refused: string[] = [];
    const named = alarms.filter((a) => typeof target(a) !== "string");
    for (let i = 0; i < named.length; i += 500) {
      for (const item of await this.api.bulkAck(named.slice(i, i + 500).map(refOf), this.change(comment))) {
        if (item.ok) acked++;
        else refused.push(`${item.alarmId}: ${item.message ?? "refused"}`);
      }
    }
    for (const a of alarms.filter((a) => typeof target(a) === "string")) {
      try {
        await this.ack(a, comment);
        acked++;
      } catch (err) {
        refused.push(`${a.alarmId}: ${(err as Error).message}`);
      }
    }
    return { acked, refused };
  }

  // silence makes a silence; with auth off it names the session's user as its creator.
  silence(s: NewSilence): Promise<Silence> {
    return this.api.createSilence(this.session.authOn ? s : { ...s, user: this.session.user });
  }

  silences(): Promise<Silence[]> {
    return this.api.silences();
  }

  unsilence(id: string): Promise<void> {
    return this.api.deleteSilence(id);
  }

  // deliveries are the alarm's notification records; none when the server has no notifications
  // (404: a server without them, or an alarm it does not know).
  async deliveries(a: Alarm): Promise<Delivery[]> {
    try {
      return await this.api.deliveries(target(a));
    } catch (err) {
      if (err instanceof PulseError && err.status === 404) return [];
      throw err;
    }
  }

  // A page of cleared alarms, newest first (GET /api/v1/alarms?status=cleared&from&to&q&cursor).
  listCleared(q: ClearedQuery): Promise<AlarmPage> {
    return this.api.listAlarms({ status: "cleared", limit: q.limit, from: q.from || undefined, to: q.to || undefined, q: q.q || undefined, cursor: q.cursor });
  }
}
