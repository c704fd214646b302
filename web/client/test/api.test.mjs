// The people's alarm API from the client (createApi) against a real pulse: the list's filters and
// pages, acknowledging and clearing by business with a comment, many at once, and an alarm's
// history by business.

import assert from "node:assert/strict";
import test from "node:test";

import { connectAlarms, createApi, PulseError } from "../dist/index.js";
import { authConfig, mintToken, record, startPulse, until } from "../test-helpers/pulse.mjs";

const ref = (type, id, alarmId) => ({ businessType: type, businessId: id, alarmId });

test("api: listAlarms sends every filter and pages with nextCursor; alarmPages walks them all", async (t) => {
  const pulse = await startPulse(t);
  const api = createApi({ baseUrl: pulse.baseUrl });
  const items = [];
  for (let i = 0; i < 12; i++) {
    items.push({
      alarmId: `a-${i}`,
      businessType: i % 2 ? "pump" : "meter",
      businessId: `m-${i % 3}`,
      level: i % 4 ? "major" : "critical",
      title: i === 5 ? "Voltage 50% over" : i === 6 ? "Voltage 50x over" : `alarm ${i}`,
      time: 1000 + i,
    });
  }
  await pulse.raiseAlarms(items);
  await api.ack(ref("meter", "m-2", "a-2"), { user: "ann" });
  await api.clear(ref("meter", "m-1", "a-4"), { user: "ann" });
  const ids = (page) => page.items.map((a) => a.alarmId);

  assert.deepEqual(ids(await api.listAlarms({ status: ["active", "acked"], level: "critical" })), ["a-8", "a-0"]);
  assert.deepEqual(ids(await api.listAlarms({ status: "cleared" })), ["a-4"]);
  assert.deepEqual(ids(await api.listAlarms({ level: ["critical", "minor"], business: "meter/*" })), ["a-8", "a-4", "a-0"]);
  assert.deepEqual(ids(await api.listAlarms({ q: "50%" })), ["a-5"]);
  assert.deepEqual(ids(await api.listAlarms({ q: "VOLTAGE" })), ["a-6", "a-5"]);
  assert.deepEqual(ids(await api.listAlarms({ from: 1003, to: 1005, business: "pump/m-0" })), ["a-3"]);

  const first = await api.listAlarms({ limit: 5 });
  assert.deepEqual(ids(first), ["a-11", "a-10", "a-9", "a-8", "a-7"]);
  assert.equal(typeof first.nextCursor, "string");
  const second = await api.listAlarms({ limit: 5, cursor: first.nextCursor });
  assert.deepEqual(ids(second), ["a-6", "a-5", "a-4", "a-3", "a-2"]);
  const last = await api.listAlarms({ limit: 5, cursor: second.nextCursor });
  assert.deepEqual(ids(last), ["a-1", "a-0"]);
  assert.equal("nextCursor" in last, false);

  const walked = [];
  for await (const page of api.alarmPages({ limit: 4, status: ["active", "acked"] })) walked.push(...ids(page));
  assert.deepEqual(walked, ["a-11", "a-10", "a-9", "a-8", "a-7", "a-6", "a-5", "a-3", "a-2", "a-1", "a-0"]);

  const bad = await api.listAlarms({ cursor: "not-a-cursor" }).catch((e) => e);
  assert.ok(bad instanceof PulseError);
  assert.deepEqual([bad.status, bad.code], [400, 51]);
  assert.match(bad.message, /cursor/);
});

test("api: ack and clear by business with a comment; alarmEvents by business shows them", async (t) => {
  const pulse = await startPulse(t);
  const api = createApi({ baseUrl: pulse.baseUrl });
  const sub = connectAlarms({ baseUrl: pulse.baseUrl });
  t.after(() => sub.close());
  const log = record(sub, ["alarm"]);
  await until(() => sub.state === "open", "the connection to open");
  // The same alarm id under two businesses: two alarms, which the short form cannot tell apart.
  await pulse.raiseAlarms([
    { alarmId: "ov", businessType: "meter", businessId: "m-1", level: "major", title: "over-voltage" },
    { alarmId: "ov", businessType: "meter", businessId: "m-2", level: "major", title: "over-voltage" },
  ]);
  await until(() => sub.lastSeq === 2, "the raised alarms");
  const ambiguous = await api.ack("ov", "ann").catch((e) => e);
  assert.deepEqual([ambiguous.status, ambiguous.code], [409, 1410]);

  const m1 = ref("meter", "m-1", "ov");
  const acked = await api.ack(m1, { user: "ann", comment: "crew on the way" });
  assert.deepEqual([acked.businessId, acked.status, acked.ackedBy, acked.ackComment], ["m-1", "acked", "ann", "crew on the way"]);
  const cleared = await api.clear(m1, { user: "bob", comment: "fuse replaced" });
  assert.deepEqual([cleared.status, cleared.clearedBy, cleared.clearComment], ["cleared", "bob", "fuse replaced"]);
  await until(() => sub.lastSeq === 4, "the acked and cleared events");
  const live = log.filter((e) => e.name === "alarm").slice(-2).map((e) => [e.value.event, e.value.data.ackComment, e.value.data.clearComment]);
  assert.deepEqual(live, [["acked", "crew on the way", undefined], ["cleared", "crew on the way", "fuse replaced"]]);

  const history = await api.alarmEvents(m1);
  assert.deepEqual(history.map((e) => `${e.seq}:${e.event}`), ["1:raised", "3:acked", "4:cleared"]);
  assert.equal(history[2].data.clearComment, "fuse replaced");
  assert.deepEqual((await api.alarmEvents(m1, { limit: 1 })).map((e) => e.seq), [4]);
  assert.deepEqual((await api.alarmEvents(ref("meter", "m-2", "ov"))).map((e) => e.event), ["raised"]);

  const tooLong = await api.ack(ref("meter", "m-2", "ov"), { user: "ann", comment: "x".repeat(1025) }).catch((e) => e);
  assert.deepEqual([tooLong.status, tooLong.code], [400, 51]);
  assert.match(tooLong.message, /comment/);
  assert.throws(() => api.ack({ businessType: "meter", alarmId: "ov" }), /businessId must be a non-empty string/);
});

