// The board on the people's alarm API: an acknowledgement's comment is kept (the row and the
// history show it), a bulk acknowledgement is one request, and the Cleared view pages through
// the server's cleared alarms with its cursor and searches on the server.
import assert from "node:assert/strict";
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

const ref = (a) => ({ businessType: a.businessType, businessId: a.businessId, alarmId: a.alarmId });

test("an ack's comment is kept: the server has it, the row and the history show it", async () => {
  await pulse.post("/api/v1/alarm", { alarmId: "c-1", businessType: "meter", businessId: "m-1", level: "critical", title: "Over-voltage", content: "" });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(pulse.url + "/#alarms");
  const row = page.locator('tr[data-alarm-id="c-1"]');
  await until(() => row.count(), "the alarm is on the board");
  await page.getByTestId("ack-comment").fill("breaker reset, watching");
  await row.locator('button[data-action="ack"]').click();
  await until(async () => {
    const a = (await pulse.get("/api/v1/alarms?status=acked")).items.find((x) => x.alarmId === "c-1");
    return a?.ackComment === "breaker reset, watching";
  }, "the server keeps the comment");
  await until(async () => /“breaker reset, watching”/.test(await row.textContent()), "the row shows it");
  await row.locator("td.title").click();
  const dialog = page.getByTestId("history");
  await until(async () => (await dialog.getAttribute("data-events")) === "2", "the history");
  assert.equal(await dialog.locator("tbody tr").nth(1).locator("td.comment").textContent(), "breaker reset, watching");
  await page.close();
});

test("a bulk acknowledgement is one request to POST /api/v1/alarms/ack", async () => {
  await pulse.post("/api/v1/alarm", { items: [1, 2, 3].map((i) => ({ alarmId: `b-${i}`, businessType: "pump", businessId: `p-${i}`, level: "major", title: `Pump ${i}` })) });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const posts = [];
  page.on("request", (r) => r.method() === "POST" && posts.push(new URL(r.url()).pathname));
  await page.goto(pulse.url + "/?board.business=pump/#alarms");
  await until(async () => (await attr(page, "[data-testid=board]", "data-shown")) === "3", "the three pumps");
  await page.getByTestId("select-all").check();
  await page.getByTestId("ack-comment").fill("one visit for all");
  await page.getByTestId("ack-selected").click();
  await until(async () => {
    const acked = (await pulse.get("/api/v1/alarms?status=acked&business=pump/*")).items;
    return acked.length === 3 && acked.every((a) => a.ackComment === "one visit for all");
  }, "the three are acked with the comment");
  // The server may have committed before the page has read its answer: wait for the page's words.
  await until(async () => (await page.getByTestId("status-text").textContent()) === "Acknowledged 3 alarms with “one visit for all”", "the status line names the three");
  assert.deepEqual(posts, ["/api/v1/alarms/ack"]);
  await page.close();
});

test("the Cleared view pages with the server's cursor (Load more) and searches on the server", async () => {
  const items = Array.from({ length: 130 }, (_, i) => ({ alarmId: `old-${i}`, businessType: "site", businessId: "s-9", level: "minor", title: i === 7 ? "Needle in the haystack" : `Old ${i}` }));
  await pulse.post("/api/v1/alarm", { items });
  await pulse.post("/api/v1/alarms/clear", { alarms: items.map(ref), user: "tidy" });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(pulse.url + "/?board.view=cleared#alarms");
  await until(async () => (await attr(page, "[data-testid=cleared]", "data-rows")) === "100", "the first page: 100");
  assert.equal(await attr(page, "[data-testid=cleared]", "data-more"), "true");
  await page.getByTestId("cleared-more").click();
  await until(async () => (await attr(page, "[data-testid=cleared]", "data-rows")) === "130", "Load more: all 130");
  assert.equal(await attr(page, "[data-testid=cleared]", "data-more"), "false");
  assert.equal(await page.getByTestId("cleared-more").isVisible(), false);

  await page.getByTestId("cleared-q").fill("NEEDLE");
  await page.getByTestId("cleared-search").click();
  await until(async () => (await attr(page, "[data-testid=cleared]", "data-rows")) === "1", "the server finds the one");
  assert.equal(await page.locator('[data-testid=cleared] tr[data-alarm-id="old-7"]').count(), 1);
  assert.doesNotMatch(await page.getByTestId("cleared").textContent(), /cannot search/);
  await page.close();
});
