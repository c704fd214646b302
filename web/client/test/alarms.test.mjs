// connectAlarms against a real pulse: resuming across a server restart without loss or
// duplicate, reset when the store cannot continue, acknowledging, and the HTTP API.

import assert from "node:assert/strict";
import { join } from "node:path";
import test from "node:test";

import { connectAlarms, createApi, PulseError } from "../dist/index.js";
import { freePort, gate, Pulse, record, startPulse, until } from "../test-helpers/pulse.mjs";

const alarm = (n, extra = {}) => ({ alarmId: `a-${n}`, businessType: "meter", businessId: "m-1", level: "major", title: `alarm ${n}`, ...extra });
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const seqsOf = (log) => log.filter((e) => e.name === "alarm").map((e) => e.value.seq);

test("alarms resume across a server restart: every seq once, in order", async (t) => {
  const first = await startPulse(t);
  assert.deepEqual(await first.raiseAlarms(range(1, 3).map((n) => alarm(n))), [1, 2, 3]);

  const g = gate(await freePort());
  const sub = connectAlarms({ baseUrl: first.baseUrl, WebSocket: g.WebSocket, transport: "websocket", backoff: { initialMs: 20, maxMs: 200 } });
  t.after(() => sub.close());
  const log = record(sub, ["alarm", "synced", "reset", "state", "error"]);
  await until(() => log.some((e) => e.name === "synced"), "synced after the current state");
  assert.deepEqual(seqsOf(log), [1, 2, 3]);
  assert.equal(sub.lastSeq, 3);

  // The server goes away; while the client is offline the restarted server (same port, same
  // database) takes more alarms, repeats included.
  g.open = false;
  await first.stop("SIGTERM");
  await until(() => sub.state === "reconnecting", "the client to notice");
  const second = new Pulse({ dir: first.dir, port: first.port, db: first.db });
  t.after(() => second.stop("SIGKILL"));
  await second.start();
  assert.deepEqual(await second.raiseAlarms([alarm(4), alarm(1), alarm(5), alarm(6), alarm(2)]), [4, 5, 6, 7, 8]);

  g.open = true;
  await until(() => sub.lastSeq === 8, "the missed alarms");
  assert.equal(g.urls.at(-1).searchParams.get("since"), "3");
  assert.deepEqual(await second.raiseAlarms([alarm(7), alarm(3)]), [9, 10]);
  await until(() => sub.lastSeq === 10, "the live alarms");

  assert.deepEqual(seqsOf(log), range(1, 10));
  const events = log.filter((e) => e.name === "alarm").map((e) => `${e.value.data.alarmId}:${e.value.event}:${e.value.data.count}`);
  assert.deepEqual(events.slice(3), ["a-4:raised:1", "a-1:repeated:2", "a-5:raised:1", "a-6:raised:1", "a-2:repeated:2", "a-7:raised:1", "a-3:repeated:2"]);
  assert.equal(log.filter((e) => e.name === "reset").length, 0);
  assert.deepEqual(log.filter((e) => e.name === "error"), []);

  const states = log.filter((e) => e.name === "state").map((e) => e.value);
  assert.deepEqual(states.slice(0, 2).map((s) => s.state), ["connecting", "open"]);
  const lost = states[2];
  assert.equal(lost.state, "reconnecting");
  assert.equal(lost.closeCode, 1001, "a server shutting down closes with 1001 going away");
  assert.equal(typeof lost.retryInMs, "number");
  assert.equal(states.at(-1).state, "open");
  // Attempts refused while offline count up, and each is reported.
  const refused = states.filter((s) => s.state === "reconnecting").slice(1);
  assert.ok(refused.length >= 1);
  assert.deepEqual(refused.map((s) => s.attempt), range(2, refused.length + 1));
  assert.ok(refused.every((s) => s.closeCode === 1006), "an attempt that cannot connect is reported as 1006");
});

test("alarms: retryNow reconnects at once after a restart, not at the end of the back-off, and resumes with since", async (t) => {
  const first = await startPulse(t);
  assert.deepEqual(await first.raiseAlarms([alarm(1)]), [1]);
  // A back-off of up to 23 days (a random wait below it): only retryNow can bring the client back
  // while the test waits.
  const day = 86_400_000;
  const sub = connectAlarms({ baseUrl: first.baseUrl, backoff: { initialMs: 23 * day, maxMs: 23 * day } });
  t.after(() => sub.close());
  const log = record(sub, ["alarm", "synced", "state"]);
  await until(() => log.some((e) => e.name === "synced"), "synced after the current state");
  sub.retryNow(); // open: nothing to do
  assert.equal(sub.state, "open");

  await first.stop("SIGTERM");
  await until(() => sub.state === "reconnecting", "the client to notice");
  const second = new Pulse({ dir: first.dir, port: first.port, db: first.db });
  t.after(() => second.stop("SIGKILL"));
  await second.start();
  assert.deepEqual(await second.raiseAlarms([alarm(2)]), [2]);

  sub.retryNow();
  await until(() => sub.state === "open", "retryNow reconnects");
  await until(() => sub.lastSeq === 2, "the alarm raised after the restart");
  assert.deepEqual(seqsOf(log), [1, 2], "resumed with since: nothing lost, nothing twice");
});

