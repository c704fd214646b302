// Connection and identity on every view, with auth on: a token shared by the console's tabs, a
// warning before it expires, what expiry stops (Ack, the charts' sockets), a panel outside the
// token's grants that says "not permitted", and a lost connection told apart from a reconnect,
// with a countdown and "Retry now".
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attr, launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { mintToken, startPulse } from "./lib/pulse.js";

const secret = "e2e-secret-that-is-at-least-32-bytes-long";
const ingestKey = "e2e-ingest-key-0123456789abcdef";
const key = { Authorization: `Bearer ${ingestKey}` };
let pulse, browser;
before(async () => {
  pulse = await startPulse({ auth: { secret, ingestKey } });
  browser = await launch();
  await pulse.post("/api/v1/alarm", { items: [{ alarmId: "a-1", businessType: "meter", businessId: "m-1", level: "critical", title: "Over-voltage" }] }, key);
  const t = Date.now() - 10_000;
  await pulse.post("/api/v1/rowdata", { items: [0, 1, 2].map((i) => ({ businessType: "meter", businessId: "m-1", time: t + i * 1000, data: { voltage: 220 + i } })) }, key);
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const operator = (claims = {}) => mintToken(secret, { sub: "op", pulse: { rowdata: ["meter/*"], alarms: ["*"], ack: true }, ...claims });

async function useToken(page, token) {
  await page.getByTestId("token").fill(token);
  await page.getByTestId("use-token").click();
}

async function follow(page, type, id) {
  const panel = page.getByTestId("panel").first();
  await panel.getByTestId("type").fill(type);
  await panel.getByTestId("id").fill(id);
  await panel.getByTestId("follow").click();
  return panel;
}

test("a token pasted in one tab is used by the others, and forgotten in all", async () => {
  const context = await browser.newContext();
  const one = await context.newPage();
  const two = await context.newPage();
  await one.goto(pulse.url + "/#alarms");
  await two.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(two, ".identity", "data-auth")) === "on", "the second tab learns that auth is on");
  await useToken(one, operator());
  await until(async () => (await attr(two, "[data-testid=board]", "data-rows")) === "1", "the other tab shows the alarms with the token");
  assert.match(await two.getByTestId("auth-info").textContent(), /^op/);
  // A tab opened later has it too.
  const three = await context.newPage();
  await three.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(three, "[data-testid=board]", "data-rows")) === "1", "a new tab starts with the token");
  await two.getByTestId("forget-token").click();
  await until(async () => (await one.getByTestId("session-banner").getAttribute("data-status")) === "no-token", "forgetting in one tab forgets in the others");
  await context.close();
});

test("a warning with a countdown before the token expires, on the dashboard too", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/#dashboard");
  await useToken(page, operator({ exp: Math.floor(Date.now() / 1000) + 240 }));
  const banner = page.getByTestId("session-banner");
  await until(async () => (await banner.getAttribute("data-status")) === "expiring", "the banner warns of the expiry");
  assert.equal(await banner.isVisible(), true);
  const first = await banner.textContent();
  assert.match(first, /expires in [34]:\d\d/);
  await until(async () => (await banner.textContent()) !== first, "the countdown counts down");
  await page.close();
});

