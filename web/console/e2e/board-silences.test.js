// Silences on the board: a silenced alarm stays on the board, marked; a user who may acknowledge
// shelves one alarm (1 h, 8 h, until cleared), silences a business or alarms that match, with a
// comment; the silences list deletes one; an alarm's history shows its deliveries (or that there
// were none).
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
  await until(async () => (await attr(page, "[data-testid=board]", "data-synced")) === "true", "the board is synced");
  await page.getByTestId("name").fill("operator-9");
  await page.getByTestId("name").press("Tab");
  await pulse.post("/api/v1/alarm", {
    items: [
      { alarmId: "a-1", businessType: "meter", businessId: "m-1", level: "critical", title: "Over-voltage", content: "262 V" },
      { alarmId: "a-2", businessType: "meter", businessId: "m-1", level: "minor", title: "Door open", content: "" },
      { alarmId: "p-1", businessType: "pump", businessId: "p-1", level: "major", title: "Pressure low", content: "" },
    ],
  });
  await until(async () => (await attr(page, "[data-testid=board]", "data-rows")) === "3", "three rows");
});
after(async () => {
  await browser?.close();
  await pulse?.stop();
});

const row = (business, alarmId) => page.locator(`tr[data-business="${business}"][data-alarm-id="${alarmId}"]`);
const silenced = (business, alarmId) => row(business, alarmId).getAttribute("data-silenced");
const serverSilences = async () => (await pulse.get("/api/v1/silences")).items;
const dialog = () => page.getByTestId("silence-dialog");

test("shelve one alarm until cleared, with a comment: the row is marked, its tone stops; the clear ends the shelf", async () => {
  assert.equal(await page.getByTestId("silence").textContent(), "Mute tone (1)", "the critical's tone waits");
  await row("meter/m-1", "a-1").locator('button[data-action="silence"]').click();
  await dialog().getByTestId("silence-what").selectOption("alarm");
  await dialog().getByTestId("silence-for").selectOption("cleared");
  await dialog().getByTestId("silence-comment").fill("known fault, crew on site");
  await dialog().getByTestId("silence-submit").click();
  await until(async () => (await silenced("meter/m-1", "a-1")) !== "", "a-1 is marked silenced");
  assert.equal(await silenced("meter/m-1", "a-2"), "", "a-2 of the same business is not");
  assert.match(await row("meter/m-1", "a-1").getByTestId("silenced-note").textContent(), /silenced until cleared/);
  assert.match(await page.getByTestId("status-text").textContent(), /^Silenced meter\/m-1 · a-1/);
  await until(() => page.getByTestId("silence").isHidden(), "no tone waits for a silenced critical");
  const [s] = await serverSilences();
  assert.deepEqual([s.untilCleared, s.createdBy, s.comment, s.matchers.alarmIds], [true, "operator-9", "known fault, crew on site", ["a-1"]]);
  await screenshot(page, "board-silenced.png");
});

test("the history shows the silenced event, and no deliveries when the server has none", async () => {
  await row("meter/m-1", "a-1").locator("td.title").click();
  const history = page.getByTestId("history");
  await until(async () => (await history.getAttribute("data-events")) === "2", "raised, silenced");
  assert.deepEqual(await history.locator("table:not(.deliveries) tbody tr td:nth-child(3)").allTextContents(), ["raised", "silenced"]);
  await until(async () => (await history.getAttribute("data-deliveries")) === "0", "no deliveries");
  assert.match(await history.getByTestId("deliveries").textContent(), /No deliveries/);
  await history.getByRole("button", { name: "Close" }).click();
});

