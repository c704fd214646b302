// A board whose server lost its alarm store (restarted on a fresh database) is told to reset:
// it says so, drops what it showed and shows the server's state from then on.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { attr, launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

let pulse, browser;
before(async () => {
  pulse = await startPulse();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

test("a reset from the server: a notice, the old alarms gone, the new ones shown", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(page, "[data-testid=board]", "data-synced")) === "true", "the board is synced");
  await pulse.post("/api/v1/alarm", { items: [1, 2, 3].map((i) => ({ alarmId: `old-${i}`, businessType: "meter", businessId: "b", level: "major", title: `old ${i}` })) });
  await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "3", "three alarms");

  await pulse.stop();
  for (const f of ["pulse.db", "pulse.db-wal", "pulse.db-shm"]) rmSync(join(pulse.dir, f), { force: true });
  await pulse.start();

  await until(async () => (await attr(page, "[data-testid=board]", "data-reset")) === "shown", "the board says it was reset");
  assert.match(await page.locator(".banner.notice").textContent(), /reloaded/);
  await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "0", "the old alarms are gone");
  await pulse.post("/api/v1/alarm", { alarmId: "new-1", businessType: "meter", businessId: "b", level: "minor", title: "new" });
  await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "1", "the new alarm is shown");
  assert.equal(await page.locator('tr[data-alarm-id="new-1"]').count(), 1);
});
