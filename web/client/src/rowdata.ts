// connectRowData follows the row data of one business, or of every business of a type (id "*").

import { Connection } from "./connection.js";
import { Emitter } from "./emitter.js";
import type { NoticeMessage, Options, RowDataEvents, RowDataMessage, Subscription } from "./types.js";

export function connectRowData(o: Options & { type: string; id: string; user: string }): Subscription<RowDataEvents> {
  for (const [name, value] of [["type", o.type], ["id", o.id], ["user", o.user]] as const) {
    if (typeof value !== "string" || value === "") throw new TypeError(`connectRowData: ${name} must be a non-empty string`);
  }
  // Each segment on its own, so that "/" in a name travels as %2F (PROTOCOL §1).
  const path = "/ws/rowdata/" + [o.type, o.id, o.user].map(encodeURIComponent).join("/");
  const events = new Emitter<RowDataEvents>();
  const conn = new Connection(o, events, {
    path: () => path,
    message(msg) {
      if (msg.type === "rowdata") events.emit("rowdata", msg as RowDataMessage);
      else if (msg.type === "coalesced") events.emit("coalesced", { skipped: Number((msg as { skipped?: unknown }).skipped) || 0 });
      else if (msg.type === "notice") events.emit("notice", msg as NoticeMessage);
    },
  });
  return {
    on: (event, fn) => events.on(event, fn),
    get state() {
      return conn.state;
    },
    close: () => conn.close(),
    setToken: (token) => conn.setToken(token),
    retryNow: () => conn.retryNow(),
  };
}
