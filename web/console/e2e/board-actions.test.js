// What the board's actions do, seen on the server: acks and history by business (one alarmId in
// two businesses is two rows, each acknowledged on its own), a clear that can be undone for a few
// seconds, bulk acknowledgement with a comment, unacknowledged first with unacked/total chips,
// the critical hidden by a filter, grouping.
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
  await until(async () => (await board("data-synced")) === "true", "the board is synced");
  await page.getByTestId("name").fill("operator-7");
  await page.getByTestId("name").press("Tab");
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const board = (name) => attr(page, "[data-testid=board]", name);
const raise = (items) => pulse.post("/api/v1/alarm", { items });
const row = (business, alarmId) => page.locator(`tr[data-business="${business}"][data-alarm-id="${alarmId}"]`);
const serverAlarm = async (bt, bid, id) =>
  (await pulse.get("/api/v1/alarms?limit=1000")).items.find((a) => a.businessType === bt && a.businessId === bid && a.alarmId === id);
// The pointer leaves the table, so that it may reorder.
const away = () => page.mouse.move(1, 1);

test("one alarmId in two businesses: two rows; Ack acts on the row's business only, history too", async () => {
  await raise([
    { alarmId: "over-voltage", businessType: "meter", businessId: "m-1", level: "critical", title: "Over-voltage", content: "262 V" },
    { alarmId: "over-voltage", businessType: "meter", businessId: "m-2", level: "critical", title: "Over-voltage", content: "255 V" },
  ]);
  await until(async () => (await board("data-rows")) === "2", "two rows");
  await row("meter/m-2", "over-voltage").locator('button[data-action="ack"]').click();
  await until(async () => (await serverAlarm("meter", "m-2", "over-voltage"))?.status === "acked", "meter/m-2's alarm is acked on the server");
  assert.equal((await serverAlarm("meter", "m-2", "over-voltage")).ackedBy, "operator-7");
  assert.equal((await serverAlarm("meter", "m-1", "over-voltage")).status, "active", "meter/m-1's alarm of the same id is not");
  await until(async () => (await page.getByTestId("status-text").textContent()) === "Acknowledged Over-voltage · meter/m-2", "the status line names the alarm");
  await until(async () => (await row("meter/m-2", "over-voltage").getAttribute("data-status")) === "acked", "the row shows it");

  await row("meter/m-2", "over-voltage").locator("td.title").click();
  const dialog = page.getByTestId("history");
  await until(async () => (await dialog.getAttribute("data-events")) === "2", "the history of meter/m-2's alarm: raised, acked");
  assert.deepEqual(await dialog.locator("tbody tr td:nth-child(3)").allTextContents(), ["raised", "acked"]);
  await dialog.getByRole("button", { name: "Close" }).click();
  await away();
});

test("unacknowledged first, acked rows look settled (not only fainter), chips show unacked/total", async () => {
  await away();
  await until(async () => (await page.locator("tbody tr[data-key]").first().getAttribute("data-business")) === "meter/m-1", "the unacked alarm on top");
  const [active, acked] = await page.$$eval("tbody tr[data-key]", (rows) =>
    rows.map((r) => {
      const s = getComputedStyle(r);
      const level = getComputedStyle(r.querySelector(".level"));
      return { status: r.dataset.status, opacity: s.opacity, background: s.backgroundImage, color: s.color, levelBorder: level.borderTopStyle };
    }),
  );
  assert.equal(active.status, "active");
  assert.equal(acked.status, "acked");
  assert.equal(acked.opacity, "1", "not a mere opacity");
  assert.notEqual(acked.background, active.background);
  assert.notEqual(acked.color, active.color);
  assert.equal(acked.levelBorder, "solid", "the acked level is drawn in outline");
  assert.match(await page.locator('tbody tr[data-status="acked"]').textContent(), /✓ acked by operator-7/);
  assert.equal(await page.locator('.counts [data-level="critical"]').textContent(), "1/2critical");
  assert.equal(await board("data-unacked-critical"), "1");
  assert.equal(await board("data-count-critical"), "2");
});

test("Clear is held for a few seconds with an Undo; undone, nothing reaches the server", async () => {
  await raise([
    { alarmId: "door", businessType: "site", businessId: "s-1", level: "minor", title: "Door open", content: "" },
    { alarmId: "fan", businessType: "site", businessId: "s-1", level: "minor", title: "Fan slow", content: "" },
  ]);
  await until(() => row("site/s-1", "fan").count(), "the alarms are on the board");
  await row("site/s-1", "door").locator('button[data-action="clear"]').click();
  assert.match(await page.getByTestId("status-text").textContent(), /^Clearing Door open · site\/s-1/);
  await until(async () => (await board("data-pending-clears")) === "1", "the clear waits");
  assert.equal(await row("site/s-1", "door").getAttribute("class"), "alarm minor active clearing", "the row says it is being cleared");
  await page.getByTestId("undo").click();
  await until(async () => (await board("data-pending-clears")) === "0", "the undo drops it");
  assert.equal(await page.getByTestId("status-text").textContent(), "Undone: Door open · site/s-1 stays");
  // A clear not undone goes out after the same delay: once it is through, the undone one would
  // have been too.
  await row("site/s-1", "fan").locator('button[data-action="clear"]').click();
  await until(async () => (await serverAlarm("site", "s-1", "fan"))?.status === "cleared", "the fan alarm is cleared on the server");
  await until(async () => (await page.getByTestId("status-text").textContent()) === "Cleared Fan slow · site/s-1", "the status line says so");
  assert.equal((await serverAlarm("site", "s-1", "door")).status, "active", "the undone clear never reached the server");
  await away();
  await until(async () => (await row("site/s-1", "fan").count()) === 0, "the cleared row leaves");
  assert.equal(await row("site/s-1", "door").count(), 1);
});

