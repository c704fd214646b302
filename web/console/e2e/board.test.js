// The alarm board in a real browser against the real server: one row per alarm however often
// it repeats, the most severe on top, acknowledging from the board, a server restart, and
// titles shown as text.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attr, launch, screenshot } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

let pulse, browser, page;
before(async () => {
  pulse = await startPulse();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(page, "[data-testid=board]", "data-synced")) === "true", "the board has the server's state");
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const board = (name) => attr(page, "[data-testid=board]", name);
const rowIds = () => page.$$eval("[data-testid=board] tr[data-alarm-id]", (rows) => rows.map((r) => r.dataset.alarmId));
const raise = (alarms) => pulse.post("/api/v1/alarm", { items: alarms });
const info = { alarmId: "disk-usage", businessType: "server", businessId: "web-01", level: "info", title: "Disk usage above 70 %", content: "/var at 71 %" };

test("200 repeats of an info alarm and one critical: one row each, the critical on top, counts per level", async () => {
  for (let batch = 0; batch < 4; batch++) await raise(Array.from({ length: 50 }, () => info));
  await raise([{ alarmId: "over-voltage", businessType: "meter", businessId: "电表-一号", level: "critical", title: "变压器过压 Over-voltage", content: "voltage 262 V > 250 V" }]);
  await raise([{ alarmId: "temp-high", businessType: "pump", businessId: "p-7", level: "warning", title: "Bearing temperature high", content: "81 °C" }]);

  await until(async () => (await page.locator('tr[data-alarm-id="disk-usage"]').getAttribute("data-count")) === "200", "the info row counts 200 raises");
  await until(async () => (await board("data-rows")) === "3", "three rows");
  assert.deepEqual(await rowIds(), ["over-voltage", "temp-high", "disk-usage"]);
  assert.equal(await board("data-count-critical"), "1");
  assert.equal(await board("data-count-warning"), "1");
  assert.equal(await board("data-count-info"), "1");
  assert.equal(await board("data-count-major"), "0");
  assert.equal(await page.locator('.counts [data-level="critical"] .n').textContent(), "1");
  // A new critical alarm after the board synced calls attention once (sound and notification).
  await until(async () => (await board("data-alerts")) === "1", "one alert");
  await until(async () => (await page.title()) === "(1) Pulse", "the page title shows the critical count");

  // Filters narrow the rows, the counts stay.
  await page.getByTestId("filter-text").fill("temperature");
  await until(async () => JSON.stringify(await rowIds()) === '["temp-high"]', "the text filter keeps the matching alarm");
  await page.getByTestId("filter-text").fill("");
  await page.getByTestId("filter-business").fill("电表");
  await until(async () => JSON.stringify(await rowIds()) === '["over-voltage"]', "the business filter matches a Chinese id");
  await page.getByTestId("filter-business").fill("");
  await page.getByTestId("filter-level").selectOption("info");
  await until(async () => JSON.stringify(await rowIds()) === '["disk-usage"]', "the level filter");
  await page.getByTestId("filter-level").selectOption("");
  await until(async () => (await rowIds()).length === 3, "no filter: every row");
});

test("ack on the board acknowledges the alarm on the server, by the console's user", async () => {
  await page.getByTestId("name").fill("值班员张三");
  await page.getByTestId("name").press("Tab");
  await page.locator('tr[data-alarm-id="over-voltage"] button[data-action="ack"]').click();
  await until(async () => {
    const alarms = await pulse.get("/api/v1/alarms?status=acked");
    return alarms.items.find((a) => a.alarmId === "over-voltage" && a.ackedBy === "值班员张三");
  }, "GET /api/v1/alarms lists the alarm as acked by 值班员张三");
  await until(async () => (await page.locator('tr[data-alarm-id="over-voltage"]').getAttribute("data-status")) === "acked", "the row shows acked");
  assert.equal(await page.locator('tr[data-alarm-id="over-voltage"] button[data-action="ack"]').isDisabled(), true);
  await until(async () => (await page.title()) === "Pulse", "no critical alarm waits for an ack: the title says so");
  assert.match(await page.locator('tr[data-alarm-id="over-voltage"]').textContent(), /by 值班员张三/);

  await page.locator('tr[data-alarm-id="temp-high"] button[data-action="clear"]').click();
  // The pointer leaves the table: the table may move again (it holds still under the pointer).
  await page.mouse.move(0, 0);
  await until(async () => (await board("data-rows")) === "2", "a cleared alarm leaves the board (after the few seconds its Undo lasts)");
  await until(async () => (await rowIds()).length === 2, "its row goes");
  assert.equal(await board("data-count-warning"), "0");
});

