// rowdataHistory against a real pulse: a business's kept row data oldest first, since, every id
// of a type, the units of rowdata.units, names that need encoding, and the scope of a token.

import assert from "node:assert/strict";
import test from "node:test";

import { connectRowData, PulseError, rowdataHistory } from "../dist/index.js";
import { authConfig, mintToken, startPulse, until } from "../test-helpers/pulse.mjs";

test("history: a business's items oldest first, as its dashboard received them; since; every id of a type; units", async (t) => {
  const pulse = await startPulse(t, { units: { voltage: "V", "温度": "°C" } });
  const { baseUrl } = pulse;
  const sub = connectRowData({ baseUrl, type: "电表", id: "line/7", user: "张三" });
  t.after(() => sub.close());
  const live = [];
  sub.on("rowdata", (m) => live.push(m));
  await until(() => sub.state === "open", "the dashboard to open");
  const item = (id, n) => ({ businessType: "电表", businessId: id, data: { n, voltage: 230 + n } });
  await pulse.publishRowData([item("line/7", 0), item("line/7", 1), item("line/8", 2), item("line/7", 3)]);
  await until(() => live.length === 3, "the dashboard's 3 items");

  const h = await until(async () => {
    const h = await rowdataHistory({ baseUrl, businessType: "电表", businessId: "line/7" });
    return h.series[0].items.length === 3 && h;
  }, "line/7's 3 items in the history");
  assert.equal(h.series.length, 1);
  assert.equal(h.series[0].businessType, "电表");
  assert.equal(h.series[0].businessId, "line/7");
  assert.deepEqual(h.series[0].items, live);
  assert.deepEqual(h.series[0].items.map((m) => m.data.data.n), [0, 1, 3]);
  assert.deepEqual(h.units, { voltage: "V", "温度": "°C" });

  const last = h.series[0].items[2].ts;
  const since = await rowdataHistory({ baseUrl, businessType: "电表", businessId: "line/7", since: last });
  assert.ok(since.series[0].items.every((m) => m.ts >= last) && since.series[0].items.at(-1).data.data.n === 3);
  const none = await rowdataHistory({ baseUrl, businessType: "电表", businessId: "line/7", since: last + 1 });
  assert.deepEqual(none.series[0].items, []);

  const all = await rowdataHistory({ baseUrl, businessType: "电表", businessId: "*" });
  assert.deepEqual(all.series.map((s) => `${s.businessId}:${s.items.length}`), ["line/7:3", "line/8:1"]);
  const empty = await rowdataHistory({ baseUrl, businessType: "valve", businessId: "*" });
  assert.deepEqual(empty, { series: [], units: { voltage: "V", "温度": "°C" } });

  await assert.rejects(rowdataHistory({ baseUrl, businessType: "电表", businessId: "line/7", since: -1 }), (err) => {
    assert.ok(err instanceof PulseError);
    assert.equal(err.status, 400);
    assert.match(err.message, /since/);
    return true;
  });
  await assert.rejects(rowdataHistory({ baseUrl, businessType: "", businessId: "x" }), /businessType must be a non-empty string/);
});

test("history: with auth on, a token's rowdata patterns must cover what is asked, as at a dashboard's door", async (t) => {
  const auth = authConfig();
  const pulse = await startPulse(t, { auth });
  const { baseUrl } = pulse;
  await pulse.publishRowData([{ businessType: "meter", businessId: "m-1", data: { v: 1 } }, { businessType: "pump", businessId: "p-1", data: { v: 2 } }]);
  const meters = mintToken(auth.secret, "alice", 600, { rowdata: ["meter/*"] });

  const h = await until(async () => {
    const h = await rowdataHistory({ baseUrl, token: meters, businessType: "meter", businessId: "*" });
    return h.series.length === 1 && h;
  }, "meter/m-1 in the history");
  assert.equal(h.series[0].items[0].data.data.v, 1);
  assert.deepEqual(h.units, {});

  const refused = async (q, status) =>
    assert.rejects(rowdataHistory({ baseUrl, ...q }), (err) => {
      assert.ok(err instanceof PulseError);
      assert.equal(err.status, status, err.message);
      return true;
    });
  await refused({ token: meters, businessType: "pump", businessId: "p-1" }, 403);
  await refused({ token: meters, businessType: "pump", businessId: "*" }, 403);
  await refused({ businessType: "meter", businessId: "m-1" }, 401);
});