test("at expiry Ack is disabled, the banner and the panels say the token expired", async () => {
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  await page.goto(pulse.url + "/#both");
  // Expires in 20 s: long enough to see it work first on a busy machine.
  const exp = Math.floor(Date.now() / 1000) + 20;
  await useToken(page, operator({ exp }));
  const panel = await follow(page, "meter", "m-1");
  await until(async () => (await panel.getAttribute("data-status")) === "live", "the panel is live");
  const ack = page.locator('tr[data-alarm-id="a-1"] button[data-action="ack"]');
  await until(async () => (await ack.count()) && !(await ack.isDisabled()), "Ack is enabled before the expiry");

  await until(async () => (await page.getByTestId("session-banner").getAttribute("data-status")) === "expired", "the banner says the token expired", { timeoutMs: 90_000 });
  assert.match(await page.getByTestId("session-banner").textContent(), /expired/);
  await until(() => ack.isDisabled(), "Ack is disabled after the expiry");
  await until(async () => (await panel.getAttribute("data-status")) === "expired", "the panel says the token expired");
  assert.match(await panel.getByTestId("status").textContent(), /token expired/);
  assert.match(await page.getByTestId("auth-info").textContent(), /token expired/);
  // The board stops too, keeping its rows, and says why: not a lost connection retried forever.
  await until(async () => (await page.getByTestId("board").getAttribute("data-connection")) === "expired", "the board says the token expired");
  assert.match(await page.getByTestId("connection-text").textContent(), /token expired.*no longer live/);
  assert.equal(await page.getByTestId("retry-now").isVisible(), false);
  // A new token brings everything back.
  await useToken(page, operator());
  await until(async () => (await panel.getAttribute("data-status")) === "live", "the panel is live again with a new token");
  await until(async () => !(await ack.isDisabled()), "Ack is enabled again");
  await until(async () => (await page.getByTestId("board").getAttribute("data-connection")) === "live", "the board is live again");
  await page.close();
});

test("a panel outside the token's grants says it is not permitted, not reconnecting", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/#dashboard");
  await useToken(page, operator());
  const panel = await follow(page, "pump", "p-1");
  await until(async () => (await panel.getAttribute("data-status")) === "forbidden", "the panel says forbidden");
  assert.match(await panel.getByTestId("status").textContent(), /Not permitted.*pump\/p-1.*meter\/\*/);
  assert.equal(await panel.getByTestId("retry").isVisible(), false, "nothing to retry");
  // A whole type needs T/* or *: meter/* is allowed.
  await follow(page, "meter", "*");
  await until(async () => (await panel.getAttribute("data-status")) === "live", "meter/* is allowed");
  await page.close();
});

test("a token the server does not accept is said so, not retried as a lost connection", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/#dashboard");
  // Well formed, granting meter/*, but signed with a key the server does not have.
  await useToken(page, mintToken("a-secret-this-server-does-not-know-at-all", { sub: "op", pulse: { rowdata: ["meter/*"], alarms: ["*"], ack: true } }));
  const panel = await follow(page, "meter", "m-1");
  await until(async () => (await panel.getAttribute("data-status")) === "refused", "the panel says the token is refused");
  assert.match(await panel.getByTestId("status").textContent(), /refused your token \(invalid credentials/);
  await page.close();
});

test("a lost connection counts down to the next attempt; Retry now reconnects", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/#dashboard");
  await useToken(page, operator());
  const panel = await follow(page, "meter", "m-1");
  await until(async () => (await panel.getAttribute("data-status")) === "live", "the panel is live");
  await until(async () => Number(await attr(page, '.chart[data-field="voltage"]', "data-points")) >= 3, "the chart has the snapshot");

  await pulse.stop();
  const status = panel.getByTestId("status");
  await until(async () => (await panel.getAttribute("data-status")) === "lost", "the panel says the connection is lost");
  assert.match(await status.textContent(), /Connection lost \(closed with \d+.*\): retrying in \d+ s/);
  assert.equal(await panel.getByTestId("retry").isVisible(), true, "a Retry now button");
  // Reconnecting (an attempt under way) is told apart from lost (waiting for the next one).
  await until(async () => / lost reconnecting/.test(await panel.getAttribute("data-statuses")), "an attempt shows as reconnecting");
  // The countdown counts down while the server is away.
  await until(async () => Number((await status.textContent()).match(/retrying in (\d+) s/)?.[1]) >= 2, "a countdown of 2 s or more");
  const shown = await status.textContent();
  await until(async () => (await status.textContent()) !== shown, "the countdown counts down");
  // The charts keep what they had.
  assert.ok(Number(await attr(page, '.chart[data-field="voltage"]', "data-points")) >= 3);

  await pulse.start();
  const retry = panel.getByTestId("retry");
  if (await retry.isVisible()) await retry.click().catch(() => {}); // the back-off's own attempt may beat the click
  await until(async () => (await panel.getAttribute("data-status")) === "live", "Retry now reconnects");
  await page.close();
});
