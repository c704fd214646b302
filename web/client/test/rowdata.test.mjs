// connectRowData against a real pulse: the snapshot and live data of a business, frames that hold
// several messages, names that need encoding, and the connection's states.

import assert from "node:assert/strict";
import test from "node:test";

import { connectRowData } from "../dist/index.js";
import { freePort, gate, record, startPulse, until } from "../test-helpers/pulse.mjs";

test("row data: the snapshot, then live items, each once and in order, from frames holding several", async (t) => {
  // A long write delay makes the server put what it has queued into one frame.
  const pulse = await startPulse(t, { ws: { writeDelay: "200ms" } });
  const item = (n) => ({ businessType: "电表", businessId: "line/7", time: 1_764_600_000_000 + n, data: { n, voltage: 230 + n } });
  await pulse.publishRowData([0, 1, 2, 3, 4].map(item));

  const g = gate(await freePort());
  const sub = connectRowData({ baseUrl: pulse.baseUrl, type: "电表", id: "line/7", user: "张三", WebSocket: g.WebSocket, transport: "websocket" });
  t.after(() => sub.close());
  const rows = [];
  sub.on("rowdata", (m) => rows.push(m));
  const log = record(sub, ["state", "error"]);

  await until(() => rows.length === 5, "the 5 snapshot items");
  await pulse.publishRowData(Array.from({ length: 30 }, (_, i) => item(5 + i)));
  await until(() => rows.length >= 35, "the 30 live items");

  assert.deepEqual(rows.map((m) => m.data.data.n), Array.from({ length: 35 }, (_, i) => i));
  assert.deepEqual(rows.map((m) => m.snapshot === true), Array.from({ length: 35 }, (_, i) => i < 5));
  assert.equal(rows[0].data.businessType, "电表");
  assert.equal(rows[0].data.businessId, "line/7");
  assert.ok(g.frames.some((f) => f.split("\n").filter(Boolean).length > 1), "no frame held several messages");
  assert.equal(g.urls[0].pathname, "/ws/rowdata/%E7%94%B5%E8%A1%A8/line%2F7/%E5%BC%A0%E4%B8%89");

  assert.equal(sub.state, "open");
  sub.close();
  assert.equal(sub.state, "closed");
  assert.deepEqual(
    log.map((e) => `${e.name}:${e.value.state ?? e.value.message}`),
    ["state:connecting", "state:open", "state:closed"],
  );
});

test("row data: an item published to another id of the type is not delivered to (T, I)", async (t) => {
  const pulse = await startPulse(t);
  const sub = connectRowData({ baseUrl: pulse.baseUrl, type: "meter", id: "m-1", user: "alice" });
  t.after(() => sub.close());
  const rows = [];
  sub.on("rowdata", (m) => rows.push(m));
  await until(() => sub.state === "open", "the connection to open");
  await pulse.publishRowData([
    { businessType: "meter", businessId: "m-10", data: { v: "other" } },
    { businessType: "meter", businessId: "m-1", data: { v: "mine" } },
  ]);
  await until(() => rows.length >= 1, "the item of m-1");
  // m-10's item was published first, so it would have come before m-1's.
  assert.deepEqual(rows.map((m) => m.data.data.v), ["mine"]);
});

test("options that cannot work are refused at once", () => {
  assert.throws(() => connectRowData({ baseUrl: "http://127.0.0.1:1", type: "", id: "x", user: "u" }), /type must be a non-empty string/);
  assert.throws(() => connectRowData({ baseUrl: "ftp://x", type: "t", id: "x", user: "u" }), /scheme must be http, https, ws or wss/);
  assert.throws(() => connectRowData({ type: "t", id: "x", user: "u" }), /baseUrl: required outside a browser/);
  assert.throws(
    () => connectRowData({ baseUrl: "http://127.0.0.1:1", type: "t", id: "x", user: "u", backoff: { initialMs: 0 } }),
    /backoff: need 0 < initialMs <= maxMs/,
  );
});
