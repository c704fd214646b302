// Tokens against a real pulse with auth on (leeway 0, so a connection ends at its token's exp):
// access_token at the door, refreshing before exp, and close 4401.

import assert from "node:assert/strict";
import test from "node:test";

import { connectAlarms, connectRowData, createApi, expOf, PulseError } from "../dist/index.js";
import { authConfig, freePort, gate, mintToken, record, startPulse, until } from "../test-helpers/pulse.mjs";

const alarm = (n) => ({ alarmId: `a-${n}`, businessType: "meter", businessId: "m-1", level: "critical", title: `alarm ${n}` });
const backoff = { initialMs: 20, maxMs: 200 };

test("auth: refreshing before exp keeps both sockets open past the first token's exp", async (t) => {
  const auth = authConfig();
  const pulse = await startPulse(t, { auth });
  // Tokens of a few seconds, so that the test sees refreshes; the client refreshes at 80 % of the
  // time left, which leaves the server about a second to take the new token.
  const token = mintToken(auth.secret, "alice", 5);
  const firstExp = expOf(token);
  let refreshes = 0;
  const refreshToken = async () => {
    refreshes++;
    return mintToken(auth.secret, "alice", 5);
  };

  const alarms = connectAlarms({ baseUrl: pulse.baseUrl, token, refreshToken, backoff });
  const rows = connectRowData({ baseUrl: pulse.baseUrl, type: "meter", id: "m-1", user: "alice", token, refreshToken, backoff });
  t.after(() => (alarms.close(), rows.close()));
  const alarmLog = record(alarms, ["alarm", "auth", "state", "error"]);
  const rowLog = record(rows, ["rowdata", "auth", "state", "error"]);

  // Past the first token's exp (and so its connection's end, leeway being 0) and two refreshes
  // further on each socket.
  await until(
    () => Date.now() > (firstExp + 1) * 1000 && [alarmLog, rowLog].every((log) => log.filter((e) => e.name === "auth").length >= 2),
    "two accepted refreshes on each socket",
  );
  assert.ok(refreshes >= 4);
  for (const log of [alarmLog, rowLog]) {
    assert.deepEqual(log.filter((e) => e.name === "state").map((e) => e.value.state), ["connecting", "open"]);
    assert.deepEqual(log.filter((e) => e.name === "error"), []);
    assert.ok(log.filter((e) => e.name === "auth").every((e) => e.value.exp > firstExp - 1));
  }
  // The same connections still deliver.
  await pulse.raiseAlarms([alarm(1)]);
  await pulse.publishRowData([{ businessType: "meter", businessId: "m-1", data: { v: 1 } }]);
  await until(() => alarms.lastSeq === 1 && rowLog.some((e) => e.name === "rowdata"), "an alarm and a row");
  assert.equal(alarms.state, "open");
  assert.equal(rows.state, "open");
});

test("auth: a token that expires with no refresh callback ends with 4401; setToken connects again", async (t) => {
  const auth = authConfig();
  const pulse = await startPulse(t, { auth });
  const rows = connectRowData({ baseUrl: pulse.baseUrl, type: "meter", id: "m-1", user: "alice", token: mintToken(auth.secret, "alice", 3), backoff });
  t.after(() => rows.close());
  const log = record(rows, ["rowdata", "state"]);

  const expired = await until(() => log.find((e) => e.name === "state" && e.value.closeCode === 4401)?.value, "close 4401");
  assert.equal(expired.state, "reconnecting");
  assert.equal(expired.reason, "token expired");
  // The expired token is refused at the door, which a WebSocket sees as 1006.
  await until(() => log.some((e) => e.name === "state" && e.value.closeCode === 1006), "a refused attempt");

  rows.setToken(mintToken(auth.secret, "alice", 60));
  await until(() => rows.state === "open", "the connection with the new token");
  await pulse.publishRowData([{ businessType: "meter", businessId: "m-1", data: { v: "after" } }]);
  await until(() => log.some((e) => e.name === "rowdata" && e.value.data.data.v === "after"), "a row on the new connection");
});

test("auth: after 4401 the console gets a new token, reconnects with since and misses nothing", async (t) => {
  const auth = authConfig();
  const pulse = await startPulse(t, { auth });
  let backendDown = true;
  const refreshToken = async () => {
    if (backendDown) throw new Error("token service unavailable");
    return mintToken(auth.secret, "alice", 60);
  };
  const g = gate(await freePort());
  const sub = connectAlarms({ baseUrl: pulse.baseUrl, token: mintToken(auth.secret, "alice", 4), refreshToken, backoff, WebSocket: g.WebSocket, transport: "websocket" });
  t.after(() => sub.close());
  const log = record(sub, ["alarm", "synced", "reset", "state", "error"]);
  await until(() => sub.state === "open", "the connection");
  await pulse.raiseAlarms([alarm(1), alarm(2)]);
  await until(() => sub.lastSeq === 2, "the first alarms");

  const expired = await until(() => log.find((e) => e.name === "state" && e.value.closeCode === 4401)?.value, "close 4401");
  assert.equal(expired.retryInMs, 0, "4401 is not a server problem: no back-off");
  await pulse.raiseAlarms([alarm(3), alarm(1)]);
  backendDown = false;
  await until(() => sub.state === "open" && sub.lastSeq === 4, "the alarms raised while the token was renewed");

  assert.deepEqual(log.filter((e) => e.name === "alarm").map((e) => e.value.seq), [1, 2, 3, 4]);
  assert.equal(log.filter((e) => e.name === "reset").length, 0);
  assert.equal(g.urls.at(-1).searchParams.get("since"), "2");
  const errors = log.filter((e) => e.name === "error").map((e) => e.value);
  assert.ok(errors.length >= 1);
  assert.ok(errors.every((e) => e.code === 0 && e.message === "refreshToken failed: token service unavailable"));
});

test("auth: the HTTP API sends the token as Bearer; without one it is refused with 401", async (t) => {
  const auth = authConfig();
  const pulse = await startPulse(t, { auth });
  await pulse.raiseAlarms([alarm(1)]);

  const api = createApi({ baseUrl: pulse.baseUrl });
  const refused = await api.listAlarms().catch((e) => e);
  assert.ok(refused instanceof PulseError);
  assert.deepEqual([refused.status, refused.code], [401, 61]);

  api.setToken(mintToken(auth.secret, "alice", 60, { alarms: ["meter/*"], ack: true }));
  assert.deepEqual((await api.listAlarms()).items.map((a) => a.alarmId), ["a-1"]);
  const acked = await api.ack("a-1");
  assert.equal(acked.ackedBy, "alice");

  api.setToken(mintToken(auth.secret, "bob", 60, { alarms: ["meter/*"] }));
  const forbidden = await api.clear("a-1").catch((e) => e);
  assert.deepEqual([forbidden.status, forbidden.code], [403, 1403]);
});