test("the history renders the deliveries the server answers", async () => {
  await page.route("**/api/v1/alarms/meter/m-1/a-2/deliveries", (route) =>
    route.fulfill({
      contentType: "application/json",
      body: JSON.stringify({
        code: 0,
        message: "",
        data: {
          items: [
            { id: "msg_1", route: "meters-urgent", kind: "raised", outlet: "ops-webhook", target: "", attempt: 1, status: "failed", time: Date.now() - 5000, error: "https://hooks.example.com: 503 Service Unavailable" },
            { id: "msg_1", kind: "raised", outlet: "ops-webhook", target: "", attempt: 2, status: "sent", time: Date.now() },
          ],
        },
      }),
    }),
  );
  await row("meter/m-1", "a-2").locator("td.title").click();
  const history = page.getByTestId("history");
  await until(async () => (await history.getAttribute("data-deliveries")) === "2", "two deliveries");
  assert.deepEqual(await history.locator("table.deliveries tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.status)), ["failed", "sent"]);
  assert.match(await history.locator("table.deliveries").textContent(), /503 Service Unavailable/);
  assert.match(await history.locator("table.deliveries tbody tr").first().textContent(), /meters-urgent/);
  await history.getByRole("button", { name: "Close" }).click();
  await page.unroute("**/api/v1/alarms/meter/m-1/a-2/deliveries");
});

test("silence a business for 8 hours, then alarms that match; the list deletes one", async () => {
  await row("meter/m-1", "a-2").locator('button[data-action="silence"]').click();
  await dialog().getByTestId("silence-what").selectOption("business");
  assert.equal(await dialog().locator('[data-testid=silence-for] option[value="cleared"]').count(), 0, "until cleared is for one alarm only");
  await dialog().getByTestId("silence-for").selectOption("8h");
  await dialog().getByTestId("silence-submit").click();
  await until(async () => (await silenced("meter/m-1", "a-2")) !== "", "a-2 is marked by the business's silence");
  const business = (await serverSilences()).find((s) => !s.untilCleared);
  assert.deepEqual(business.matchers, { businesses: ["meter/m-1"] });
  const hours = (business.endsAt - business.startsAt) / 3600_000;
  assert.ok(hours > 7.9 && hours < 8.1, `8 hours, got ${hours}`);

  await page.getByTestId("silences-button").click();
  const list = page.getByTestId("silences");
  await until(async () => (await list.getAttribute("data-count")) === "2", "two silences listed");
  await list.getByTestId("new-silence").click();
  await dialog().getByTestId("silence-businesses").fill("pump/*");
  await dialog().locator('input[data-level="major"]').check();
  await dialog().getByTestId("silence-comment").fill("pump maintenance");
  await dialog().getByTestId("silence-submit").click();
  await until(async () => (await silenced("pump/p-1", "p-1")) !== "", "p-1 is marked by the matcher's silence");

  await page.getByTestId("silences-button").click();
  await until(async () => (await list.getAttribute("data-count")) === "3", "three silences listed");
  await screenshot(page, "board-silences.png");
  await list.locator(`tr[data-silence-id="${business.id}"] button[data-action="delete-silence"]`).click();
  await until(async () => (await list.getAttribute("data-count")) === "2", "two left");
  await until(async () => (await silenced("meter/m-1", "a-2")) === "", "a-2 is no longer marked");
  assert.notEqual(await silenced("meter/m-1", "a-1"), "", "a-1 stays shelved");
  await list.getByRole("button", { name: "Close" }).click();
});

test("a refused silence says why; the clear of a shelved alarm ends its shelf", async () => {
  await page.getByTestId("silences-button").click();
  await page.getByTestId("silences").getByTestId("new-silence").click();
  await dialog().getByTestId("silence-submit").click(); // no matcher at all
  await until(async () => !(await dialog().getByTestId("silence-error").isHidden()), "an error");
  assert.match(await dialog().getByTestId("silence-error").textContent(), /matchers/);
  await dialog().getByRole("button", { name: "Cancel" }).click();

  await pulse.post("/api/v1/alarms/meter/m-1/a-1/clear", { user: "op" });
  await until(async () => (await serverSilences()).every((s) => !s.untilCleared), "the shelf ended with the clear");
});
