// connectAlarms follows the alarm stream and resumes it with the seq of the last event it saw,
// so that a reconnect loses nothing and repeats nothing (PROTOCOL §1 /ws/alarm).

import { Connection } from "./connection.js";
import { Emitter } from "./emitter.js";
import type { AlarmEvents, AlarmMessage, NoticeMessage, Options, Subscription } from "./types.js";

export interface AlarmSubscription extends Subscription<AlarmEvents> {
  // The seq to resume from: the greatest seq of an alarm event or of synced seen so far.
  readonly lastSeq: number;
  // Acknowledges an alarm on the open socket; user is needed with auth off only (with auth on the
  // user is the token's sub). Throws when not connected. Success is the "acked" alarm event;
  // a refusal an "error" event.
  ack(alarmId: string, user?: string): void;
}

// user (auth off) names whose notices the console receives (?user=); with auth on the token's sub
// is the user, and user may be left out.
export function connectAlarms(o: Options & { since?: number; user?: string }): AlarmSubscription {
  if (o.user !== undefined && (typeof o.user !== "string" || o.user === "")) {
    throw new TypeError("connectAlarms: user must be a non-empty string when given");
  }
  const userParam = o.user === undefined ? "" : `user=${encodeURIComponent(o.user)}`;
  if (o.since !== undefined && !(Number.isSafeInteger(o.since) && o.since >= 0)) {
    throw new TypeError(`connectAlarms: since must be an integer >= 0 (the seq of the last event you have), got ${o.since}`);
  }
  // Without since, the server sends the current state of every alarm that is not cleared; with
  // it, every event after it. Once the client has seen a seq it always resumes from it.
  let resumable = o.since !== undefined;
  let lastSeq = o.since ?? 0;
  const events = new Emitter<AlarmEvents>();
  const conn = new Connection(o, events, {
    path: () => {
      const query = [resumable ? `since=${lastSeq}` : "", userParam].filter(Boolean).join("&");
      return query ? `/ws/alarm?${query}` : "/ws/alarm";
    },
    message(msg) {
      const m = msg as { type: string; seq?: unknown };
      switch (m.type) {
        case "alarm":
          if (typeof m.seq === "number" && m.seq > lastSeq) lastSeq = m.seq;
          resumable = true;
          events.emit("alarm", msg as AlarmMessage);
          break;
        case "synced":
          // With auth on, synced may be past the last alarm this console may see: keep the greater.
          if (typeof m.seq === "number" && m.seq > lastSeq) lastSeq = m.seq;
          resumable = true;
          events.emit("synced", { seq: typeof m.seq === "number" ? m.seq : lastSeq });
          break;
        case "notice":
          events.emit("notice", msg as NoticeMessage);
          break;
        case "reset":
          // This store cannot continue from lastSeq: the current state and synced follow.
          lastSeq = 0;
          resumable = false;
          events.emit("reset", {});
          break;
        // pong and types added later: ignored
      }
    },
  });
  return {
    on: (event, fn) => events.on(event, fn),
    get state() {
      return conn.state;
    },
    get lastSeq() {
      return lastSeq;
    },
    close: () => conn.close(),
    setToken: (token) => conn.setToken(token),
    retryNow: () => conn.retryNow(),
    ack(alarmId: string, user?: string) {
      if (typeof alarmId !== "string" || alarmId === "") throw new TypeError("ack: alarmId must be a non-empty string");
      conn.send(user === undefined ? { type: "ack", alarmId } : { type: "ack", alarmId, user });
    },
  };
}
