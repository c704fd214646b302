// The dashboard in a real browser against the real server: a chart per numeric field, prefilled
// from the snapshot, that grows as row data is published; a second panel follows a whole type.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { attr, launch, screenshot } from "./lib/browser.js";
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

// One row-data item per call, its time a second after the previous one's.
let clock = Date.now() - 60_000;
function row(type, id, i) {
  clock += 1000;
  return { businessType: type, businessId: id, time: clock, data: { voltage: 220 + 5 * Math.sin(i / 3), current: 4 + (i % 5) / 10, state: "ok" } };
}

test("a followed business charts each numeric field from the snapshot on, and the charts grow", async () => {
  // Published before the page opens: the snapshot prefills the charts.
  await pulse.post("/api/v1/rowdata", { items: Array.from({ length: 8 }, (_, i) => row("meter", "m-1", i)) });

  // Dark, as a control room has it (the README's picture; layout.test.js takes the light one).
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: "dark" });
  await page.goto(pulse.url + "/");
  const panel = page.getByTestId("panel").first();
  await panel.getByTestId("type").fill("meter");
  await panel.getByTestId("id").fill("m-1");
  await panel.getByTestId("follow").click();

  const voltage = '[data-testid=panel] .chart[data-field="voltage"]';
  await until(async () => Number(await attr(page, voltage, "data-points")) >= 8, "the voltage chart holds the 8 snapshot points");
  assert.equal(await attr(page, '[data-testid=panel] .chart[data-field="current"]', "data-points"), "8");
  // Only numeric fields are charted.
  assert.equal(await page.locator('.chart[data-field="state"]').count(), 0);

  for (let i = 8; i < 20; i++) await pulse.post("/api/v1/rowdata", row("meter", "m-1", i));
  await until(async () => Number(await attr(page, voltage, "data-points")) === 20, "the voltage chart grows to 20 points");
  await until(() => page.locator(`${voltage} canvas`).count(), "the chart is drawn");

  // A second panel on the same screen follows every meter; Chinese names render as given.
  await page.getByTestId("add-panel").click();
  const second = page.getByTestId("panel").nth(1);
  await second.getByTestId("type").fill("meter");
  await second.getByTestId("id").fill("*");
  await second.getByTestId("follow").click();
  await until(async () => (await second.getAttribute("data-state")) === "open", "the second panel is live");
  for (let i = 0; i < 10; i++) {
    await pulse.post("/api/v1/rowdata", { items: [row("meter", "m-1", 20 + i), row("meter", "电表-二号", i)] });
  }
  await until(async () => Number(await second.locator('.chart[data-field="voltage"]').getAttribute("data-points")) >= 20, "the type panel charts both meters");
  await until(() => second.locator(".u-legend").getByText("meter/电表-二号").count(), "the legend names the Chinese meter");
  assert.equal(Number(await attr(page, voltage, "data-points")), 30);

  // Pause freezes the drawing, not the data.
  await panel.getByTestId("pause").click();
  await pulse.post("/api/v1/rowdata", row("meter", "m-1", 40));
  await until(async () => Number(await attr(page, voltage, "data-points")) === 31, "a paused panel still counts points");
  await panel.getByTestId("pause").click();

  // The README's picture: a one-minute window, which this test's minute of data fills.
  for (const p of [panel, second]) await p.getByTestId("window").selectOption("60000");
  await until(async () => Number(await attr(page, '[data-testid=panel] .chart[data-field="voltage"]', "data-x-max")) - Number(await attr(page, '[data-testid=panel] .chart[data-field="voltage"]', "data-x-min")) === 60_000, "the charts show one minute");
  await screenshot(page, "console-dashboard.png", { readme: true });
  await page.close();
});

test("a business picked from the recently published ones; the panels come back after a reload", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(pulse.url + "/");
  const recent = page.getByTestId("panel").first().getByTestId("recent");
  await until(async () => (await recent.locator("option").allTextContents()).some((t) => t.startsWith("meter/电表-二号 ")), "the recent list names the Chinese meter");
  assert.ok((await recent.locator("option").allTextContents()).includes("meter/* (every meter)"));
  await recent.selectOption(JSON.stringify(["meter", "m-1"]));
  await until(async () => (await attr(page, "[data-testid=panel]", "data-state")) === "open", "the panel is live");
  await page.reload();
  await until(async () => (await attr(page, "[data-testid=panel]", "data-business")) === "meter/m-1", "the panel follows meter/m-1 again");
  await until(async () => Number(await attr(page, '.chart[data-field="voltage"]', "data-points")) > 0, "and is prefilled from the snapshot");
  await page.close();
});
