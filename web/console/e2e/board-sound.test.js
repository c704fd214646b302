// Sound and notifications that cannot be missed: a browser that blocks audio shows "Click to
// enable sound"; a tone repeats while critical alarms wait for an ack, until acked or silenced;
// a level rising to critical and an acked critical raised again alert; a storm of 70 criticals is
// one burst (one tone, one notification), not 140 tones; a denied notification permission is said.
// The board's counters (data-alerts, data-tones, data-notifications, data-reminders) say what it
// did.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attr, launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

let pulse, strict, lenient;
before(async () => {
  pulse = await startPulse();
  // Chromium's default policy (audio after the user's first activation of the page, as on a
  // desktop), and a kiosk's (audio at once).
  strict = await launch();
  lenient = await launch({ args: ["--autoplay-policy=no-user-gesture-required"] });
});
after(async () => {
  await strict?.close();
  await lenient?.close();
  await pulse?.stop();
});

const raise = (items) => pulse.post("/api/v1/alarm", { items });
const critical = (id, extra = {}) => ({ alarmId: id, businessType: "plant", businessId: "p-1", level: "critical", title: `Critical ${id}`, content: "", ...extra });
const num = async (page, name) => Number(await attr(page, "[data-testid=board]", name));

async function open(browser, { notify = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1300, height: 800 } });
  if (notify) await context.grantPermissions(["notifications"], { origin: pulse.url });
  await context.addInitScript(() => {
    window.__notified = [];
    const Real = window.Notification;
    if (!Real) return;
    window.Notification = class extends Real {
      constructor(title, options) {
        super(title, options);
        window.__notified.push(title);
      }
    };
  });
  const page = await context.newPage();
  await page.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(page, "[data-testid=board]", "data-synced")) === "true", "the board is synced");
  return page;
}

// Acknowledges every critical alarm on the server, so that each test starts without any.
async function ackAll() {
  for (const a of (await pulse.get("/api/v1/alarms?status=active&limit=1000")).items) {
    await pulse.post(`/api/v1/alarms/${a.businessType}/${a.businessId}/${a.alarmId}/ack`, { user: "cleanup" });
  }
}

test("a fresh page whose browser blocks audio shows \"Click to enable sound\"; after the click criticals sound", async () => {
  const page = await open(strict);
  const button = page.getByTestId("enable-sound");
  await until(() => button.isVisible(), "the enable-sound button is visible in a fresh page");
  assert.equal(await attr(page, "[data-testid=board]", "data-sound"), "blocked");
  await raise([critical("blocked-1")]);
  await until(async () => (await num(page, "data-alerts")) === 1, "the critical calls for attention");
  assert.equal(await num(page, "data-tones"), 0, "no tone could play");
  await button.click();
  await until(async () => (await attr(page, "[data-testid=board]", "data-sound")) === "on", "sound is on");
  assert.equal(await button.isVisible(), false);
  await until(async () => (await num(page, "data-tones")) >= 1, "the unacknowledged critical sounds (the reminder)");
  await page.context().close();
  await ackAll();
});

test("the tone repeats until silenced; a new critical sounds again; acked, it stops", async () => {
  const page = await open(lenient);
  await until(async () => (await attr(page, "[data-testid=board]", "data-sound")) === "on", "a kiosk browser plays audio at once");
  assert.equal(await page.getByTestId("enable-sound").isVisible(), false);
  await raise([critical("loop-1")]);
  await until(async () => (await num(page, "data-tones")) >= 3, "the tone repeats while the critical waits", { timeoutMs: 90_000 });

  await page.getByTestId("silence").click();
  const silenced = await num(page, "data-tones");
  const reminders = await num(page, "data-reminders");
  await until(async () => (await num(page, "data-reminders")) >= reminders + 2, "two reminder rounds pass");
  assert.equal(await num(page, "data-tones"), silenced, "silenced: no tone");

  await raise([critical("loop-2")]);
  await until(async () => (await num(page, "data-tones")) > silenced, "a new critical sounds again");
  await ackAll();
  await until(async () => (await attr(page, "[data-testid=board]", "data-unacked-critical")) === "0", "the board has them acked");
  const acked = await num(page, "data-tones");
  const after = await num(page, "data-reminders");
  await until(async () => (await num(page, "data-reminders")) >= after + 2, "two reminder rounds pass");
  assert.equal(await num(page, "data-tones"), acked, "acknowledged: no tone");
  await page.context().close();
});

test("escalation alerts: a major raised again as critical, an acked critical raised again", async () => {
  const page = await open(lenient);
  await raise([{ ...critical("esc-1"), level: "major" }]);
  await until(() => page.locator('tr[data-alarm-id="esc-1"]').count(), "the major alarm is on the board");
  assert.equal(await num(page, "data-alerts"), 0, "a major does not alert");
  await raise([critical("esc-1")]);
  await until(async () => (await num(page, "data-alerts")) === 1, "the same alarm raised as critical alerts");

  await pulse.post("/api/v1/alarms/plant/p-1/esc-1/ack", { user: "someone" });
  await until(async () => (await page.locator('tr[data-alarm-id="esc-1"]').getAttribute("data-status")) === "acked", "acked");
  await raise([critical("esc-1")]);
  await until(async () => (await num(page, "data-alerts")) === 2, "the acked critical raised again alerts");
  await until(async () => /raised again/.test(await page.locator('tr[data-alarm-id="esc-1"]').textContent()), "the row says it was raised again");
  await page.context().close();
  await ackAll();
});

test("70 criticals in one burst: one alert burst (a tone or two and one notification), not 140 tones", async () => {
  const page = await open(lenient, { notify: true });
  await page.locator('[data-toggle="notify"]').click();
  await until(async () => (await page.locator('[data-toggle="notify"]').getAttribute("aria-pressed")) === "true", "notifications on");
  await until(async () => (await attr(page, "[data-testid=board]", "data-sound")) === "on", "sound on");
  const tones = await num(page, "data-tones");
  await raise(Array.from({ length: 70 }, (_, i) => critical(`burst-${i}`)));
  await until(async () => (await num(page, "data-alerts")) === 70, "70 alarms called for attention");
  await until(async () => (await num(page, "data-notifications")) === 1, "one notification");
  assert.deepEqual(await page.evaluate(() => window.__notified), ["70 critical alarms"]);
  // Reminders keep coming every few seconds while they wait: a handful, never one per alarm.
  assert.ok((await num(page, "data-tones")) - tones <= 4, `tones: ${(await num(page, "data-tones")) - tones}`);
  await page.context().close();
  await ackAll();
});

test("a denied notification permission is said on the board", async () => {
  const context = await lenient.newContext();
  const page = await context.newPage();
  await page.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(page, "[data-testid=board]", "data-synced")) === "true", "the board is synced");
  // The site's permission as a browser has it after the user blocked notifications.
  await page.evaluate(() => Object.defineProperty(Notification, "permission", { get: () => "denied" }));
  await page.locator('[data-toggle="notify"]').click();
  await until(async () => (await attr(page, "[data-testid=board]", "data-notify")) === "denied", "the board knows");
  assert.match(await page.locator(".banner.notice").textContent(), /blocks notifications/);
  assert.equal(await page.locator('[data-toggle="notify"]').getAttribute("aria-pressed"), "false");
  await context.close();
});