test("a server restart: the board says the connection is lost, then resumes without duplicates", async () => {
  await pulse.stop();
  await until(async () => (await board("data-banner")) === "shown", "the banner says the connection is lost");
  assert.match(await page.locator(".banner[role=alert]").textContent(), /lost/);
  await pulse.start();
  await until(async () => (await board("data-state")) === "open", "the board reconnects");
  await until(async () => (await board("data-banner")) === "", "the banner goes");

  await raise([info, { alarmId: "pump-stop", businessType: "pump", businessId: "p-7", level: "major", title: "Pump stopped", content: "" }]);
  await until(async () => (await page.locator('tr[data-alarm-id="disk-usage"]').getAttribute("data-count")) === "201", "the repeat after the restart updates the row");
  await until(async () => (await board("data-rows")) === "3", "the new alarm is added");
  // Unacknowledged first: the acked critical sorts after the active major and info.
  assert.deepEqual(await rowIds(), ["pump-stop", "disk-usage", "over-voltage"]);
  assert.equal(await board("data-alerts"), "1", "no new critical: no new alert");

  // What the board shows is what the server has, no row twice.
  const server = await pulse.get("/api/v1/alarms?limit=1000");
  const open = server.items.filter((a) => a.status !== "cleared").map((a) => a.alarmId).sort();
  assert.deepEqual([...(await rowIds())].sort(), open);
  await screenshot(page, "console-alarms.png", { readme: true });
});

test("a click on a row shows the alarm's history", async () => {
  await page.locator('tr[data-alarm-id="over-voltage"] td.title').click();
  const dialog = page.getByTestId("history");
  await until(async () => (await dialog.getAttribute("data-events")) === "2", "the history holds raised and acked");
  assert.deepEqual(await dialog.locator("tbody tr td:nth-child(3)").allTextContents(), ["raised", "acked"]);
  assert.match(await dialog.locator("tbody tr").nth(1).textContent(), /值班员张三/);
  await dialog.getByRole("button", { name: "Close" }).click();
  await until(async () => !(await dialog.isVisible()), "the dialog closes");

  await page.locator('tr[data-alarm-id="disk-usage"] td.title').click();
  await until(async () => (await dialog.getAttribute("data-events")) === "201", "201 raises of the info alarm, before and after the restart");
  await page.keyboard.press("Escape");
  // The focus went back to the row, which holds the table still: a click elsewhere lets go.
  assert.equal(await board("data-held"), "true");
  await page.mouse.click(1, 1);
  await until(async () => (await board("data-held")) === "false", "the table may move again");
});

test("a <script> in an alarm title is shown as text, never run", async () => {
  const title = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold?</b>';
  await raise([{ alarmId: "xss", businessType: "meter", businessId: "b-1", level: "minor", title, content: "<i>not italic</i>" }]);
  const row = page.locator('tr[data-alarm-id="xss"]');
  await until(() => row.count(), "the alarm is on the board");
  assert.equal(await row.locator("td.title strong").textContent(), title);
  assert.equal(await row.locator("td.title .content").textContent(), "<i>not italic</i>");
  assert.equal(await row.locator("script, img, b, i").count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await screenshot(page, "console-alarms-script-title.png");
});

test("a new critical alarm notifies once; sound and notifications can be turned off and stay off", async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  await context.grantPermissions(["notifications"], { origin: pulse.url });
  // Record the notifications the page shows (the real Notification still shows them).
  await context.addInitScript(() => {
    const Real = window.Notification;
    window.__notified = [];
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        window.__notified.push(title);
      }
    };
  });
  const tab = await context.newPage();
  await tab.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(tab, "[data-testid=board]", "data-synced")) === "true", "the board is synced");
  const notify = tab.locator('[data-toggle="notify"]');
  await notify.click();
  await until(async () => (await notify.getAttribute("aria-pressed")) === "true", "notifications are on");

  await raise([{ alarmId: "fire", businessType: "building", businessId: "B2", level: "critical", title: "火警 Fire alarm", content: "floor 3" }]);
  await until(() => tab.evaluate(() => window.__notified.length === 1), "one notification");
  assert.deepEqual(await tab.evaluate(() => window.__notified), ["Critical: 火警 Fire alarm"]);
  await raise([{ alarmId: "fire", businessType: "building", businessId: "B2", level: "critical", title: "火警 Fire alarm", content: "floor 3" }]);
  await until(async () => (await tab.locator('tr[data-alarm-id="fire"]').getAttribute("data-count")) === "2", "the repeat updates the row");
  assert.equal(await tab.evaluate(() => window.__notified.length), 1, "a repeat is not a new alarm");

  const sound = tab.locator('[data-toggle="sound"]');
  assert.equal(await sound.getAttribute("aria-pressed"), "true");
  await sound.click();
  await notify.click();
  await tab.reload();
  await until(async () => (await attr(tab, "[data-testid=board]", "data-synced")) === "true", "the board is synced again");
  assert.equal(await tab.locator('[data-toggle="sound"]').getAttribute("aria-pressed"), "false");
  assert.equal(await tab.locator('[data-toggle="notify"]').getAttribute("aria-pressed"), "false");
  await raise([{ alarmId: "fire-2", businessType: "building", businessId: "B3", level: "critical", title: "Fire alarm", content: "" }]);
  await until(() => tab.locator('tr[data-alarm-id="fire-2"]').count(), "the new critical alarm is on the board");
  assert.equal(await tab.evaluate(() => window.__notified.length), 0, "muted: no notification");
  await context.close();
});

test("on a phone the board fits the screen's width", async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(phone, "[data-testid=board]", "data-rows")) === "6", "the board has the six alarms");
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await screenshot(phone, "console-alarms-phone.png");
  await phone.close();
});
