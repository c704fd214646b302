// The board for keyboard, screen-reader and phone users: Enter on a focused row opens the
// alarm's history and it stays open; new alarms are announced in a live region, a burst in one
// sentence; on a phone the Ack buttons are at least 44 px square.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attr, launch } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

let pulse, browser;
before(async () => {
  pulse = await startPulse();
  browser = await launch();
  await pulse.post("/api/v1/alarm", { items: [{ alarmId: "a-1", businessType: "meter", businessId: "m-1", level: "critical", title: "Over-voltage", content: "262 V" }] });
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

test("Enter on a focused row opens its history, which stays open", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/#alarms");
  const row = page.locator('tr[data-alarm-id="a-1"]');
  await until(() => row.count(), "the alarm is on the board");
  await row.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByTestId("history");
  await until(async () => (await dialog.getAttribute("data-events")) === "1", "the history is loaded");
  assert.equal(await dialog.evaluate((d) => d.open), true, "the dialog is still open after the history came");
  await page.keyboard.press("Escape");
  await until(async () => !(await dialog.evaluate((d) => d.open)), "Escape closes it");
  await page.close();
});

test("new alarms are announced in a polite live region, a burst in one sentence", async () => {
  const page = await browser.newPage();
  await page.goto(pulse.url + "/#alarms");
  await until(async () => (await attr(page, "[data-testid=board]", "data-synced")) === "true", "the board is synced");
  const live = page.getByTestId("announcer");
  assert.equal(await live.getAttribute("aria-live"), "polite");
  await pulse.post("/api/v1/alarm", {
    items: [
      { alarmId: "b-1", businessType: "pump", businessId: "p-1", level: "critical", title: "Pump 1 stopped" },
      { alarmId: "b-2", businessType: "pump", businessId: "p-2", level: "major", title: "Pump 2 slow" },
      { alarmId: "b-3", businessType: "pump", businessId: "p-3", level: "major", title: "Pump 3 slow" },
    ],
  });
  await until(async () => (await live.textContent()) === "3 new alarms: 1 critical, 2 major", "one sentence for the three");
  assert.equal(await attr(page, "[data-testid=board]", "data-announced"), "1");
  await pulse.post("/api/v1/alarm", { alarmId: "b-4", businessType: "pump", businessId: "p-4", level: "minor", title: "Pump 4 noisy" });
  await until(async () => (await live.textContent()) === "New minor alarm: Pump 4 noisy · pump/p-4", "a single alarm by name");
  await page.close();
});

test("on a phone the Ack and Clear buttons are at least 44 px square, and the cards come first", async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phone.goto(pulse.url + "/#alarms");
  await until(async () => Number(await attr(phone, "[data-testid=board]", "data-shown")) > 0, "the board shows the alarms");
  for (const action of ["ack", "clear"]) {
    const box = await phone.locator(`tr[data-alarm-id] button[data-action="${action}"]`).first().boundingBox();
    assert.ok(box.width >= 44 && box.height >= 44, `${action}: ${box.width}×${box.height}`);
  }
  // The cards come first: no selection column, bulk or export tools on a phone.
  assert.equal(await phone.getByTestId("ack-selected").isVisible(), false);
  assert.equal(await phone.locator("tr[data-alarm-id] td.select").first().isVisible(), false);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await phone.close();
});
