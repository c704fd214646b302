// The console with auth on: nothing without a token, read-only with a token that may not ack,
// acknowledging as the token's sub with one that may.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attr, launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { mintToken, startPulse } from "./lib/pulse.js";

const secret = "e2e-secret-that-is-at-least-32-bytes-long";
const ingestKey = "e2e-ingest-key-0123456789abcdef";
let pulse, browser;
before(async () => {
  pulse = await startPulse({ auth: { secret, ingestKey } });
  browser = await launch();
  const key = { Authorization: `Bearer ${ingestKey}` };
  await pulse.post("/api/v1/alarm", { items: [{ alarmId: "a-1", businessType: "meter", businessId: "m-1", level: "critical", title: "Over-voltage" }] }, key);
  // Each at its own time: a chart keeps one point per business and time.
  const t = Date.now() - 10_000;
  await pulse.post("/api/v1/rowdata", { items: [1, 2, 3].map((i) => ({ businessType: "meter", businessId: "m-1", time: t + i * 1000, data: { voltage: 220 + i } })) }, key);
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const viewer = () => mintToken(secret, { sub: "viewer", pulse: { rowdata: ["meter/*"], alarms: ["*"], ack: false } });
const operator = () => mintToken(secret, { sub: "李雷", pulse: { rowdata: ["meter/*"], alarms: ["*"], ack: true } });

async function useToken(page, token) {
  await page.getByTestId("token").fill(token);
  await page.getByTestId("use-token").click();
}

test("without a token the console asks for one; a token without ack shows the alarms read-only", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(page, ".identity", "data-auth")) === "on", "the console learns that auth is on");
  await until(async () => /paste a token/.test(await page.locator(".banner[role=alert]").textContent()), "the board asks for a token");
  assert.equal(await attr(page, "[data-testid=board]", "data-rows"), "0");

  const viewerToken = viewer();
  await useToken(page, viewerToken);
  await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "1", "the board shows the alarm");
  assert.equal(await page.locator('tr[data-alarm-id="a-1"] button[data-action="ack"]').isDisabled(), true);
  assert.equal(await page.locator('tr[data-alarm-id="a-1"] button[data-action="clear"]').isDisabled(), true);
  assert.equal(await page.locator('tr[data-alarm-id="a-1"] button[data-action="silence"]').isDisabled(), true);
  assert.match(await page.getByTestId("auth-info").textContent(), /viewer \(read only\)/);
  // The token is kept for the console's tabs (session.test.js: shared between them).
  assert.equal(await page.evaluate(() => localStorage.getItem("pulse.token")), viewerToken);
  await page.reload();
  await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "1", "after a reload the token is still used");
  await page.close();
});

test("with a token that may ack, ack works and ackedBy is the token's sub; the dashboard follows as the sub", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/#both");
  await useToken(page, operator());
  assert.equal(await page.getByTestId("name").inputValue(), "李雷");
  assert.equal(await page.getByTestId("name").isDisabled(), true);

  const panel = page.getByTestId("panel").first();
  await panel.getByTestId("type").fill("meter");
  await panel.getByTestId("id").fill("m-1");
  await panel.getByTestId("follow").click();
  await until(async () => Number(await attr(page, '.chart[data-field="voltage"]', "data-points")) === 3, "the panel charts the snapshot with the token");

  const ack = page.locator('tr[data-alarm-id="a-1"] button[data-action="ack"]');
  await until(async () => (await ack.count()) && !(await ack.isDisabled()), "the ack button is enabled");
  await ack.click();
  await until(async () => {
    const list = await pulse.get("/api/v1/alarms?status=acked", { Authorization: `Bearer ${operator()}` });
    return list.items.some((a) => a.alarmId === "a-1" && a.ackedBy === "李雷");
  }, "the server has the alarm acked by 李雷");
  await until(async () => (await page.locator('tr[data-alarm-id="a-1"]').getAttribute("data-status")) === "acked", "the row shows acked");

  // A silence made with the token: its creator is the token's sub.
  await page.locator('tr[data-alarm-id="a-1"] button[data-action="silence"]').click();
  await page.getByTestId("silence-dialog").getByTestId("silence-what").selectOption("business");
  await page.getByTestId("silence-dialog").getByTestId("silence-submit").click();
  await until(async () => (await page.locator('tr[data-alarm-id="a-1"]').getAttribute("data-silenced")) !== "", "the row is marked silenced");
  const [silence] = (await pulse.get("/api/v1/silences", { Authorization: `Bearer ${operator()}` })).items;
  assert.equal(silence.createdBy, "李雷");

  await page.getByTestId("forget-token").click();
  await until(async () => /paste a token/.test(await page.locator(".banner[role=alert]").textContent()), "forgetting the token closes the board");
  await page.close();
});
