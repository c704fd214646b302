// Notices against a real pulse: api.sendNotice reaches both subscriptions of its user (a console
// names its user with `user` when auth is off), as "notice" events; another user's subscriptions
// get nothing of it; a bad notice is a PulseError naming the field.

import assert from "node:assert/strict";
import test from "node:test";

import { connectAlarms, connectRowData, createApi, PulseError } from "../dist/index.js";
import { gate, record, startPulse, until } from "../test-helpers/pulse.mjs";

test("a notice reaches every subscription of its user, and nobody else's", async (t) => {
  const pulse = await startPulse(t);
  const open = (make) => {
    const sub = make();
    t.after(() => sub.close());
    return { sub, log: record(sub, ["notice", "synced", "state"]) };
  };
  const g = gate(0);
  const console = open(() => connectAlarms({ baseUrl: pulse.baseUrl, user: "张三", WebSocket: g.WebSocket }));
  const dashboard = open(() => connectRowData({ baseUrl: pulse.baseUrl, type: "meter", id: "m-1", user: "张三" }));
  const other = open(() => connectAlarms({ baseUrl: pulse.baseUrl, user: "李四" }));
  await until(() => console.log.some((e) => e.name === "synced") && other.log.some((e) => e.name === "synced"), "the consoles synced");
  await until(() => dashboard.sub.state === "open", "the dashboard open");
  assert.equal(g.urls[0].searchParams.get("user"), "张三", "the console names its user");

  const api = createApi({ baseUrl: pulse.baseUrl });
  await api.sendNotice("张三", { title: "alarm a-1 is yours", level: "major", data: { alarmId: "a-1" }, businessType: "meter", businessId: "m-1" });
  await api.sendNotice("李四", { title: "for 李四", businessType: "meter", businessId: "m-1" });
  for (const [who, s] of [["console", console], ["dashboard", dashboard]]) {
    await until(() => s.log.some((e) => e.name === "notice"), `the ${who} gets the notice`);
    const n = s.log.find((e) => e.name === "notice").value;
    assert.equal(n.type, "notice");
    assert.deepEqual(
      { user: n.data.user, from: n.data.from, title: n.data.title, level: n.data.level, data: n.data.data, business: `${n.data.businessType}/${n.data.businessId}` },
      { user: "张三", from: "", title: "alarm a-1 is yours", level: "major", data: { alarmId: "a-1" }, business: "meter/m-1" },
      who,
    );
  }
  await until(() => other.log.some((e) => e.name === "notice"), "李四 gets his own");
  assert.deepEqual(other.log.filter((e) => e.name === "notice").map((e) => e.value.data.title), ["for 李四"]);

  await assert.rejects(api.sendNotice("张三", { title: "", businessType: "meter", businessId: "m-1" }), (err) => {
    assert.ok(err instanceof PulseError);
    assert.equal(err.status, 400);
    assert.match(err.message, /title/);
    return true;
  });
  assert.throws(() => connectAlarms({ baseUrl: pulse.baseUrl, user: "" }), TypeError);
});
