// The event-stream fallback against a real pulse: behind a proxy that refuses WebSocket upgrades
// the client follows alarms over GET /sse/alarm, says so in its state, and resumes with since.

import assert from "node:assert/strict";
import test from "node:test";

import { connectAlarms, connectRowData, expOf } from "../dist/index.js";
import { authConfig, mintToken, noUpgradeProxy, Pulse, record, startPulse, until } from "../test-helpers/pulse.mjs";

const alarm = (n) => ({ alarmId: `a-${n}`, businessType: "meter", businessId: "m-1", level: "major", title: `alarm ${n}` });
const seqsOf = (log) => log.filter((e) => e.name === "alarm").map((e) => e.value.seq);

test("alarms fall back to an event stream where WebSocket is refused, and resume across a restart", async (t) => {
  const pulse = await startPulse(t);
  assert.deepEqual(await pulse.raiseAlarms([alarm(1), alarm(2)]), [1, 2]);
  const proxy = await noUpgradeProxy(t, pulse.baseUrl);

  const sub = connectAlarms({ baseUrl: proxy.baseUrl, backoff: { initialMs: 20, maxMs: 200 }, sseAfterFailures: 2 });
  t.after(() => sub.close());
  const log = record(sub, ["alarm", "synced", "state", "error"]);
  await until(() => log.some((e) => e.name === "synced"), "synced over the stream");
  const states = () => log.filter((e) => e.name === "state").map((e) => e.value);
  const open = states().find((s) => s.state === "open");
  assert.equal(open.transport, "sse", "the open state says the transport");
  assert.equal(proxy.refused, 2, "two refused WebSocket attempts, then the stream");
  assert.deepEqual(
    states().filter((s) => s.state === "connecting").map((s) => s.transport),
    ["websocket", "websocket", "sse"],
  );
  assert.deepEqual(seqsOf(log), [1, 2]);

  assert.deepEqual(await pulse.raiseAlarms([alarm(3)]), [3]);
  await until(() => sub.lastSeq === 3, "a live alarm over the stream");
  assert.throws(() => sub.ack("a-3"), /event stream/);

  // The server restarts (same port and database); alarms raised meanwhile arrive once each.
  await pulse.stop("SIGTERM");
  await until(() => sub.state === "reconnecting", "the client to notice the stream ended");
  const again = new Pulse({ dir: pulse.dir, port: pulse.port, db: pulse.db });
  t.after(() => again.stop("SIGKILL"));
  await again.start();
  assert.deepEqual(await again.raiseAlarms([alarm(4), alarm(5)]), [4, 5]);
  await until(() => sub.lastSeq === 5, "the alarms raised while it was away");
  assert.deepEqual(await again.raiseAlarms([alarm(6)]), [6]);
  await until(() => sub.lastSeq === 6, "live again");
  assert.deepEqual(seqsOf(log), [1, 2, 3, 4, 5, 6]);
  assert.equal(states().at(-1).transport, "sse");
  assert.equal(proxy.refused, 2, "once a stream has opened, the client keeps to streams");
  assert.deepEqual(log.filter((e) => e.name === "error"), []);
});

test("transport sse follows row data as an event stream: snapshot, then live", async (t) => {
  const pulse = await startPulse(t);
  await pulse.publishRowData([{ businessType: "meter", businessId: "m-1", data: { v: 1 } }]);
  const sub = connectRowData({ baseUrl: pulse.baseUrl, type: "meter", id: "m-1", user: "u", transport: "sse" });
  t.after(() => sub.close());
  const log = record(sub, ["rowdata", "state"]);
  await until(() => log.some((e) => e.name === "rowdata"), "the snapshot");
  await pulse.publishRowData([
    { businessType: "meter", businessId: "m-2", data: { v: 99 } },
    { businessType: "meter", businessId: "m-1", data: { v: 2 } },
  ]);
  await until(() => log.filter((e) => e.name === "rowdata").length === 2, "the live item");
  const rows = log.filter((e) => e.name === "rowdata").map((e) => [e.value.snapshot === true, e.value.data.businessId, e.value.data.data.v]);
  assert.deepEqual(rows, [[true, "m-1", 1], [false, "m-1", 2]]);
  assert.ok(log.filter((e) => e.name === "state").every((e) => e.value.transport === "sse"));
});

test("a stream ends with event auth at its token's exp (4401), and a stream refreshed before exp is reopened with the new token", async (t) => {
  const auth = authConfig();
  const pulse = await startPulse(t, { auth });
  const backoff = { initialMs: 20, maxMs: 200 };
  // No refresh callback: the server ends the stream at exp with {"code":4401}; setToken comes back.
  const lapsed = connectAlarms({ baseUrl: pulse.baseUrl, token: mintToken(auth.secret, "alice", 3), transport: "sse", backoff });
  t.after(() => lapsed.close());
  const lapsedLog = record(lapsed, ["alarm", "state"]);
  const expired = await until(() => lapsedLog.find((e) => e.name === "state" && e.value.closeCode === 4401)?.value, "the 4401 end");
  assert.equal(expired.transport, "sse");
  lapsed.setToken(mintToken(auth.secret, "alice", 60));
  await until(() => lapsed.state === "open", "open again with the new token");

  // With a refresh callback: reopened before exp with each new token, resuming with since.
  const token = mintToken(auth.secret, "alice", 4);
  const firstExp = expOf(token);
  const kept = connectAlarms({ baseUrl: pulse.baseUrl, token, refreshToken: async () => mintToken(auth.secret, "alice", 4), transport: "sse", backoff });
  t.after(() => kept.close());
  const keptLog = record(kept, ["alarm", "state", "error"]);
  await until(() => kept.state === "open", "the stream to open");
  assert.deepEqual(await pulse.raiseAlarms([alarm(1)]), [1]);
  await until(() => kept.lastSeq === 1, "the first alarm");
  await until(() => Date.now() > (firstExp + 1) * 1000, "past the first token's exp");
  assert.deepEqual(await pulse.raiseAlarms([alarm(2)]), [2]);
  await until(() => kept.lastSeq === 2 && lapsed.lastSeq === 2, "the alarm after the first token's exp");
  assert.deepEqual(seqsOf(keptLog), [1, 2]);
  assert.ok(!keptLog.some((e) => e.name === "state" && e.value.closeCode === 4401), "reopened before exp, never ended by it");
  assert.deepEqual(keptLog.filter((e) => e.name === "error"), []);
});