test("bulk: select all shown and acknowledge them with one comment", async () => {
  await away();
  await raise([1, 2, 3, 4].map((i) => ({ alarmId: `pump-${i}`, businessType: "pump", businessId: `p-${i}`, level: "major", title: `Pump ${i} stopped`, content: "" })));
  await until(() => row("pump/p-4", "pump-4").count(), "the pumps are on the board");
  await page.getByTestId("filter-business").fill("pump/");
  await until(async () => (await board("data-shown")) === "4", "the filter shows the four pumps");
  await page.getByTestId("select-all").check();
  await until(async () => (await board("data-selected")) === "4", "the four shown are selected");
  await page.getByTestId("ack-comment").fill("crew sent, ticket #42, \"north\" site");
  await page.getByTestId("ack-selected").click();
  await until(async () => {
    const items = (await pulse.get("/api/v1/alarms?status=acked&limit=1000")).items.filter((a) => a.businessType === "pump");
    return items.length === 4 && items.every((a) => a.ackedBy === "operator-7");
  }, "the four pumps are acked by operator-7 on the server");
  // The server may have committed before the page has read its answer: wait for the page's words.
  await until(async () => /^Acknowledged 4 alarms with “crew sent, ticket #42, "north" site”/.test(await page.getByTestId("status-text").textContent()), "the status line names the four and the comment");
  assert.equal((await serverAlarm("meter", "m-1", "over-voltage")).status, "active", "what the filter hid was not selected");
  await page.getByTestId("filter-business").fill("");
});

test("a critical hidden by the level filter is said in the counts bar; the jump clears the filter and shows it", async () => {
  await page.getByTestId("filter-level").selectOption("minor");
  await until(async () => (await board("data-hidden-critical")) === "1", "the unacked meter/m-1 critical is hidden");
  await raise([{ alarmId: "fire", businessType: "building", businessId: "B2", level: "critical", title: "Fire", content: "" }]);
  await until(async () => (await board("data-hidden-critical")) === "2", "a new critical while filtered: 2 hidden");
  assert.match(await page.getByTestId("hidden-critical").textContent(), /2 new critical hidden by filter/);
  await page.getByTestId("hidden-critical").click();
  assert.equal(await page.getByTestId("filter-level").inputValue(), "", "the filter is cleared");
  await until(async () => (await board("data-hidden-critical")) === "0", "nothing hidden");
  assert.equal(await page.locator("tbody tr[data-key]").first().getAttribute("data-alarm-id"), "fire");
  assert.ok(await row("building/B2", "fire").isVisible());
});

test("grouping by business and by title, with counts; a group collapses", async () => {
  await page.getByTestId("group-by").selectOption("business");
  const group = (id) => page.locator(`tr.group[data-group="${id}"]`);
  await until(() => group("meter/m-1").count(), "a group per business");
  assert.equal(await group("site/s-1").getAttribute("data-total"), "1");
  assert.match(await group("meter/m-2").textContent(), /1 alarm, 0 unacked/);
  await page.getByTestId("group-by").selectOption("title");
  await until(() => group("Over-voltage").count(), "a group per title");
  assert.equal(await group("Over-voltage").getAttribute("data-total"), "2");
  assert.equal(await group("Over-voltage").getAttribute("data-unacked"), "1");
  await group("Over-voltage").click();
  await until(async () => (await row("meter/m-1", "over-voltage").count()) === 0, "a click collapses the group");
  assert.equal(await group("Over-voltage").getAttribute("aria-expanded"), "false");
  await group("Over-voltage").press("Enter");
  await until(() => row("meter/m-1", "over-voltage").count(), "Enter opens it again");
  await screenshot(page, "console-alarms-grouped.png");
  await page.getByTestId("group-by").selectOption("");
  await away();
});

test("scrolled down a long board, the counts bar stays in view below the header", async () => {
  await raise(Array.from({ length: 60 }, (_, i) => ({ alarmId: `many-${i}`, businessType: "bulk", businessId: "b-1", level: "warning", title: `Warning ${i}`, content: "" })));
  await away();
  await until(async () => Number(await board("data-shown")) >= 60, "the long board");
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await until(async () => (await page.evaluate(() => window.scrollY)) > 500, "the page is scrolled down");
  const header = await page.locator("header.top").boundingBox();
  const counts = await page.locator("[data-testid=board] .counts").boundingBox();
  assert.ok(counts.y >= header.y + header.height - 1 && counts.y < header.y + header.height + 20, `counts bar at ${counts.y}, header ends at ${header.y + header.height}`);
  assert.ok(await page.locator('.counts [data-level="critical"]').isVisible());
  await page.evaluate(() => window.scrollTo(0, 0));
});