test("api: bulkAck and bulkClear, each alarm on its own, with a token", async (t) => {
  const auth = authConfig();
  const pulse = await startPulse(t, { auth });
  await pulse.raiseAlarms([
    { alarmId: "a-1", businessType: "meter", businessId: "m-1", level: "major", title: "one" },
    { alarmId: "a-2", businessType: "meter", businessId: "m-2", level: "major", title: "two" },
    { alarmId: "a-3", businessType: "pump", businessId: "p-1", level: "major", title: "three" },
  ]);
  const api = createApi({ baseUrl: pulse.baseUrl, token: mintToken(auth.secret, "maria", 60, { alarms: ["meter/*"], ack: true }) });
  const alarms = (await api.listAlarms()).items; // Alarm objects are refs
  assert.equal(alarms.length, 2);
  const items = await api.bulkAck([...alarms, ref("pump", "p-1", "a-3"), ref("meter", "m-9", "none")], { comment: "storm" });
  assert.deepEqual(
    items.map((i) => [i.alarmId, i.ok, i.status, i.alarm?.ackedBy, i.alarm?.ackComment]),
    [
      ["a-2", true, undefined, "maria", "storm"],
      ["a-1", true, undefined, "maria", "storm"],
      ["a-3", false, 404, undefined, undefined],
      ["none", false, 404, undefined, undefined],
    ],
  );
  const cleared = await api.bulkClear([ref("meter", "m-1", "a-1")]);
  assert.deepEqual(cleared.map((i) => [i.ok, i.alarm.status, i.alarm.clearedBy]), [[true, "cleared", "maria"]]);
  const again = await api.bulkAck([ref("meter", "m-1", "a-1")]);
  assert.deepEqual(again.map((i) => [i.ok, i.status, i.code]), [[false, 409, 1409]]);

  const empty = await api.bulkClear([]).catch((e) => e);
  assert.deepEqual([empty.status, empty.code], [400, 51]);
  api.setToken(mintToken(auth.secret, "viewer", 60, { alarms: ["*"] }));
  const forbidden = await api.bulkAck([ref("meter", "m-2", "a-2")]).catch((e) => e);
  assert.deepEqual([forbidden.status, forbidden.code], [403, 1403]);
});

test("api: createSilence, silences and deleteSilence; deliveries answers what the server has", async (t) => {
  const pulse = await startPulse(t);
  const api = createApi({ baseUrl: pulse.baseUrl });
  await pulse.raiseAlarms([{ alarmId: "s-1", businessType: "meter", businessId: "m-1", level: "major", title: "t" }]);
  const endsAt = Date.now() + 3600_000;
  const made = await api.createSilence({ matchers: { businesses: ["meter/*"], levels: ["major"] }, endsAt, comment: "works", user: "ann" });
  assert.match(made.id, /^sil_/);
  assert.deepEqual([made.createdBy, made.comment, made.endsAt], ["ann", "works", endsAt]);
  assert.deepEqual((await api.silences()).map((s) => s.id), [made.id]);
  const events = await api.alarmEvents(ref("meter", "m-1", "s-1"));
  assert.deepEqual(events.map((e) => e.event), ["raised", "silenced"]);
  assert.equal(events[1].data.silenced.id, made.id);

  const bad = await api.createSilence({ matchers: {}, endsAt }).catch((e) => e);
  assert.ok(bad instanceof PulseError);
  assert.equal(bad.status, 400);
  assert.match(bad.message, /matchers/);

  await api.deleteSilence(made.id);
  assert.deepEqual(await api.silences(), []);
  const gone = await api.deleteSilence(made.id).catch((e) => e);
  assert.deepEqual([gone.status, gone.code], [404, 65]);
  assert.deepEqual((await api.alarmEvents(ref("meter", "m-1", "s-1"))).map((e) => e.event), ["raised", "silenced", "unsilenced"]);

  // A server without notifications has no deliveries endpoint: 404, which the call passes on.
  const deliveries = await api.deliveries(ref("meter", "m-1", "s-1")).then((d) => d, (e) => e);
  if (!Array.isArray(deliveries)) assert.deepEqual([deliveries instanceof PulseError, deliveries.status, deliveries.code], [true, 404, 65]);
});
