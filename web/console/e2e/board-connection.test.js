// The alarm board's connection, told apart as the dashboard's panels tell theirs: lost with a
// countdown to the next attempt and "Retry now" that reconnects at once and resumes where the
// board was; a token without alarms patterns "not permitted", a token the server does not accept
// "refused", both without an endless retry.
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
  await raise("before", "Over-voltage");
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const raise = (alarmId, title) => pulse.post("/api/v1/alarm", { items: [{ alarmId, businessType: "meter", businessId: "m-1", level: "critical", title }] }, key);
const operator = (pulseClaims = { alarms: ["*"], ack: true }) => mintToken(secret, { sub: "op", pulse: pulseClaims });

async function openBoard(token) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(pulse.url + "/#alarms");
  await page.getByTestId("token").fill(token);
  await page.getByTestId("use-token").click();
  const board = (name) => attr(page, "[data-testid=board]", name);
  return { page, board };
}

test("a lost board counts down to the next attempt; Retry now is live at once and brings an alarm raised after the restart", async () => {
  const { page, board } = await openBoard(operator());
  await until(async () => (await board("data-connection")) === "live" && (await board("data-synced")) === "true", "the board is live");
  await until(() => page.locator('tr[data-alarm-id="before"]').count(), "the alarm raised before");

  await pulse.stop();
  const text = page.getByTestId("connection-text");
  const retry = page.getByTestId("retry-now");
  await until(async () => (await board("data-connection")) === "lost", "the board says the connection is lost");
  assert.match(await text.textContent(), /Connection to the server lost \(closed with \d+.*\): retrying in \d+ s/);
  assert.equal(await retry.isVisible(), true, "a Retry now button");
  // An attempt under way is told apart from waiting for the next one.
  await until(async () => / lost reconnecting/.test(await board("data-connections")), "an attempt shows as reconnecting");
  // The countdown counts down while the server is away.
  const seconds = async () => Number((await text.textContent()).match(/retrying in (\d+) s/)?.[1] ?? -1);
  await until(async () => (await seconds()) >= 2, "a countdown of 2 s or more");
  const shown = await text.textContent();
  await until(async () => (await text.textContent()) !== shown, "the countdown counts down");
  assert.equal(await page.locator('tr[data-alarm-id="before"]').count(), 1, "the board keeps what it shows");

  // Wait for a back-off long enough that the server is back well before the board's own attempt.
  await until(async () => (await board("data-connection")) === "lost" && (await seconds()) >= 12, "a countdown of 12 s or more", { timeoutMs: 180_000 });
  const retryAt = Number(await board("data-retry-at"));
  await pulse.start();
  await raise("after", "Raised after the restart");
  assert.equal(await board("data-connection"), "lost", "still waiting for the back-off");
  await retry.click();
  await until(async () => (await board("data-connection")) === "live", "Retry now reconnects");
  await until(() => page.locator('tr[data-alarm-id="after"]').count(), "the alarm raised after the restart shows up");
  assert.ok(Date.now() < retryAt, "live before the back-off's own attempt was due");
  assert.equal(await retry.isVisible(), false);
  assert.equal(await page.locator(".board > .banner[role=alert]").isVisible(), false, "no banner once live");
  // Resumed from where it was (since): no reset, each alarm once.
  assert.notEqual(await board("data-reset"), "shown");
  assert.equal(await page.locator('tr[data-alarm-id="before"]').count(), 1);
  assert.equal(await board("data-rows"), "2");
  await page.close();
});

test("a token without alarms patterns: the board says not permitted, and does not retry", async () => {
  const { page, board } = await openBoard(operator({ rowdata: ["meter/*"], ack: true }));
  await until(async () => (await board("data-connection")) === "forbidden", "the board says not permitted");
  assert.match(await page.getByTestId("connection-text").textContent(), /Not permitted: your token allows no alarms/);
  assert.equal(await page.getByTestId("retry-now").isVisible(), false, "nothing to retry");
  assert.equal(await board("data-state"), "closed", "no socket trying again");
  assert.ok((await board("data-connections")).trim().endsWith("forbidden"));
  await page.close();
});

test("a token the server does not accept: the board says refused, not lost", async () => {
  // Well formed, granting every alarm, but signed with a key the server does not have: refused at
  // the door, which a WebSocket reports only as 1006; the alarm list tells why.
  const { page, board } = await openBoard(mintToken("a-secret-this-server-does-not-know-at-all", { sub: "op", pulse: { alarms: ["*"], ack: true } }));
  await until(async () => (await board("data-connection")) === "refused", "the board says the token is refused");
  assert.match(await page.getByTestId("connection-text").textContent(), /refused your token/);
  assert.equal(await page.getByTestId("retry-now").isVisible(), false);
  assert.equal(await board("data-state"), "closed", "no socket trying again");
  await page.close();
});
