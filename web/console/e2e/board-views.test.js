// The board's other views: the cleared alarms with a time range and a search, CSV export of what
// a view shows (RFC 4180 quoting), and the view and filters in the URL, so that a link shares them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { attr, launch, screenshot } from "./lib/browser.js";
import { until } from "./lib/poll.js";
import { startPulse } from "./lib/pulse.js";

let pulse, browser;
const tricky = 'Valve "A", north\nline 2';
before(async () => {
  pulse = await startPulse();
  browser = await launch();
  await pulse.post("/api/v1/alarm", {
    items: [
      { alarmId: "v-1", businessType: "plant", businessId: "p-1", level: "major", title: tricky, content: "closed, 0 %" },
      { alarmId: "v-2", businessType: "plant", businessId: "p-1", level: "minor", title: "Pressure low", content: "1.2 bar" },
      { alarmId: "v-3", businessType: "plant", businessId: "p-2", level: "critical", title: "Pressure high", content: "9 bar" },
    ],
  });
  for (const id of ["v-1", "v-2"]) await pulse.post(`/api/v1/alarms/plant/p-1/${id}/clear`, { user: "night-shift" });
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const board = (page, name) => attr(page, "[data-testid=board]", name);

test("the Cleared view lists cleared alarms, narrows by search and time range, and exports them as CSV", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await page.goto(pulse.url + "/?board.view=cleared#alarms");
  const cleared = page.getByTestId("cleared");
  await until(async () => (await attr(page, "[data-testid=cleared]", "data-rows")) === "2", "two cleared alarms");
  assert.equal(await page.getByTestId("view").inputValue(), "cleared");
  assert.equal(await page.locator(".live").isVisible(), false, "the live table is hidden");
  assert.deepEqual(await cleared.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.alarmId).sort()), ["v-1", "v-2"]);

  await page.getByTestId("cleared-q").fill("valve");
  await page.getByTestId("cleared-q").press("Enter");
  await until(async () => (await attr(page, "[data-testid=cleared]", "data-rows")) === "1", "the search keeps the valve");
  assert.match(page.url(), /board\.q=valve/);
  assert.match(page.url(), /board\.view=cleared/);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  const csv = readFileSync(await download.path(), "utf8");
  const lines = csv.split("\r\n");
  assert.equal(lines[0], "businessType,businessId,alarmId,level,status,title,content,count,firstTime,lastTime,ackedBy,ackTime");
  assert.ok(csv.startsWith(lines[0] + "\r\nplant,p-1,v-1,major,cleared,\"Valve \"\"A\"\", north\nline 2\",\"closed, 0 %\",1,"), csv);
  assert.ok(csv.endsWith("\r\n"));
  assert.equal(csv.split("\r\n").length, 3, "a header, one alarm, the final line end");

  // A range that ends before the alarms were raised holds none.
  await page.getByTestId("cleared-q").fill("");
  await page.getByTestId("cleared-to").fill("2020-01-01T00:00");
  await until(async () => (await attr(page, "[data-testid=cleared]", "data-rows")) === "0", "nothing cleared before 2020");
  assert.match(await cleared.textContent(), /No cleared alarm in this range/);
  await page.getByTestId("cleared-to").fill("");
  await page.getByTestId("cleared-search").click();
  await until(async () => (await attr(page, "[data-testid=cleared]", "data-rows")) === "2", "both again");
  await screenshot(page, "console-alarms-cleared.png");
  await page.close();
});

test("the view and filters are in the URL: a link opens the same view; the live view exports what it shows", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await page.goto(pulse.url + "/?board.level=critical&board.group=business#alarms");
  await until(async () => (await board(page, "data-shown")) === "1", "only the critical alarm");
  assert.equal(await page.getByTestId("filter-level").inputValue(), "critical");
  assert.equal(await page.getByTestId("group-by").inputValue(), "business");
  assert.equal(await page.locator('tr.group[data-group="plant/p-2"]').count(), 1);

  await page.getByTestId("filter-level").selectOption("");
  await page.getByTestId("filter-text").fill("pressure");
  await until(() => /board\.text=pressure/.test(page.url()), "the text filter is in the URL");
  assert.doesNotMatch(page.url(), /board\.level/, "a filter set back to all leaves the URL");
  assert.match(page.url(), /#alarms$/, "the shell's #view stays");

  await page.reload();
  await until(async () => (await page.getByTestId("filter-text").inputValue()) === "pressure", "a reload keeps the filter");
  await until(async () => (await board(page, "data-shown")) === "1", "the open pressure alarm (the other is cleared)");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  const csv = readFileSync(await download.path(), "utf8").split("\r\n");
  assert.equal(csv.length, 3);
  assert.match(csv[1], /^plant,p-2,v-3,critical,active,Pressure high,9 bar,1,/);
  await page.close();
});