test("alarms: a since the store cannot continue gives reset, then the current state and synced", async (t) => {
  const first = await startPulse(t);
  await first.raiseAlarms(range(1, 5).map((n) => alarm(n)));

  const g = gate(await freePort());
  const sub = connectAlarms({ baseUrl: first.baseUrl, since: 2, WebSocket: g.WebSocket, transport: "websocket", backoff: { initialMs: 20, maxMs: 200 } });
  t.after(() => sub.close());
  const log = record(sub, ["alarm", "synced", "reset"]);
  await until(() => log.some((e) => e.name === "synced"), "synced after the history");
  assert.deepEqual(seqsOf(log), [3, 4, 5], "since=2: the events after 2");

  // The server comes back with a new, empty database: its seqs start again at 1.
  g.open = false;
  await first.stop("SIGKILL");
  await until(() => sub.state === "reconnecting", "the client to notice");
  const second = new Pulse({ dir: first.dir, port: first.port, db: join(first.dir, "fresh.db") });
  t.after(() => second.stop("SIGKILL"));
  await second.start();
  await second.raiseAlarms([alarm("x"), alarm("y"), alarm("x", { level: "critical" })]);
  const before = log.length;
  g.open = true;
  await until(() => log.filter((e) => e.name === "synced").length === 2, "synced on the new server");

  assert.equal(g.urls.at(-1).searchParams.get("since"), "5");
  const after = log.slice(before).map((e) => (e.name === "alarm" ? `alarm:${e.value.seq}:${e.value.data.alarmId}` : `${e.name}:${e.value.seq ?? ""}`));
  // The current state: the latest event of each alarm, in seq order.
  assert.deepEqual(after, ["reset:", "alarm:2:a-y", "alarm:3:a-x", "synced:3"]);
  assert.equal(sub.lastSeq, 3);
});

test("alarms: acknowledge on the socket and over HTTP, clear, list, and the errors of each", async (t) => {
  const pulse = await startPulse(t);
  const api = createApi({ baseUrl: pulse.baseUrl });
  const sub = connectAlarms({ baseUrl: pulse.baseUrl });
  t.after(() => sub.close());
  const log = record(sub, ["alarm", "error"]);
  await until(() => sub.state === "open", "the connection to open");
  assert.throws(() => sub.ack(""), /alarmId must be a non-empty string/);

  await pulse.raiseAlarms([alarm(1, { title: "<script>告警</script>" }), alarm(2)]);
  await until(() => sub.lastSeq === 2, "the raised alarms");
  sub.ack("a-1", "张三");
  const acked = await until(() => log.find((e) => e.name === "alarm" && e.value.event === "acked")?.value, "the acked event");
  assert.equal(acked.data.alarmId, "a-1");
  assert.equal(acked.data.ackedBy, "张三");
  assert.equal(acked.data.title, "<script>告警</script>");

  sub.ack("no-such-alarm", "张三");
  const refused = await until(() => log.find((e) => e.name === "error")?.value, "the refusal");
  assert.equal(refused.code, 65);

  assert.deepEqual((await api.listAlarms({ status: "acked" })).items.map((a) => a.alarmId), ["a-1"]);
  assert.equal((await api.ack("a-2", "bob")).ackedBy, "bob");
  assert.equal((await api.clear("a-2")).status, "cleared");
  await until(() => sub.lastSeq === 5, "the acked and cleared events of a-2");
  assert.deepEqual(log.filter((e) => e.name === "alarm").slice(-2).map((e) => e.value.event), ["acked", "cleared"]);

  const conflict = await api.ack("a-2", "bob").catch((e) => e);
  assert.ok(conflict instanceof PulseError);
  assert.deepEqual([conflict.status, conflict.code], [409, 1409]);
  const invalid = await api.listAlarms({ limit: 5000 }).catch((e) => e);
  assert.deepEqual([invalid.status, invalid.code], [400, 51]);
  assert.match(invalid.message, /limit/);
});

test("alarmEvents and businesses", async (t) => {
  const pulse = await startPulse(t);
  const api = createApi({ baseUrl: pulse.baseUrl });
  await pulse.raiseAlarms([alarm(1), alarm(1)]);
  await pulse.publishRowData([{ businessType: "meter", businessId: "m-1", data: { v: 1 } }, { businessType: "pump", businessId: "p-1", data: { v: 2 } }]);

  const events = await api.alarmEvents("a-1").catch((e) => e);
  if (events instanceof PulseError && events.status === 404 && /no such endpoint/.test(events.message)) {
    t.skip("this pulse has no GET /api/v1/alarms/{id}/events yet (issue 13, webgo)");
    return;
  }
  assert.deepEqual(events.map((e) => `${e.seq}:${e.event}`), ["1:raised", "2:repeated"]);
  const unknown = await api.alarmEvents("a-none").catch((e) => e);
  assert.deepEqual([unknown.status, unknown.code], [404, 65]);
  assert.deepEqual((await api.businesses()).map((b) => `${b.businessType}/${b.businessId}`), ["pump/p-1", "meter/m-1"]);
});
